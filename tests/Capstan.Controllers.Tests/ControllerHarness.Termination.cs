using Capstan.Controllers.Disruption;
using Capstan.Controllers.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Testing;

namespace Capstan.Controllers.Tests;

/// <summary>The termination controller on the harness's cluster, with a counting cloud and a recording logger.</summary>
internal sealed partial class ControllerHarness
{
    private TerminationCloud? _terminationCloud;
    private TerminationController? _termination;

    /// <summary>The cloud the termination controller uses (the same instances as <see cref="Cloud"/>).</summary>
    public TerminationCloud TerminationCloud => _terminationCloud ??= new TerminationCloud(Cloud);

    /// <summary>Every line any termination controller of this harness logged.</summary>
    public TerminationLog TerminationLog { get; } = new();

    public TerminationController Termination => _termination ??= NewTermination();

    /// <summary>A termination controller as after a crash or a change of leader: same cluster and cloud, nothing in memory.</summary>
    public TerminationController RestartTermination() => _termination = NewTermination();

    /// <summary>A launched, registered and initialized node with <paramref name="pods"/> inflate pods bound to it.</summary>
    public async Task<NodeView> InitializedNodeAsync(int pods)
    {
        AddProvisioner();
        AddUnschedulable("inflate", pods);
        await PassAsync();
        var node = Assert.Single(CapstanNodes());
        Register(node.Name);
        await Lifecycle.ReconcileAllAsync(CancellationToken.None);
        return Cluster.FindNode(node.Name)!;
    }

    /// <summary>A running pod bound to the node, as its owner made it.</summary>
    public PodView AddRunningPod(string nodeName, string name, string? ownerKind = "ReplicaSet", int? priority = null, bool doNotEvict = false, string phase = "Running")
    {
        var pod = new PodView
        {
            Request = new PodBuilder(name, "apps").Cpu("100m").Memory("128Mi").Build() with { DoNotEvict = doNotEvict },
            NodeName = nodeName,
            Phase = phase,
            ScheduledStatus = "True",
            OwnerKind = ownerKind,
            OwnerName = ownerKind is null ? null : name + "-owner",
            Priority = priority,
            CreatedAt = Time.GetUtcNow(),
        };
        Cluster.UpsertPod(pod);
        return pod;
    }

    public Task TerminationPassAsync() => Termination.ReconcileAllAsync(CancellationToken.None);

    private TerminationController NewTermination() =>
        new(Cluster, Cluster, TerminationCloud, DisruptionMetrics, new NodeLifecycleOptions(), Time, TerminationLog, _nodeGroupRegistry);
}
