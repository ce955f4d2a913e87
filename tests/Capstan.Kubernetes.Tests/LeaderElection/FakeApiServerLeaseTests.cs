using System.Net;
using System.Text.Json.Nodes;
using Capstan.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Capstan.Kubernetes.Tests.LeaderElection;

/// <summary>The Leases of <see cref="FakeApiServer"/> through the real KubernetesClient: the answers the API server gives.</summary>
public sealed class FakeApiServerLeaseTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _server.UpsertNamespace(KubeObjects.Namespace("capstan"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Read_Missing_Is404WithANotFoundStatus()
    {
        using var client = Client();
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReadNamespacedLeaseAsync("absent", "capstan"));

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
        var status = JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("NotFound", (string?)status["reason"]);
        Assert.Equal("leases.coordination.k8s.io \"absent\" not found", (string?)status["message"]);
    }

    [Fact]
    public async Task Create_SetsUidCreationTimestampAndVersion_AndIsReadBack()
    {
        using var client = Client();
        var before = _server.Revision;

        var created = await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("leader", "replica-a"), "capstan");

        Assert.Equal("capstan", created.Metadata.NamespaceProperty);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.True(long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > before);
        var read = await client.CoordinationV1.ReadNamespacedLeaseAsync("leader", "capstan");
        Assert.Equal("replica-a", read.Spec.HolderIdentity);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal("replica-a", (string?)_server.FindLease("capstan", "leader")!["spec"]!["holderIdentity"]);
        Assert.Equal(["POST", "GET"], _server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Create_Existing_Is409AlreadyExists()
    {
        using var client = Client();
        await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("leader", "replica-a"), "capstan");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("leader", "replica-b"), "capstan"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal("AlreadyExists", (string?)JsonNode.Parse(error.Response.Content)!["reason"]);
        Assert.Equal("replica-a", (string?)_server.FindLease("capstan", "leader")!["spec"]!["holderIdentity"]);
    }

    [Fact]
    public async Task Replace_WithTheCurrentVersion_BumpsIt_AndKeepsUidAndCreationTimestamp()
    {
        using var client = Client();
        var created = await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("leader", "replica-a"), "capstan");
        created.Spec.HolderIdentity = "replica-b";

        var replaced = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "leader", "capstan");

        Assert.Equal("replica-b", replaced.Spec.HolderIdentity);
        Assert.NotEqual(created.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);
        Assert.Equal(created.Metadata.Uid, replaced.Metadata.Uid);
        Assert.Equal(created.Metadata.CreationTimestamp, replaced.Metadata.CreationTimestamp);
    }

    [Fact]
    public async Task Replace_WithAStaleVersion_Is409Conflict_AndChangesNothing()
    {
        using var client = Client();
        var created = await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("leader", "replica-a"), "capstan");
        var stale = await client.CoordinationV1.ReadNamespacedLeaseAsync("leader", "capstan");
        created.Spec.LeaseTransitions = 5;
        await client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "leader", "capstan");
        stale.Spec.HolderIdentity = "replica-b";

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(stale, "leader", "capstan"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal("Conflict", (string?)JsonNode.Parse(error.Response.Content)!["reason"]);
        var spec = _server.FindLease("capstan", "leader")!["spec"]!;
        Assert.Equal("replica-a", (string?)spec["holderIdentity"]);
        Assert.Equal(5, (int?)spec["leaseTransitions"]);
    }

    [Fact]
    public async Task Replace_WithoutAVersion_IsRefused()
    {
        using var client = Client();
        await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("leader", "replica-a"), "capstan");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(Lease("leader", "replica-b"), "leader", "capstan"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("replica-a", (string?)_server.FindLease("capstan", "leader")!["spec"]!["holderIdentity"]);
    }

    [Fact]
    public async Task Delete_RemovesTheLease()
    {
        using var client = Client();
        await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("leader", "replica-a"), "capstan");

        await client.CoordinationV1.DeleteNamespacedLeaseAsync("leader", "capstan");

        Assert.Null(_server.FindLease("capstan", "leader"));
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.DeleteNamespacedLeaseAsync("leader", "capstan"));
        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    [Fact]
    public async Task InjectedFaults_ApplyToLeasePaths_AndAreRecorded_UntilCleared()
    {
        using var client = Client();
        _server.UpsertLease(new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "leader", ["namespace"] = "capstan" },
            ["spec"] = new JsonObject { ["holderIdentity"] = "replica-a" },
        });
        var path = FakeApiServer.LeasePath("capstan", "leader");
        _server.InjectFault("GET", path, HttpStatusCode.ServiceUnavailable, times: 5);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReadNamespacedLeaseAsync("leader", "capstan"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Response.StatusCode);
        Assert.Equal(4, _server.ClearLeaseFaults());

        var read = await client.CoordinationV1.ReadNamespacedLeaseAsync("leader", "capstan");
        Assert.Equal("replica-a", read.Spec.HolderIdentity);
        Assert.Equal([("GET", path), ("GET", path)], _server.Requests.Select(r => (r.Method, r.Path)));
    }

    private k8s.Kubernetes Client() => new(new KubernetesClientConfiguration { Host = _server.BaseAddress.ToString() });

    private static V1Lease Lease(string name, string holder) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1LeaseSpec { HolderIdentity = holder, LeaseDurationSeconds = 15 },
    };
}
