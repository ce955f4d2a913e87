using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Kubernetes.Conversions;
using k8s;
using k8s.Models;

namespace Capstan.Kubernetes.Tests.Conversions;

/// <summary>Pod lifecycle views, DaemonSet templates and PodDisruptionBudgets from the API server's YAML.</summary>
public sealed class LifecycleConversionsTests
{
    [Fact]
    public void ToPodView_ReadsTheLifecycle_FromMetadataSpecAndStatus()
    {
        var pod = KubernetesYaml.Deserialize<V1Pod>("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-0
              namespace: shop
              creationTimestamp: "2024-03-01T10:00:00Z"
              deletionTimestamp: "2024-03-01T10:05:00Z"
              ownerReferences:
                - { apiVersion: v1, kind: Service, name: not-the-controller, uid: u1 }
                - { apiVersion: apps/v1, kind: StatefulSet, name: web, uid: u2, controller: true }
            spec:
              schedulerName: my-scheduler
              priority: 1000
              containers:
                - name: app
                  resources: { requests: { cpu: 500m } }
            status:
              phase: Pending
              nominatedNodeName: n7
              conditions:
                - { type: Ready, status: "False" }
                - { type: PodScheduled, status: "False", reason: Unschedulable, message: "0/3 nodes are available" }
            """);

        var view = PodConversions.ToPodView(pod, creationOrder: 42);

        Assert.Equal("shop/web-0", view.Key);
        Assert.Equal(ResourceList.Of("cpu", "500m", "pods", "1"), view.Request.Requests);
        Assert.Equal(42, view.Request.CreationOrder);
        Assert.Null(view.NodeName);
        Assert.False(view.IsBound);
        Assert.Equal("Pending", view.Phase);
        Assert.Equal("False", view.ScheduledStatus);
        Assert.Equal("Unschedulable", view.ScheduledReason);
        Assert.True(view.IsUnschedulable);
        Assert.Equal("my-scheduler", view.SchedulerName);
        Assert.Equal("StatefulSet", view.OwnerKind);
        Assert.Equal("web", view.OwnerName);
        Assert.Equal("n7", view.NominatedNodeName);
        Assert.Equal(1000, view.Priority);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 5, 0, TimeSpan.Zero), view.DeletionTimestamp);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), view.CreatedAt);
    }

    [Fact]
    public void ToPodView_BoundPodWithDefaults()
    {
        var pod = KubernetesYaml.Deserialize<V1Pod>("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: agent-x
              namespace: kube-system
              ownerReferences:
                - { apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u3, controller: true }
            spec:
              nodeName: n1
              containers: [ { name: app } ]
            status:
              phase: Running
              conditions:
                - { type: PodScheduled, status: "True" }
            """);

        var view = PodConversions.ToPodView(pod);

        Assert.Equal("n1", view.NodeName);
        Assert.True(view.IsBound);
        Assert.Equal("Running", view.Phase);
        Assert.Equal("True", view.ScheduledStatus);
        Assert.Null(view.ScheduledReason);
        Assert.False(view.IsUnschedulable);
        Assert.Equal(PodView.DefaultScheduler, view.SchedulerName);
        Assert.Equal("DaemonSet", view.OwnerKind);
        Assert.Null(view.NominatedNodeName);
        Assert.Null(view.DeletionTimestamp);
        Assert.Null(view.Priority);
    }

    [Fact]
    public void ToPodView_NoConditionYet_IsNotUnschedulable()
    {
        var view = PodConversions.ToPodView(new V1Pod { Metadata = new V1ObjectMeta { Name = "new" }, Spec = new V1PodSpec { Containers = [] } });

        Assert.Null(view.ScheduledStatus);
        Assert.False(view.IsUnschedulable);
        Assert.Null(view.OwnerKind);
        Assert.Equal("Pending", view.Phase);
    }

    [Fact]
    public void ToDaemonSetPod_IsTheTemplate_NamedAsTheDaemonSet()
    {
        var daemonSet = KubernetesYaml.Deserialize<V1DaemonSet>("""
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: { name: fluent-bit, namespace: logging, uid: ds-1 }
            spec:
              selector: { matchLabels: { app: fluent-bit } }
              template:
                metadata: { labels: { app: fluent-bit } }
                spec:
                  nodeSelector: { kubernetes.io/os: linux }
                  tolerations: [ { operator: Exists } ]
                  containers:
                    - name: agent
                      resources: { requests: { cpu: 100m, memory: 200Mi } }
            """);

        var pod = PodConversions.ToDaemonSetPod(daemonSet);

        Assert.Equal("logging/fluent-bit", pod.Key);
        Assert.Equal("ds-1", pod.Uid);
        Assert.Equal("fluent-bit", pod.Labels["app"]);
        Assert.Equal(ResourceList.Of("cpu", "100m", "memory", "200Mi", "pods", "1"), pod.Requests);
        Assert.Equal(Requirements.FromLabels(new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" }), pod.NodeSelector);
        Assert.Single(pod.Tolerations);
    }

    [Theory]
    [InlineData("minAvailable: 2", 2, false, null, false)]
    [InlineData("minAvailable: \"50%\"", 50, true, null, false)]
    [InlineData("maxUnavailable: 1", null, false, 1, false)]
    [InlineData("maxUnavailable: \"25%\"", null, false, 25, true)]
    public void ToDisruptionBudget_ReadsCountsAndPercentages(string field, int? min, bool minPercent, int? max, bool maxPercent)
    {
        var budget = KubernetesYaml.Deserialize<V1PodDisruptionBudget>($$"""
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: { name: web, namespace: shop }
            spec:
              {{field}}
              selector: { matchLabels: { app: web } }
            status: { disruptionsAllowed: 3, currentHealthy: 4, desiredHealthy: 1, expectedPods: 4 }
            """);

        var converted = DisruptionBudgetConversions.ToDisruptionBudget(budget);

        Assert.Equal("shop/web", converted.Key);
        Assert.Equal(min is { } m ? new IntOrPercent(m, minPercent) : null, converted.MinAvailable);
        Assert.Equal(max is { } x ? new IntOrPercent(x, maxPercent) : null, converted.MaxUnavailable);
        Assert.Equal(3, converted.DisruptionsAllowed);
        Assert.True(converted.Guards("shop", new Dictionary<string, string> { ["app"] = "web" }));
        Assert.False(converted.Guards("other", new Dictionary<string, string> { ["app"] = "web" }));
        Assert.False(converted.Guards("shop", new Dictionary<string, string> { ["app"] = "api" }));
    }

    [Fact]
    public void ToDisruptionBudget_WithoutSelector_GuardsNothing_EmptySelectorGuardsAll()
    {
        var none = DisruptionBudgetConversions.ToDisruptionBudget(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "none", NamespaceProperty = "shop" },
            Spec = new V1PodDisruptionBudgetSpec(),
        });
        var all = DisruptionBudgetConversions.ToDisruptionBudget(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "all", NamespaceProperty = "shop" },
            Spec = new V1PodDisruptionBudgetSpec { Selector = new V1LabelSelector() },
        });

        Assert.False(none.Guards("shop", new Dictionary<string, string> { ["app"] = "web" }));
        Assert.True(all.Guards("shop", new Dictionary<string, string> { ["app"] = "web" }));
        Assert.Equal(0, none.DisruptionsAllowed);
    }

    [Fact]
    public void IntOrPercent_ParsesAndResolves()
    {
        Assert.Equal(new IntOrPercent(30, true), IntOrPercent.Parse("30%"));
        Assert.Equal(2, IntOrPercent.Parse("30%").Of(5)); // 1.5 rounds up
        Assert.Equal(3, IntOrPercent.Parse("3").Of(10));
        Assert.Equal("30%", IntOrPercent.Parse("30%").ToString());
        Assert.Throws<FormatException>(() => IntOrPercent.Parse("x%"));
    }
}
