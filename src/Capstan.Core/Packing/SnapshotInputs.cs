using Capstan.Core.InstanceTypes;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;

namespace Capstan.Core.Packing;

/// <summary>What <see cref="SnapshotBuilder"/> needs besides the cluster state.</summary>
public sealed record SnapshotInputs
{
    public required DateTimeOffset Now { get; init; }

    /// <summary>
    /// The instance types a provisioner may launch (allocatable from its kubelet settings, its node template's
    /// offerings). Called once per provisioner per snapshot; callers cache what is expensive.
    /// </summary>
    public required Func<Provisioner, IReadOnlyList<InstanceType>> InstanceTypesFor { get; init; }

    /// <summary>The snapshot's own list (<see cref="Snapshot.InstanceTypes"/>), for provisioners without one.</summary>
    public IReadOnlyList<InstanceType> DefaultInstanceTypes { get; init; } = [];

    /// <summary>DaemonSet pod templates (overhead on every new node they would run on).</summary>
    public IReadOnlyList<PodRequest> DaemonSets { get; init; } = [];

    /// <summary>Every namespace's labels, or null when unknown (see <see cref="Snapshot.NamespaceLabels"/>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? NamespaceLabels { get; init; }

    /// <summary>
    /// When given, the placements it holds that the cluster state does not show yet count: such a pod is on its
    /// node in the snapshot, not pending.
    /// </summary>
    public IPlacementLedger? Ledger { get; init; }

    public PackingOptions Options { get; init; } = PackingOptions.Default;
}
