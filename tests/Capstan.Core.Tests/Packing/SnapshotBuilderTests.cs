using Capstan.Core.Cluster;
using Capstan.Core.Packing;
using Capstan.Core.Placement;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Core.Tests.Packing;

public sealed class SnapshotBuilderTests
{
    private static readonly DateTimeOffset s_now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Build_CarriesTheClusterState_AndTheInputs()
    {
        var cluster = new TestClusterState(Node("n1", "default", cpu: "4"));
        cluster.ProvisionerList.AddRange([new Provisioner { Name = "default" }, new Provisioner { Name = "gpu", Kubelet = new KubeletSettings { MaxPods = 20 } }]);
        cluster.Pending.Add(PackerTestKit.Pod("a"));
        var ownTypes = PackerTestKit.GeneralPurpose();
        var gpuTypes = new[] { FakeInstanceTypes.Create("g.xlarge", "4", "16Gi", 20, FakeInstanceTypes.OnDemand(1.0)) };
        var daemonSet = PackerTestKit.Pod("logging");
        var labels = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["default"] = new Dictionary<string, string> { ["team"] = "a" } };
        var options = PackingOptions.Default with { MaxInstanceTypes = 7 };

        var snapshot = SnapshotBuilder.Build(cluster, new SnapshotInputs
        {
            Now = s_now,
            InstanceTypesFor = p => p.Name == "gpu" ? gpuTypes : ownTypes,
            DefaultInstanceTypes = ownTypes,
            DaemonSets = [daemonSet],
            NamespaceLabels = labels,
            Options = options,
        });

        Assert.Equal(s_now, snapshot.Now);
        Assert.Equal(["default/a"], snapshot.PendingPods.Select(p => p.Key));
        Assert.Equal(["n1"], snapshot.Nodes.Select(n => n.Name));
        Assert.Equal(["default", "gpu"], snapshot.Provisioners.Select(p => p.Provisioner.Name));
        Assert.Same(ownTypes, snapshot.Provisioners[0].InstanceTypes);
        Assert.Same(gpuTypes, snapshot.Provisioners[1].InstanceTypes);
        Assert.Same(ownTypes, snapshot.InstanceTypes);
        Assert.Equal([daemonSet], snapshot.DaemonSets);
        Assert.Same(labels, snapshot.NamespaceLabels);
        Assert.Equal(7, snapshot.Options.MaxInstanceTypes);
    }

    [Fact]
    public void Build_UsageIsTheCapacityOfTheNodesEachProvisionerOwns_InFlightIncluded()
    {
        var cluster = new TestClusterState(
            Node("a1", "a", cpu: "4"),
            Node("a2", "a", cpu: "8") with { InFlight = true },
            Node("b1", "b", cpu: "2"),
            Node("other", provisioner: null, cpu: "96"));
        cluster.ProvisionerList.AddRange([new Provisioner { Name = "a" }, new Provisioner { Name = "b" }, new Provisioner { Name = "c" }]);

        var snapshot = SnapshotBuilder.Build(cluster, Inputs());

        var usage = snapshot.Provisioners.ToDictionary(p => p.Provisioner.Name, p => p.Usage);
        Assert.Equal(ResourceList.Of("cpu", "12", "memory", "32Gi", "pods", "220"), usage["a"]);
        Assert.Equal(ResourceList.Of("cpu", "2", "memory", "16Gi", "pods", "110"), usage["b"]);
        Assert.Equal(ResourceList.Empty, usage["c"]);
    }

    [Fact]
    public void Build_UsageCountsAgainstTheLimits_WhenPlanned()
    {
        var limited = new Provisioner { Name = "default", Limits = ResourceList.Of("cpu", "10") };
        var empty = new TestClusterState();
        empty.ProvisionerList.Add(limited);
        empty.Pending.Add(PackerTestKit.Pod("a", cpu: "3"));
        var full = new TestClusterState(Node("n1", "default", cpu: "8") with { Pods = [PackerTestKit.Pod("busy", cpu: "8")] });
        full.ProvisionerList.Add(limited);
        full.Pending.Add(PackerTestKit.Pod("a", cpu: "3"));

        var withRoom = Packer.Solve(SnapshotBuilder.Build(empty, Inputs()));
        var atLimit = Packer.Solve(SnapshotBuilder.Build(full, Inputs()));

        Assert.Single(withRoom.NodeClaims);
        Assert.Empty(atLimit.NodeClaims);
        Assert.Equal("default/a", Assert.Single(atLimit.Unschedulable).Pod.Key);
    }

    [Fact]
    public void Build_WithTheLedger_PutsHeldPodsOnTheirNodes_AndNotPending()
    {
        var cluster = new TestClusterState(Node("n1", "default", cpu: "4"), Node("n2", "default", cpu: "4"));
        var held = PackerTestKit.Pod("held");
        var bound = PackerTestKit.Pod("bound");
        var free = PackerTestKit.Pod("free");
        cluster.Pending.AddRange([held, bound, free]);
        var ledger = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        ledger.TryReserve(cluster, "n1", "default", "held", held.Uid, held.Requests);
        ledger.TryReserve(cluster, "n2", "default", "bound", bound.Uid, bound.Requests);
        ledger.Commit("n2", "default", "bound", bound.Uid, bound.Requests);

        var snapshot = SnapshotBuilder.Build(cluster, Inputs() with { Ledger = ledger });
        var plain = SnapshotBuilder.Build(cluster, Inputs());

        Assert.Equal(["default/free"], snapshot.PendingPods.Select(p => p.Key));
        Assert.Same(held, Assert.Single(snapshot.Nodes.Single(n => n.Name == "n1").Pods));
        Assert.Same(bound, Assert.Single(snapshot.Nodes.Single(n => n.Name == "n2").Pods));
        Assert.Equal(3, plain.PendingPods.Count);
        Assert.All(plain.Nodes, n => Assert.Empty(n.Pods));
    }

    [Fact]
    public void Build_WithTheLedger_AnEntryForAPodTheStateNoLongerKnows_CountsItsRequests()
    {
        var cluster = new TestClusterState(Node("n1", "default", cpu: "4"));
        var ledger = new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2));
        ledger.TryReserve(cluster, "n1", "web", "gone", "uid-gone", ResourceList.Of("cpu", "3"));

        var snapshot = SnapshotBuilder.Build(cluster, Inputs() with { Ledger = ledger });

        var pod = Assert.Single(snapshot.Nodes[0].Pods);
        Assert.Equal(("web/gone", "uid-gone"), (pod.Key, pod.Uid));
        Assert.Equal(ResourceList.Of("cpu", "3"), pod.Requests);
    }

    private static SnapshotInputs Inputs()
    {
        var types = PackerTestKit.GeneralPurpose();
        return new SnapshotInputs { Now = s_now, InstanceTypesFor = _ => types, DefaultInstanceTypes = types };
    }

    private static NodeView Node(string name, string? provisioner, string cpu) => new()
    {
        Name = name,
        Labels = provisioner is null
            ? new Dictionary<string, string> { [Labels.Hostname] = name }
            : new Dictionary<string, string> { [Labels.Hostname] = name, [Labels.ProvisionerName] = provisioner },
        Capacity = ResourceList.Of("cpu", cpu, "memory", "16Gi", "pods", "110"),
        Allocatable = ResourceList.Of("cpu", cpu, "memory", "15Gi", "pods", "110"),
    };
}
