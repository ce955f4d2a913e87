using System.Net;
using System.Text.Json.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Kubernetes.Cluster;
using Capstan.Testing;
using k8s;
using k8s.Autorest;

namespace Capstan.Kubernetes.Tests.Cluster;

/// <summary>The real KubernetesClient against <see cref="FakeApiServer"/>.</summary>
public sealed class KubernetesClusterWriterTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    private KubernetesClusterWriter CreateSut() =>
        new(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.BaseAddress.ToString() }));

    [Fact]
    public async Task BindAsync_PendingPod_PostsBindingSubresource()
    {
        _server.AddPod("ml-team", "trainer", "uid-1");

        await CreateSut().BindAsync("ml-team", "trainer", "uid-1", "gpu-node-2", CancellationToken.None);

        Assert.Equal("gpu-node-2", _server.NodeOf("ml-team", "trainer"));
        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/v1/namespaces/ml-team/pods/trainer/binding", request.Path);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("Binding", (string?)body["kind"]);
        Assert.Equal("v1", (string?)body["apiVersion"]);
        Assert.Equal("trainer", (string?)body["metadata"]!["name"]);
        Assert.Equal("ml-team", (string?)body["metadata"]!["namespace"]);
        Assert.Equal("uid-1", (string?)body["metadata"]!["uid"]);
        Assert.Equal("Node", (string?)body["target"]!["kind"]);
        Assert.Equal("gpu-node-2", (string?)body["target"]!["name"]);
    }

    [Fact]
    public async Task BindAsync_AlreadyBoundToSameNode_Succeeds()
    {
        _server.AddPod("ml-team", "trainer", "uid-1", nodeName: "gpu-node-2");

        await CreateSut().BindAsync("ml-team", "trainer", "uid-1", "gpu-node-2", CancellationToken.None);

        Assert.Equal("gpu-node-2", _server.NodeOf("ml-team", "trainer"));
        Assert.Equal(["POST", "GET"], _server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task BindAsync_AlreadyBoundElsewhere_ThrowsConflictNamingTheNode()
    {
        _server.AddPod("ml-team", "trainer", "uid-1", nodeName: "gpu-node-1");

        var error = await Assert.ThrowsAsync<BindingConflictException>(
            () => CreateSut().BindAsync("ml-team", "trainer", "uid-1", "gpu-node-2", CancellationToken.None));

        Assert.Contains("already bound to node gpu-node-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BindAsync_MissingPod_ThrowsConflict()
    {
        var error = await Assert.ThrowsAsync<BindingConflictException>(
            () => CreateSut().BindAsync("ml-team", "gone", "uid-9", "gpu-node-2", CancellationToken.None));

        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BindAsync_ReplacedPod_ThrowsConflict()
    {
        _server.AddPod("ml-team", "trainer", "uid-new");

        var error = await Assert.ThrowsAsync<BindingConflictException>(
            () => CreateSut().BindAsync("ml-team", "trainer", "uid-old", "gpu-node-2", CancellationToken.None));

        Assert.Contains("replaced", error.Message, StringComparison.Ordinal);
        Assert.Null(_server.NodeOf("ml-team", "trainer"));
    }

    [Fact]
    public async Task BindAsync_ServerErrorEveryTime_GivesUpAfterTheAttempts()
    {
        _server.AddPod("ml-team", "trainer", "uid-1");
        _server.BindingFailure = HttpStatusCode.InternalServerError;
        var sut = new KubernetesClusterWriter(
            new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.BaseAddress.ToString() }),
            new KubernetesWriterOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) },
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<KubernetesClusterWriter>.Instance);

        var error = await Assert.ThrowsAsync<KubernetesWriteException>(
            () => sut.BindAsync("ml-team", "trainer", "uid-1", "gpu-node-2", CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, Assert.IsType<HttpOperationException>(error.InnerException).Response.StatusCode);
        Assert.Equal(3, _server.Requests.Count(r => r.Path.EndsWith("/binding", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task EvictAsync_BlockedByBudget_ReturnsFalse_OtherwiseRemovesPod()
    {
        _server.AddPod("apps", "a", "uid-a", "n1");
        _server.AddPod("apps", "b", "uid-b", "n1");
        _server.BlockEviction("apps", "b");
        var sut = CreateSut();

        Assert.True(await sut.EvictAsync("apps", "a", CancellationToken.None));
        Assert.False(await sut.EvictAsync("apps", "b", CancellationToken.None));
        Assert.True(await sut.EvictAsync("apps", "missing", CancellationToken.None));
        // A bound pod is deleted gracefully: it stays, terminating, until its kubelet confirms.
        Assert.NotNull(_server.FindPod("apps", "a")!["metadata"]!["deletionTimestamp"]);
        Assert.Null(_server.FindPod("apps", "b")!["metadata"]!["deletionTimestamp"]);
    }

    [Fact]
    public async Task CreateCordonDeleteNode_RoundTrip_IsIdempotent()
    {
        var sut = CreateSut();
        var node = new NodeView
        {
            Name = "n1",
            Labels = new Dictionary<string, string> { ["karpenter.sh/provisioner-name"] = "default" },
            ProviderId = "aws:///us-east-1a/i-0123",
            Allocatable = ResourceList.Of("cpu", "2", "memory", "4Gi"),
        };

        await sut.CreateNodeAsync(node, CancellationToken.None);
        await sut.CreateNodeAsync(node, CancellationToken.None);
        await sut.CordonAsync("n1", CancellationToken.None);
        var created = _server.FindNode("n1")!;
        Assert.Equal("default", (string?)created["metadata"]!["labels"]!["karpenter.sh/provisioner-name"]);
        Assert.Equal("aws:///us-east-1a/i-0123", (string?)created["spec"]!["providerID"]);
        Assert.True((bool?)created["spec"]!["unschedulable"]);

        await sut.DeleteNodeAsync("n1", CancellationToken.None);
        await sut.DeleteNodeAsync("n1", CancellationToken.None);
        Assert.Null(_server.FindNode("n1"));
    }
}
