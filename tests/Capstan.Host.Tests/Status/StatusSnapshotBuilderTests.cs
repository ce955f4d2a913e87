using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Scheduling;
using Capstan.Host.Status;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Host.Tests.Status;

/// <summary>The snapshot builder over the in-memory cluster: states, bars, prices, ages and pending reasons.</summary>
public sealed class StatusSnapshotBuilderTests
{
    private readonly FakeTimeProvider _time = new(StatusWorld.Now);
    private readonly InMemoryCluster _cluster = new();
    private readonly DecisionLog _decisions = new(Microsoft.Extensions.Options.Options.Create(new StatusOptions()));

    private StatusSnapshot Build() =>
        new StatusSnapshotBuilder(_cluster, _decisions, new StatusTimeline(Microsoft.Extensions.Options.Options.Create(new StatusOptions())), _time).Build();

    [Fact]
    public void Nodes_StateIsInFlightReadyOrDraining_FromReadinessCordonDeletionAndDisruption()
    {
        _cluster.UpsertNode(StatusWorld.Node("a-launched", ready: false, inFlight: true));
        _cluster.UpsertNode(StatusWorld.Node("b-registered-not-ready", ready: false));
        _cluster.UpsertNode(StatusWorld.Node("c-ready"));
        _cluster.UpsertNode(StatusWorld.Node("d-cordoned") with { Unschedulable = true });
        _cluster.UpsertNode(StatusWorld.Node("e-tainted") with { Taints = [new Taint(Labels.DisruptionTaint, "disrupting", TaintEffect.NoSchedule)] });
        _cluster.UpsertNode(StatusWorld.Node("f-deleting-in-flight", ready: false, inFlight: true) with { MarkedForDeletion = true });
        _cluster.UpsertNode(StatusWorld.Node("g-candidate") with { DisruptionCandidate = true });

        var states = Build().Nodes.ToDictionary(n => n.Name, n => n.State);

        Assert.Equal(NodeStates.InFlight, states["a-launched"]);
        Assert.Equal(NodeStates.InFlight, states["b-registered-not-ready"]);
        Assert.Equal(NodeStates.Ready, states["c-ready"]);
        Assert.Equal(NodeStates.Draining, states["d-cordoned"]);
        Assert.Equal(NodeStates.Draining, states["e-tainted"]);
        Assert.Equal(NodeStates.Draining, states["f-deleting-in-flight"]);
        Assert.Equal(NodeStates.Draining, states["g-candidate"]);
    }

    [Fact]
    public void Nodes_BarsAreThePodsRequestsAgainstAllocatable_InCoresAndBytes()
    {
        _cluster.UpsertNode(StatusWorld.Node("node-a"));
        _cluster.AddPod(new PodBuilder("web-1").Cpu("1500m").Memory("1Gi").Build(), "node-a");
        _cluster.AddPod(new PodBuilder("web-0", "shop").Cpu("250m").Memory("512Mi").Build(), "node-a");

        var node = Assert.Single(Build().Nodes);

        Assert.Equal(1.75, node.Cpu.Requested, 9);
        Assert.Equal(1.93, node.Cpu.Allocatable, 9);
        Assert.Equal(1536.0 * 1024 * 1024, node.Memory.Requested);
        Assert.Equal(7.0 * 1024 * 1024 * 1024, node.Memory.Allocatable);
        Assert.Equal(["default/web-1", "shop/web-0"], node.Pods);
    }

    [Fact]
    public void Nodes_CarryTypeZoneCapacityTypePriceAndAge_AndThePriceIsTheSumOfKnownPrices()
    {
        _cluster.UpsertNode(StatusWorld.Node("node-a", price: 0.096, createdAt: StatusWorld.Now.AddMinutes(-90)));
        _cluster.UpsertNode(StatusWorld.Node("node-b", price: 0.0416, instanceType: "t3.medium", zone: "us-west-2b", capacityType: "spot"));
        _cluster.UpsertNode(new NodeView { Name = "node-c", Ready = true });

        var snapshot = Build();

        Assert.Equal(0.1376, snapshot.PricePerHour, 9);
        Assert.Equal(StatusWorld.Now, snapshot.GeneratedAt);
        var a = snapshot.Nodes[0];
        Assert.Equal(("m5.large", "us-west-2a", "on-demand", 0.096, 5400L), (a.InstanceType, a.Zone, a.CapacityType, a.PricePerHour!.Value, a.AgeSeconds!.Value));
        var b = snapshot.Nodes[1];
        Assert.Equal(("t3.medium", "us-west-2b", "spot"), (b.InstanceType, b.Zone, b.CapacityType));
        var c = snapshot.Nodes[2];
        Assert.Equal((null, null, null, null, null), (c.InstanceType, c.Zone, c.CapacityType, c.PricePerHour, c.AgeSeconds));
        Assert.Equal((0, 0), (c.Cpu.Requested, c.Cpu.Allocatable));
    }

    [Fact]
    public void Pending_ReasonIsTheMostSpecificKnown()
    {
        _cluster.UpsertNode(StatusWorld.Node("node-new", ready: false, inFlight: true));
        var planned = new PodBuilder("planned").Cpu("1").Build();
        _cluster.AddPod(planned);
        // The in-memory cluster keeps bound pods on nodes; a cache that shows planned pods on an in-flight node is
        // stood in for by a node view that lists the pod while the pod itself is still unbound.
        var capstan = new PodBuilder("too-big").Cpu("64").Build();
        _cluster.UpsertPod(new PodView { Request = capstan, ScheduledStatus = "False", ScheduledReason = PodView.UnschedulableReason });
        _decisions.NotePendingReason("default/too-big", "no instance type has 64 cpu");
        _cluster.UpsertPod(new PodView { Request = new PodBuilder("fresh").Build() });
        _cluster.UpsertPod(new PodView { Request = new PodBuilder("unschedulable").Build(), ScheduledStatus = "False", ScheduledReason = PodView.UnschedulableReason });
        _cluster.UpsertPod(new PodView { Request = new PodBuilder("gated").Build(), ScheduledStatus = "False", ScheduledReason = "SchedulingGated" });
        _cluster.UpsertPod(new PodView { Request = new PodBuilder("nominated").Build(), NominatedNodeName = "node-x" });
        _cluster.UpsertPod(new PodView { Request = new PodBuilder("leaving").Build(), DeletionTimestamp = StatusWorld.Now });
        var views = _cluster.PendingPodViews().ToDictionary(p => p.Request.Name);
        var plannedOn = new Dictionary<string, string> { ["default/planned"] = "node-new" };

        string Reason(string name) => StatusSnapshotBuilder.Reason(views[name], plannedOn, _decisions.PendingReason(views[name].Key));

        Assert.Equal("waiting for node node-new, which Capstan launched for it, to be ready", Reason("planned"));
        Assert.Equal("Capstan found no node to launch for it: no instance type has 64 cpu", Reason("too-big"));
        Assert.Equal("not yet tried by the scheduler", Reason("fresh"));
        Assert.Equal("the scheduler found no node for it; Capstan has not planned one yet", Reason("unschedulable"));
        Assert.Equal("scheduler: SchedulingGated", Reason("gated"));
        Assert.Equal("nominated for node node-x after preemption", Reason("nominated"));
        Assert.Equal("terminating", Reason("leaving"));
        Assert.Equal(7, Build().Pending.Count);
    }

    [Fact]
    public void Pending_CapstansReasonIsForgottenOnceThePodHasANode()
    {
        _cluster.UpsertNode(StatusWorld.Node("node-a"));
        var pod = new PodBuilder("web-0").Cpu("1").Build();
        _cluster.AddPod(pod);
        _decisions.NotePendingReason(pod.Key, "no provisioner matches");
        Assert.Equal("Capstan found no node to launch for it: no provisioner matches", Assert.Single(Build().Pending).Reason);

        _cluster.UpsertPod(new PodView { Request = pod, NodeName = "node-a" });
        Assert.Empty(Build().Pending);
        _cluster.UpsertPod(new PodView { Request = pod });

        Assert.Equal("not yet tried by the scheduler", Assert.Single(Build().Pending).Reason);
    }
}
