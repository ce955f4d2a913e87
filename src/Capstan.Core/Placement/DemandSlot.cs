namespace Capstan.Core.Placement;

/// <summary>
/// Where a caller that precomputes a node's free capacity keeps one demanded resource: cpu, memory and pods get
/// their own fields, so hot paths skip the name lookup; everything else is <see cref="Other"/>.
/// </summary>
public enum DemandSlot
{
    Other,
    Cpu,
    Memory,
    Pods,
}
