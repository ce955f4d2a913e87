namespace Capstan.Core.Scheduling;

/// <summary>A pod topology spread constraint.</summary>
public sealed record TopologySpreadConstraint(
    int MaxSkew,
    string TopologyKey,
    bool DoNotSchedule,
    LabelSelector Selector,
    int? MinDomains = null)
{
    public override string ToString() =>
        $"spread {TopologyKey} maxSkew={MaxSkew} {(DoNotSchedule ? "DoNotSchedule" : "ScheduleAnyway")} {Selector}";
}
