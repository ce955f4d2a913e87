using Capstan.Core.Cluster;
using Capstan.Core.Placement;
using Capstan.Core.Ports;
using Capstan.Core.Resources;

namespace Capstan.Extender;

/// <summary>
/// What filter and prioritize need to know about one immutable <see cref="NodeView"/>, computed once per
/// view: the free capacity the cache shows (allocatable minus the pods on it), the verdict that does not
/// depend on the pod, and the figures prioritize scores with.
/// </summary>
internal sealed class NodeFacts
{
    public NodeFacts(NodeView view, ResourceList free)
    {
        View = view;
        Free = free;
        FreeCpu = free.Cpu.MilliValue;
        FreeMemory = free.Memory.MilliValue;
        FreePods = free.Pods.MilliValue;
        AllocatableCpu = view.Allocatable.Cpu.MilliValue;
        AllocatableMemory = view.Allocatable.Memory.MilliValue;
        Unresolvable = view switch
        {
            { MarkedForDeletion: true } => NodeVerdicts.BeingDeleted,
            { DisruptionCandidate: true } => NodeVerdicts.BeingDisrupted,
            { Unschedulable: true, ProvisionerName: not null } => NodeVerdicts.CordonedByCapstan,
            _ => null,
        };
        Disrupted = view.MarkedForDeletion || view.DisruptionCandidate || view.Unschedulable;
    }

    public NodeView View { get; }

    public ResourceList Free { get; }

    public long FreeCpu { get; }

    public long FreeMemory { get; }

    public long FreePods { get; }

    public long AllocatableCpu { get; }

    public long AllocatableMemory { get; }

    /// <summary>Why no pod may go here (deleted, disrupted, cordoned by Capstan), or null.</summary>
    public string? Unresolvable { get; }

    /// <summary>Capstan is about to take the node away or it is cordoned: prioritize keeps a fifth of the score.</summary>
    public bool Disrupted { get; }

    /// <summary>Free milli-units of one resource, without a name lookup for cpu, memory and pods.</summary>
    public long FreeMilli(DemandSlot slot, string resource) => slot switch
    {
        DemandSlot.Cpu => FreeCpu,
        DemandSlot.Memory => FreeMemory,
        DemandSlot.Pods => FreePods,
        _ => Free.Get(resource).MilliValue,
    };

    /// <summary><see cref="IPlacementLedger.FirstShortfall"/> from these facts and the node's ledger entries.</summary>
    public string? FirstShortfall(IPlacementLedger ledger, PodDemand demand, LedgerEntry[] entries)
    {
        var names = demand.Names;
        var slots = demand.Slots;
        var milli = demand.Milli;
        for (var i = 0; i < names.Length; i++)
        {
            var remaining = FreeMilli(slots[i], names[i]);
            if (entries.Length > 0)
            {
                remaining -= ledger.Outstanding(entries, View, names[i]);
            }

            if (remaining < milli[i])
            {
                return names[i];
            }
        }

        return null;
    }

    /// <summary><see cref="IPlacementLedger.RemainingMilli"/> from these facts and the node's ledger entries.</summary>
    public long RemainingMilli(IPlacementLedger ledger, DemandSlot slot, string resource, LedgerEntry[] entries)
    {
        var free = FreeMilli(slot, resource);
        return entries.Length == 0 ? free : free - ledger.Outstanding(entries, View, resource);
    }
}
