using Capstan.Core.Cluster;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Kubernetes.Conversions;
using Capstan.Testing;
using k8s.Models;

namespace Capstan.Kubernetes.Tests.Conversions;

public sealed class NodeConversionsTests
{
    private static readonly DateTime s_created = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private static V1Node Node(bool ready = true, bool provisioned = true, bool initialized = true) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "ip-10-0-1-7",
            CreationTimestamp = s_created,
            Labels = provisioned
                ? initialized
                    ? new Dictionary<string, string> { [Labels.ProvisionerName] = "default", [Labels.InstanceType] = "m5.large", [Labels.Initialized] = "true" }
                    : new Dictionary<string, string> { [Labels.ProvisionerName] = "default", [Labels.InstanceType] = "m5.large" }
                : new Dictionary<string, string> { [Labels.InstanceType] = "m5.large" },
            Annotations = new Dictionary<string, string> { ["team"] = "a" },
        },
        Spec = new V1NodeSpec
        {
            ProviderID = "aws:///us-east-1a/i-0123",
            Taints = [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }],
        },
        Status = new V1NodeStatus
        {
            Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("8Gi"), ["pods"] = new("29") },
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1930m"), ["memory"] = new("7Gi"), ["pods"] = new("29") },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };

    [Fact]
    public void ToNodeView_ReadyNode_ConvertsEveryField()
    {
        var view = NodeConversions.ToNodeView(Node(), labels => labels[Labels.InstanceType] == "m5.large" ? 0.096 : null);

        Assert.Equal("ip-10-0-1-7", view.Name);
        Assert.Equal("default", view.ProvisionerName);
        Assert.Equal("a", view.Annotations["team"]);
        Assert.Equal(new Taint("dedicated", "gpu", TaintEffect.NoSchedule), Assert.Single(view.Taints));
        Assert.Equal(ResourceList.Of("cpu", "2", "memory", "8Gi", "pods", "29"), view.Capacity);
        Assert.Equal(ResourceList.Of("cpu", "1930m", "memory", "7Gi", "pods", "29"), view.Allocatable);
        Assert.Equal("aws:///us-east-1a/i-0123", view.ProviderId);
        Assert.Equal(new DateTimeOffset(s_created), view.CreatedAt);
        Assert.Equal(0.096, view.PricePerHour);
        Assert.False(view.InFlight);
        Assert.True(view.Ready);
        Assert.False(view.Unschedulable);
        Assert.False(view.MarkedForDeletion);
        Assert.False(view.DisruptionCandidate);
        Assert.Empty(view.Pods);
    }

    [Fact]
    public void ToNodeView_Finalizers_AreCarried()
    {
        var node = Node();
        Assert.Empty(NodeConversions.ToNodeView(node).Finalizers);

        node.Metadata.Finalizers = [Capstan.Core.Cluster.Finalizers.Termination];

        Assert.Equal([Capstan.Core.Cluster.Finalizers.Termination], NodeConversions.ToNodeView(node).Finalizers);
    }

    [Fact]
    public void ToNodeView_ProvisionedNodeNotYetInitialized_IsInFlight_ReadyOrNot()
    {
        Assert.True(NodeConversions.ToNodeView(Node(ready: false, initialized: false)).InFlight);
        Assert.True(NodeConversions.ToNodeView(Node(ready: true, initialized: false)).InFlight);
        var noConditions = Node(initialized: false);
        noConditions.Status.Conditions = null;
        var view = NodeConversions.ToNodeView(noConditions);
        Assert.True(view.InFlight);
        Assert.False(view.Ready);
    }

    [Fact]
    public void ToNodeView_InitializedNodeThatTurnsNotReady_IsNotInFlight()
    {
        // Regression: "in flight" once meant "provisioned and not Ready", so a registered node that died became a
        // target for bindings. Once initialized, a node is never in flight again.
        var view = NodeConversions.ToNodeView(Node(ready: false, initialized: true));

        Assert.False(view.InFlight);
        Assert.False(view.Ready);
    }

    [Fact]
    public void ToNodeView_NodeNotFromAProvisioner_IsNeverInFlight()
    {
        Assert.False(NodeConversions.ToNodeView(Node(ready: false, provisioned: false)).InFlight);
    }

    [Fact]
    public void ToNodeView_CordonedDeletingAndAnnotated_SetsTheFlags()
    {
        var node = Node();
        node.Spec.Unschedulable = true;
        node.Metadata.DeletionTimestamp = s_created.AddHours(1);
        node.Metadata.Annotations[Labels.DisruptionAnnotation] = "consolidation";

        var view = NodeConversions.ToNodeView(node);

        Assert.True(view.Unschedulable);
        Assert.True(view.MarkedForDeletion);
        Assert.True(view.DisruptionCandidate);
        Assert.Null(view.PricePerHour);
    }

    [Fact]
    public void ToNodeView_BareNode_HasEmptyDefaults()
    {
        var view = NodeConversions.ToNodeView(new V1Node { Metadata = new V1ObjectMeta { Name = "bare" } });

        Assert.Equal("bare", view.Name);
        Assert.Empty(view.Labels);
        Assert.Empty(view.Taints);
        Assert.True(view.Allocatable.IsEmpty);
        Assert.Null(view.ProviderId);
        Assert.Null(view.CreatedAt);
        Assert.False(view.InFlight);
    }

    [Fact]
    public void SameNode_HeartbeatOnlyChange_IsTheSame_LabelChangeIsNot()
    {
        var before = NodeConversions.ToNodeView(Node());
        var heartbeat = Node();
        heartbeat.Status.Conditions[0].LastHeartbeatTime = s_created.AddMinutes(1);
        var relabelled = Node();
        relabelled.Metadata.Labels["team"] = "b";

        Assert.True(NodeConversions.SameNode(before, NodeConversions.ToNodeView(heartbeat)));
        Assert.False(NodeConversions.SameNode(before, NodeConversions.ToNodeView(relabelled)));
        Assert.False(NodeConversions.SameNode(before, NodeConversions.ToNodeView(Node(ready: false))));
    }

    [Fact]
    public void SameNode_SeesAChangeOfEveryPropertyButThePods()
    {
        var baseline = ValueSamples.Build<NodeView>();

        foreach (var property in ValueSamples.StateProperties(typeof(NodeView)))
        {
            var changed = ValueSamples.Build<NodeView>(changed: property.Name);
            Assert.Equal(property.Name == nameof(NodeView.Pods), NodeConversions.SameNode(baseline, changed));
        }
    }
}
