namespace Capstan.Extender.Ledger;

/// <summary>Where a demanded resource's free capacity is kept in <see cref="NodeFacts"/>.</summary>
internal enum DemandSlot
{
    Other,
    Cpu,
    Memory,
    Pods,
}
