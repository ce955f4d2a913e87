using System.Net;
using System.Text.Json.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Kubernetes.Cluster;
using Capstan.Sandbox.Kubernetes;
using Capstan.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Kubernetes.Tests.Cluster;

/// <summary>
/// The writer's node, pod, provisioner-status and event calls, and its retry policy, through the real KubernetesClient
/// against <see cref="FakeApiServer"/>.
/// </summary>
public sealed class KubernetesClusterWriterPatchTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeApiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CreateNodeAsync_CarriesLabelsTaintsProviderIdCapacityAllocatableAndFinalizers()
    {
        var node = new NodeView
        {
            Name = "ip-10-0-1-7.ec2.internal",
            Labels = new Dictionary<string, string> { [Labels.ProvisionerName] = "default", [Labels.InstanceType] = "c6a.2xlarge" },
            Taints = [new Taint("dedicated", "gpu", TaintEffect.NoSchedule), new Taint("node.kubernetes.io/not-ready", "", TaintEffect.NoExecute)],
            ProviderId = "aws:///us-east-1b/i-0abc",
            Capacity = ResourceList.Of("cpu", "8", "memory", "16Gi", "pods", "58"),
            Allocatable = ResourceList.Of("cpu", "7910m", "memory", "14Gi", "pods", "58"),
            Finalizers = [Finalizers.Termination],
        };

        await Sut().CreateNodeAsync(node, CancellationToken.None);

        var created = _server.FindNode("ip-10-0-1-7.ec2.internal")!;
        Assert.Equal("c6a.2xlarge", (string?)created["metadata"]!["labels"]![Labels.InstanceType]);
        Assert.Equal(["karpenter.sh/termination"], Strings(created["metadata"]!["finalizers"]));
        Assert.Equal("aws:///us-east-1b/i-0abc", (string?)created["spec"]!["providerID"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"key":"dedicated","value":"gpu","effect":"NoSchedule"},{"key":"node.kubernetes.io/not-ready","effect":"NoExecute"}]"""),
            created["spec"]!["taints"]), created["spec"]!["taints"]!.ToJsonString());
        Assert.Equal("8", (string?)created["status"]!["capacity"]!["cpu"]);
        Assert.Equal("7910m", (string?)created["status"]!["allocatable"]!["cpu"]);
        Assert.Equal("14Gi", (string?)created["status"]!["allocatable"]!["memory"]);
    }

    [Fact]
    public async Task CreateNodeAsync_AnswerLostAfterTheCreate_IsCheckedNotRepeated()
    {
        _server.InjectFault("POST", "/api/v1/nodes", HttpStatusCode.InternalServerError, mode: FaultMode.AfterApplying);

        await Sut().CreateNodeAsync(new NodeView { Name = "n1", Labels = new Dictionary<string, string> { ["a"] = "1" } }, CancellationToken.None);

        Assert.NotNull(_server.FindNode("n1"));
        Assert.Equal(2, _server.Requests.Count(r => r.Method == "POST" && r.Path == "/api/v1/nodes"));
    }

    [Fact]
    public async Task Finalizers_DeleteWaitsForThem_RemovingTheLastDeletesTheNode()
    {
        _server.AddNode("n1");
        var sut = Sut();

        Assert.True(await sut.AddNodeFinalizerAsync("n1", Finalizers.Termination, CancellationToken.None));
        Assert.True(await sut.AddNodeFinalizerAsync("n1", Finalizers.Termination, CancellationToken.None));
        await sut.DeleteNodeAsync("n1", CancellationToken.None);

        var marked = _server.FindNode("n1")!;
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        Assert.Equal(["karpenter.sh/termination"], Strings(marked["metadata"]!["finalizers"]));
        await Assert.ThrowsAsync<HttpOperationException>(() => sut.AddNodeFinalizerAsync("n1", "example.com/other", CancellationToken.None));

        Assert.True(await sut.RemoveNodeFinalizerAsync("n1", Finalizers.Termination, CancellationToken.None));

        Assert.Null(_server.FindNode("n1"));
        Assert.True(await sut.RemoveNodeFinalizerAsync("n1", Finalizers.Termination, CancellationToken.None));
        Assert.False(await sut.AddNodeFinalizerAsync("n1", Finalizers.Termination, CancellationToken.None));
        Assert.All(_server.Requests.Where(r => r.Method == "PATCH"), r => Assert.Equal("application/merge-patch+json", r.ContentType?.Split(';')[0]));
    }

    [Fact]
    public async Task ListChanges_SendTheResourceVersionRead_AndAConflictIsReadAgainAndRetried()
    {
        _server.AddNode("n1");
        _server.InjectFault("PATCH", "/api/v1/nodes/n1", HttpStatusCode.Conflict);

        Assert.True(await Sut().AddNodeFinalizerAsync("n1", Finalizers.Termination, CancellationToken.None));

        Assert.Equal(["karpenter.sh/termination"], Strings(_server.FindNode("n1")!["metadata"]!["finalizers"]));
        Assert.Equal(["GET", "PATCH", "GET", "PATCH"], _server.Requests.Select(r => r.Method));
        var patch = JsonNode.Parse(_server.Requests[^1].Body)!;
        Assert.NotNull((string?)patch["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task FakeApiServer_StalePrecondition_AnswersConflict_AsTheApiServerDoes()
    {
        _server.AddNode("n1");
        var client = Client();
        var stale = (await client.CoreV1.ReadNodeAsync("n1")).Metadata.ResourceVersion;
        await Sut().SetNodeLabelsAsync("n1", new Dictionary<string, string?> { ["moved"] = "on" }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNodeAsync(
            new V1Patch("{\"metadata\":{\"resourceVersion\":\"" + stale + "\",\"labels\":{\"x\":\"y\"}}}", V1Patch.PatchType.MergePatch), "n1"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Contains("the object has been modified", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelsAndAnnotations_AreSetAndRemoved_OthersKept()
    {
        _server.UpsertNode(new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "n1", ["labels"] = new JsonObject { ["keep"] = "me", ["drop"] = "me" } },
        });
        var sut = Sut();

        Assert.True(await sut.SetNodeLabelsAsync("n1", new Dictionary<string, string?> { ["karpenter.sh/initialized"] = "true", ["drop"] = null }, CancellationToken.None));
        Assert.True(await sut.SetNodeAnnotationsAsync("n1", new Dictionary<string, string?> { ["karpenter.sh/do-not-consolidate"] = "true" }, CancellationToken.None));
        Assert.False(await sut.SetNodeLabelsAsync("missing", new Dictionary<string, string?> { ["a"] = "b" }, CancellationToken.None));

        var metadata = _server.FindNode("n1")!["metadata"]!;
        Assert.Equal("""{"keep":"me","karpenter.sh/initialized":"true"}""", metadata["labels"]!.ToJsonString());
        Assert.Equal("true", (string?)metadata["annotations"]!["karpenter.sh/do-not-consolidate"]);
    }

    [Fact]
    public async Task Taints_AddReplacesTheSameKeyAndEffect_RemoveLeavesTheOthers()
    {
        _server.UpsertNode(new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "n1" },
            ["spec"] = new JsonObject { ["taints"] = new JsonArray(new JsonObject { ["key"] = "node.cilium.io/agent-not-ready", ["effect"] = "NoSchedule" }) },
        });
        var sut = Sut();

        Assert.True(await sut.AddNodeTaintAsync("n1", new Taint("karpenter.sh/disruption", "draining", TaintEffect.NoSchedule), CancellationToken.None));
        Assert.True(await sut.AddNodeTaintAsync("n1", new Taint("karpenter.sh/disruption", "deleting", TaintEffect.NoSchedule), CancellationToken.None));
        Assert.True(await sut.RemoveNodeTaintAsync("n1", "node.cilium.io/agent-not-ready", TaintEffect.NoSchedule, CancellationToken.None));
        Assert.True(await sut.RemoveNodeTaintAsync("n1", "absent", TaintEffect.NoExecute, CancellationToken.None));

        Assert.Equal("""[{"key":"karpenter.sh/disruption","value":"deleting","effect":"NoSchedule"}]""", _server.FindNode("n1")!["spec"]!["taints"]!.ToJsonString());
    }

    [Fact]
    public async Task Uncordon_UndoesCordon()
    {
        _server.AddNode("n1");
        var sut = Sut();
        await sut.CordonAsync("n1", CancellationToken.None);
        Assert.True((bool?)_server.FindNode("n1")!["spec"]!["unschedulable"]);

        Assert.True(await sut.UncordonAsync("n1", CancellationToken.None));

        Assert.Null(_server.FindNode("n1")!["spec"]!["unschedulable"]);
        Assert.False(await sut.UncordonAsync("missing", CancellationToken.None));
    }

    [Fact]
    public async Task DeletePodAsync_DeletesThePod_AndAGonePodIsDone()
    {
        _server.AddPod("apps", "web", "uid-web", "n1");
        _server.ConfirmPodDeletions = true; // the pod is bound: its kubelet confirms the graceful deletion
        var sut = Sut();

        await sut.DeletePodAsync("apps", "web", CancellationToken.None);
        await sut.DeletePodAsync("apps", "web", CancellationToken.None);

        Assert.False(_server.HasPod("apps", "web"));
        Assert.Equal(2, _server.Requests.Count(r => r.Method == "DELETE" && r.Path == "/api/v1/namespaces/apps/pods/web"));
    }

    [Fact]
    public async Task PatchProvisionerStatusAsync_WritesStatusResourcesThroughTheSubresource_ReplacingTheMap()
    {
        _server.UpsertProvisioner(new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "default" },
            ["spec"] = new JsonObject { ["limits"] = new JsonObject { ["resources"] = new JsonObject { ["cpu"] = "1000" } } },
        });
        var sut = Sut();

        Assert.True(await sut.PatchProvisionerStatusAsync("default", ResourceList.Of("cpu", "16", "memory", "32Gi", "nvidia.com/gpu", "1"), CancellationToken.None));
        Assert.True(await sut.PatchProvisionerStatusAsync("default", ResourceList.Of("cpu", "8", "memory", "16Gi"), CancellationToken.None));
        Assert.False(await sut.PatchProvisionerStatusAsync("gone", ResourceList.Of("cpu", "1"), CancellationToken.None));

        var provisioner = _server.FindProvisioner("default")!;
        Assert.Equal("""{"cpu":"8","memory":"16Gi"}""", provisioner["status"]!["resources"]!.ToJsonString());
        Assert.Equal("1000", (string?)provisioner["spec"]!["limits"]!["resources"]!["cpu"]);
        var patches = _server.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.All(patches, r => Assert.Equal("/apis/karpenter.sh/v1alpha5/provisioners/" + (r.Path.Contains("gone", StringComparison.Ordinal) ? "gone" : "default") + "/status", r.Path));
        Assert.All(patches, r => Assert.Equal("application/merge-patch+json", r.ContentType?.Split(';')[0]));
    }

    [Fact]
    public async Task FakeApiServer_StatusSubresource_IgnoresSpec_AndTheMainResourceIgnoresStatus()
    {
        _server.UpsertProvisioner(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" }, ["spec"] = new JsonObject { ["weight"] = 1 } });
        var client = Client();

        await client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch("""{"spec":{"weight":9},"status":{"resources":{"cpu":"2"}}}""", V1Patch.PatchType.MergePatch), "karpenter.sh", "v1alpha5", "provisioners", "default");
        await client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"weight":5},"status":{"resources":{"cpu":"99"}}}""", V1Patch.PatchType.MergePatch), "karpenter.sh", "v1alpha5", "provisioners", "default");
        var strategic = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch("""{"status":{}}""", V1Patch.PatchType.StrategicMergePatch), "karpenter.sh", "v1alpha5", "provisioners", "default"));

        var provisioner = _server.FindProvisioner("default")!;
        Assert.Equal(5, (int?)provisioner["spec"]!["weight"]);
        Assert.Equal("2", (string?)provisioner["status"]!["resources"]!["cpu"]);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, strategic.Response.StatusCode);
    }

    [Fact]
    public async Task RecordEventAsync_CreatesCoreEventsOnPodsAndNodes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var sut = Sut(time: time);
        _server.UpsertNamespace(KubeObjects.Namespace("apps")); // an Event goes into an existing namespace only

        await sut.RecordEventAsync(new ClusterEvent
        {
            Kind = EventObjectKind.Pod,
            Namespace = "apps",
            Name = "web-1",
            Uid = "uid-web-1",
            Reason = "Nominated",
            Message = "Pod should schedule on ip-10-0-1-7.ec2.internal",
        }, CancellationToken.None);
        await sut.RecordEventAsync(new ClusterEvent
        {
            Kind = EventObjectKind.Node,
            Name = "ip-10-0-1-7.ec2.internal",
            Reason = "FailedDraining",
            Message = "Failed to drain node",
            Type = ClusterEventType.Warning,
        }, CancellationToken.None);
        await sut.RecordEventAsync(new ClusterEvent
        {
            Kind = EventObjectKind.Node,
            Name = "ip-10-0-1-7.ec2.internal",
            Reason = "FailedDraining",
            Message = "Failed to drain node",
            Type = ClusterEventType.Warning,
        }, CancellationToken.None);

        var events = _server.Events;
        Assert.Equal(3, events.Count);
        var pod = Assert.Single(events.Values, e => (string?)e["metadata"]!["namespace"] == "apps");
        Assert.Equal("Pod", (string?)pod["involvedObject"]!["kind"]);
        Assert.Equal("web-1", (string?)pod["involvedObject"]!["name"]);
        Assert.Equal("apps", (string?)pod["involvedObject"]!["namespace"]);
        Assert.Equal("uid-web-1", (string?)pod["involvedObject"]!["uid"]);
        Assert.Equal("Nominated", (string?)pod["reason"]);
        Assert.Equal("Normal", (string?)pod["type"]);
        Assert.Equal("capstan", (string?)pod["source"]!["component"]);
        Assert.StartsWith("web-1.", (string?)pod["metadata"]!["name"], StringComparison.Ordinal);
        var nodes = events.Values.Where(e => (string?)e["involvedObject"]!["kind"] == "Node").ToList();
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, e => Assert.Equal("default", (string?)e["metadata"]!["namespace"]));
        Assert.All(nodes, e => Assert.Equal("Warning", (string?)e["type"]));
        Assert.Null(nodes[0]["involvedObject"]!["namespace"]);
    }

    [Fact]
    public async Task Throttled_WaitsTheRetryAfterTheServerSent()
    {
        _server.AddNode("n1");
        _server.InjectFault("PATCH", "/api/v1/nodes/n1", HttpStatusCode.TooManyRequests, retryAfterSeconds: 7);
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));

        var labelling = Sut(time: time).SetNodeLabelsAsync("n1", new Dictionary<string, string?> { ["a"] = "b" }, CancellationToken.None);
        await WaitUntilAsync(() => Patches() == 1 && time.GetUtcNow() == time.Start && !labelling.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(6));
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        Assert.Equal(1, Patches());
        Assert.False(labelling.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await labelling);
        Assert.Equal(2, Patches());
        Assert.Equal("b", (string?)_server.FindNode("n1")!["metadata"]!["labels"]!["a"]);
    }

    [Fact]
    public async Task ServerErrorsAndTimeouts_AreRetried_UntilTheCallGoesThrough()
    {
        _server.AddNode("n1");
        _server.InjectFault("PATCH", "/api/v1/nodes/n1", HttpStatusCode.InternalServerError);
        _server.InjectFault("PATCH", "/api/v1/nodes/n1", HttpStatusCode.ServiceUnavailable);
        _server.InjectFault("PATCH", "/api/v1/nodes/n1", HttpStatusCode.OK, mode: FaultMode.Hang);
        var options = Fast();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var sut = Sut(options);

        Assert.True(await sut.UncordonAsync("n1", CancellationToken.None));

        Assert.Equal(4, Patches());
    }

    [Fact]
    public async Task EvictAsync_ThrottledWithRetryAfter_IsRetried_ButABudgetRefusalIsAnAnswer()
    {
        _server.AddPod("apps", "a", "uid-a", "n1");
        _server.AddPod("apps", "b", "uid-b", "n1");
        _server.BlockEviction("apps", "b");
        _server.InjectFault("POST", "/api/v1/namespaces/apps/pods/a/eviction", HttpStatusCode.TooManyRequests, retryAfterSeconds: 0);
        var sut = Sut();

        Assert.True(await sut.EvictAsync("apps", "a", CancellationToken.None));
        Assert.False(await sut.EvictAsync("apps", "b", CancellationToken.None));

        Assert.NotNull(_server.FindPod("apps", "a")!["metadata"]!["deletionTimestamp"]);
        Assert.Equal(2, _server.Requests.Count(r => r.Path == "/api/v1/namespaces/apps/pods/a/eviction"));
        Assert.Equal(1, _server.Requests.Count(r => r.Path == "/api/v1/namespaces/apps/pods/b/eviction"));
    }

    private static KubernetesWriterOptions Fast() => new() { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    private int Patches() => _server.Requests.Count(r => r.Method == "PATCH");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        Assert.True(condition());
        // Let the writer reach its wait before the clock moves.
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
    }

    private static string[] Strings(JsonNode? array) => [.. ((JsonArray)array!).Select(n => n!.GetValue<string>())];

    private k8s.Kubernetes Client() => new(new KubernetesClientConfiguration { Host = _server.BaseAddress.ToString() });

    private KubernetesClusterWriter Sut(KubernetesWriterOptions? options = null, TimeProvider? time = null) =>
        new(Client(), options ?? Fast(), time ?? TimeProvider.System, NullLogger<KubernetesClusterWriter>.Instance);
}
