using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;
using Capstan.Sandbox.Tests.Aws;
using Capstan.Sandbox.World;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Sandbox.Tests.World;

/// <summary>
/// The kubelets of Auto Scaling group instances: a running instance registers its own Node (EKS node group labels,
/// node-template labels and taints, NotReady until it boots), and a Node without finalizers is deleted shortly after
/// its instance terminates while one with Capstan's finalizer is left alone.
/// </summary>
public sealed class GroupKubeletsTests : IAsyncLifetime
{
    private static readonly SandboxNodeGroup s_group = new()
    {
        Name = "group2",
        MinSize = 0,
        MaxSize = 10,
        DesiredCapacity = 1,
        InstanceTypes = ["c5.xlarge"],
        CapacityType = "spot",
        Labels = new Dictionary<string, string> { ["role"] = "group2" },
        Taints = ["dedicated=group2:NoSchedule", "gpu:NoExecute"],
    };

    private AutoScalingHarness _h = null!;
    private ObjectStore _store = null!;
    private SandboxKubelets _kubelets = null!;

    public async Task InitializeAsync()
    {
        _h = await AutoScalingHarness.StartAsync();
        _store = new ObjectStore(_h.Time);
        _kubelets = new SandboxKubelets(_store, _h.Ec2StandIn, _h.Time, NullLogger<SandboxKubelets>.Instance)
        {
            BootTime = TimeSpan.FromSeconds(30),
            NodeDeletionDelay = TimeSpan.FromSeconds(10),
            AutoScaling = _h.AutoScaling,
        };
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public void RunningGroupInstance_RegistersANotReadyNode_WithGroupLabelsAndTaints_ThenTurnsReady()
    {
        _h.AddGroup("group2", 0, 1, 10, ["c5.xlarge"], "spot", s_group.GroupTags("sandbox"));
        _h.AutoScaling.Reconcile();
        _kubelets.Pass();
        Assert.Empty(Nodes());

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        _kubelets.Pass();
        var instance = Assert.Single(_h.Ec2StandIn.Instances);
        var node = Assert.Single(Nodes());
        Assert.Equal(instance.PrivateDnsName, ObjectStore.NameOf(node));
        Assert.Equal($"aws:///{instance.Zone}/{instance.InstanceId}", (string?)node["spec"]!["providerID"]);
        var labels = node["metadata"]!["labels"]!.AsObject().ToDictionary(l => l.Key, l => (string?)l.Value);
        Assert.Equal(instance.PrivateDnsName, labels["kubernetes.io/hostname"]);
        Assert.Equal("c5.xlarge", labels["node.kubernetes.io/instance-type"]);
        Assert.Equal(instance.Zone, labels["topology.kubernetes.io/zone"]);
        Assert.Equal("us-east-1", labels["topology.kubernetes.io/region"]);
        Assert.Equal(("amd64", "linux"), (labels["kubernetes.io/arch"], labels["kubernetes.io/os"]));
        Assert.Equal(("group2", "SPOT"), (labels["eks.amazonaws.com/nodegroup"], labels["eks.amazonaws.com/capacityType"]));
        Assert.Equal("group2", labels["role"]);
        Assert.False(labels.ContainsKey("karpenter.sh/provisioner-name"));
        Assert.Equal(["dedicated=group2:NoSchedule", "gpu:NoExecute", "node.kubernetes.io/not-ready:NoSchedule"], Taints(node).Order());
        Assert.Equal("False", PodConditions.StatusOf(node, "Ready"));
        Assert.Equal("4", (string?)node["status"]!["capacity"]!["cpu"]);
        Assert.Equal("58", (string?)node["status"]!["capacity"]!["pods"]);
        Assert.Equal("3920m", (string?)node["status"]!["allocatable"]!["cpu"]);
        Assert.Null(node["metadata"]!["finalizers"]);

        _h.Time.Advance(TimeSpan.FromSeconds(25));
        _kubelets.Pass();
        node = Assert.Single(Nodes());
        Assert.Equal("True", PodConditions.StatusOf(node, "Ready"));
        Assert.Equal(["dedicated=group2:NoSchedule", "gpu:NoExecute"], Taints(node).Order());
        Assert.Equal(instance.PrivateIpAddress, (string?)node["status"]!["addresses"]![0]!["address"]);

        // One Node per instance, however many rounds pass.
        _kubelets.Pass();
        Assert.Single(Nodes());
    }

    [Fact]
    public void NodeWithoutFinalizers_IsDeletedAfterItsInstanceTerminates_OneWithCapstansFinalizerStays()
    {
        _h.AddGroup("web", 0, 1, 2, ["t3.medium"]);
        _h.AutoScaling.Reconcile();
        _h.Time.Advance(TimeSpan.FromSeconds(35));
        _kubelets.Pass();
        var groupNode = ObjectStore.NameOf(Assert.Single(Nodes()));
        var groupInstance = Assert.Single(_h.Ec2StandIn.Instances).InstanceId;

        // A node Capstan launched: its own Node object, with Capstan's termination finalizer.
        var capstanInstance = _h.Ec2StandIn.AddInstance("t3.medium", "us-east-1a", "subnet-0a", "on-demand", new Dictionary<string, string>());
        _store.Create(ApiResources.Nodes, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = capstanInstance.PrivateDnsName, ["finalizers"] = new JsonArray("karpenter.sh/termination") },
            ["spec"] = new JsonObject { ["providerID"] = $"aws:///us-east-1a/{capstanInstance.InstanceId}" },
        });
        _h.Time.Advance(TimeSpan.FromSeconds(35));
        _kubelets.Pass();
        Assert.Equal(2, Nodes().Count);

        _h.Ec2StandIn.Terminate(groupInstance);
        _h.Ec2StandIn.Terminate(capstanInstance.InstanceId);
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        _kubelets.Pass();
        Assert.Equal(2, Nodes().Count);
        Assert.All(Nodes(), n => Assert.Equal("Unknown", PodConditions.StatusOf(n, "Ready")));

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        _kubelets.Pass();
        var left = Assert.Single(Nodes());
        Assert.Equal(capstanInstance.PrivateDnsName, ObjectStore.NameOf(left));
        Assert.Null(_store.Get(ApiResources.Nodes, null, groupNode));
    }

    [Fact]
    public async Task World_CreatesTheScenariosNodeGroups_WithDiscoveryAndNodeTemplateTags_AndTheirLaunchTemplates()
    {
        using var certificates = Capstan.Testing.TestCertificates.Create(_h.Time.GetUtcNow());
        var options = new SandboxWorldOptions
        {
            ClusterName = "capstan-sandbox",
            InstanceTypes = [AutoScalingHarness.Spec("t3.medium", 2, 4096), AutoScalingHarness.Spec("c5.xlarge", 4, 8192), AutoScalingHarness.Spec("c5a.xlarge", 4, 8192)],
            NodeGroups =
            [
                new SandboxNodeGroup { Name = "group1", MinSize = 1, MaxSize = 2, DesiredCapacity = 1, InstanceTypes = ["t3.medium"], Labels = new Dictionary<string, string> { ["role"] = "group1" } },
                s_group with { DesiredCapacity = 0, InstanceTypes = ["c5.xlarge", "c5a.xlarge"], Zones = ["us-east-1b"], Tags = new Dictionary<string, string> { ["team"] = "blue" } },
            ],
        };
        await using var world = await SandboxWorld.StartAsync(options, _h.Time, certificates.Server, NullLoggerFactory.Instance);

        var groups = world.AutoScaling.Groups;
        Assert.Equal(["group1", "group2"], groups.Select(g => g.Name));
        var tags = groups[1].Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("true", tags["k8s.io/cluster-autoscaler/enabled"]);
        Assert.Equal("owned", tags["k8s.io/cluster-autoscaler/capstan-sandbox"]);
        Assert.Equal("group2", tags["k8s.io/cluster-autoscaler/node-template/label/role"]);
        Assert.Equal("group2:NoSchedule", tags["k8s.io/cluster-autoscaler/node-template/taint/dedicated"]);
        Assert.Equal(":NoExecute", tags["k8s.io/cluster-autoscaler/node-template/taint/gpu"]);
        Assert.Equal("blue", tags["team"]);
        Assert.True(groups[1].Tags.Single(t => t.Key == "team").PropagateAtLaunch);
        Assert.Equal((1, 2, 1), (groups[0].MinSize, groups[0].MaxSize, groups[0].DesiredCapacity));
        Assert.Equal("t3.medium", world.Ec2.LaunchTemplates["eks-capstan-sandbox-group1"].Data["InstanceType"]);
        Assert.False(world.Ec2.LaunchTemplates["eks-capstan-sandbox-group2"].Data.ContainsKey("InstanceType"));

        world.AutoScaling.Reconcile();
        var instance = Assert.Single(world.Ec2.Instances);
        Assert.Equal(("t3.medium", "group1"), (instance.InstanceType, instance.Tags["aws:autoscaling:groupName"]));
        world.AutoScaling.Reconcile();
        Assert.Single(world.Ec2.Instances);
    }

    private List<JsonObject> Nodes() => [.. _store.List(ApiResources.Nodes).Items];

    private static List<string> Taints(JsonObject node) =>
        [.. (node["spec"]!["taints"] as JsonArray ?? []).Select(t => t!["value"] is { } v ? $"{t["key"]}={v}:{t["effect"]}" : $"{t["key"]}:{t["effect"]}")];
}
