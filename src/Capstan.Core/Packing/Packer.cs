namespace Capstan.Core.Packing;

/// <summary>
/// The packing core: a pure, deterministic function from a <see cref="Snapshot"/> to a <see cref="Plan"/>.
/// </summary>
/// <remarks>
/// Pods are taken largest first (cpu, then memory, then creation order and name). Each pod goes to the
/// first existing node that can hold it, else to the first node claim already opened in this plan, else
/// to a new claim from the highest-weight provisioner that accepts it. Soft constraints (preferred node
/// and pod affinity, ScheduleAnyway spreads) are first treated as hard and relaxed one at a time, lightest
/// first, when a pod fits nowhere. A new claim is sized for the pods still waiting: among the instance
/// types that could carry it, the one with the lowest price per dollar of packed resources (valued at
/// the LP relaxation's shadow prices) caps how far it may grow; when the plan is final every claim takes
/// its cheapest type that fits what it carries, and claims holding only identical pods free of placement
/// rules are bought again as the exact cheapest fleet for their count. By default the core also plans
/// with Karpenter's uncapped first-fit-decreasing and keeps the cheaper plan: sizing wins on real
/// catalogs (big types cost more per pod than small ones), uncapped packing wins where prices are linear
/// and pod shapes mixed.
/// </remarks>
public static class Packer
{
    public static Plan Solve(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot = NamespaceSelectors.Resolve(snapshot);
        if (snapshot.Options.Sizing != SizingStrategy.Best)
        {
            return new PackingRun(snapshot).Run();
        }

        // The two runs share nothing but the snapshot, which neither changes: the second is planned on another core
        // while this thread plans the first (waiting on it rethrows its own exception, if any).
        var plainRun = Task.Run(() => new PackingRun(snapshot with { Options = snapshot.Options with { Sizing = SizingStrategy.FirstFitDecreasing } }).Run());
        var sized = new PackingRun(snapshot with { Options = snapshot.Options with { Sizing = SizingStrategy.CostAware } }).Run();
        return Better(sized, plainRun.GetAwaiter().GetResult());
    }

    /// <summary>Fewer unschedulable pods first, then the lower price, then fewer nodes; ties keep the first.</summary>
    internal static Plan Better(Plan first, Plan second)
    {
        if (first.Unschedulable.Count != second.Unschedulable.Count)
        {
            return first.Unschedulable.Count < second.Unschedulable.Count ? first : second;
        }

        if (Math.Abs(first.TotalPricePerHour - second.TotalPricePerHour) > 1e-9)
        {
            return first.TotalPricePerHour < second.TotalPricePerHour ? first : second;
        }

        return second.NodeClaims.Count < first.NodeClaims.Count ? second : first;
    }
}
