using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;
using Capstan.Testing;

namespace Capstan.Sandbox.Tests.Kubernetes;

/// <summary>
/// What the endpoint can be told to do besides serving: plain HTTP without a token, request middleware, injected
/// faults (before or after the work), failing lists, refused evictions, withdrawn kinds, and watches ended, expired
/// or bookmarked on demand. Plus the storage rules that come with Leases, deleting objects and custom resources.
/// </summary>
public sealed class ApiServerSeamsTests : IAsyncLifetime, IDisposable
{
    private ApiServer _api = null!;
    private readonly List<HttpResponseMessage> _responses = [];
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(new ObjectStore(TimeProvider.System), new ApiServerOptions());
        _client = new HttpClient { BaseAddress = _api.BaseAddress };
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose()
    {
        foreach (var response in _responses)
        {
            response.Dispose();
        }

        _client.Dispose();
    }

    private static StringContent Json(string body, string type = "application/json") => new(body, Encoding.UTF8, type);

    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string? body = null, string type = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body, type) };
        using var response = await _client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task WithoutCertificateOrToken_ServesPlainHttp_ToAnyone_AndTheMiddlewareSeesEveryRequestFirst()
    {
        var seen = new List<string>();
        _api.Use(async (context, next) =>
        {
            lock (seen)
            {
                seen.Add(context.Request.Method + " " + context.Request.Path);
            }

            await next();
        });

        Assert.Equal("http", _api.BaseAddress.Scheme);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default"));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Get, "/api/v1/nodes/absent"));
        Assert.Equal(["GET /api/v1/namespaces/default", "GET /api/v1/nodes/absent"], seen);
        Assert.Contains("token: unchecked", _api.Kubeconfig("local", null), StringComparison.Ordinal);
        Assert.DoesNotContain("certificate-authority-data", _api.Kubeconfig("local", null), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InjectedFault_AnswersTheNextMatchingRequest_WithItsStatusAndRetryAfter_ThenHeals()
    {
        _api.Faults.Inject("GET", "/api/v1/nodes", 429, retryAfterSeconds: 4);

        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/v1/pods"));
        using (var throttled = await _client.GetAsync("/api/v1/nodes"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal("4", throttled.Headers.GetValues("Retry-After").Single());
            Assert.Equal("TooManyRequests", (string?)JsonNode.Parse(await throttled.Content.ReadAsStringAsync())!["reason"]);
        }

        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/v1/nodes"));
    }

    [Fact]
    public async Task FaultAfterApplying_DoesTheWork_ButAnswersTheFailure()
    {
        _api.Faults.Inject("POST", "/api/v1/nodes", 500, mode: FaultMode.AfterApplying);

        Assert.Equal(HttpStatusCode.InternalServerError, await SendAsync(HttpMethod.Post, "/api/v1/nodes", """{"metadata":{"name":"n1"}}"""));

        Assert.NotNull(_api.Store.Get(ApiResources.Nodes, null, "n1"));
        Assert.Equal(HttpStatusCode.Conflict, await SendAsync(HttpMethod.Post, "/api/v1/nodes", """{"metadata":{"name":"n1"}}"""));
    }

    [Fact]
    public async Task RandomWriteFaults_HitWritesOnly_FromTheirSeed()
    {
        _api.Faults.InjectRandomWriteFaults(seed: 5, probability: 1);

        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/v1/nodes"));
        var status = await SendAsync(HttpMethod.Post, "/api/v1/nodes", """{"metadata":{"name":"n1"}}""");
        _api.Faults.InjectRandomWriteFaults(seed: 0, probability: 0);

        Assert.Contains(status, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError });
        Assert.Equal(1, _api.Faults.RandomFaultsInjected);
        Assert.Equal(HttpStatusCode.Created, await SendAsync(HttpMethod.Post, "/api/v1/nodes", """{"metadata":{"name":"n2"}}"""));
    }

    [Fact]
    public async Task FailedLists_AndBindings_AnswerTheirStatus_UntilHealed()
    {
        _api.Store.Create(ApiResources.Pods, JsonNode.Parse("""{"metadata":{"name":"web","namespace":"default"},"spec":{"containers":[{"name":"app","image":"pause"}]}}""")!.AsObject());
        _api.Faults.FailLists("/api/v1/pods", 500);
        _api.Faults.BindingFailure = 503;

        Assert.Equal(HttpStatusCode.InternalServerError, await SendAsync(HttpMethod.Get, "/api/v1/pods"));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/pods/web"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/web/binding", """{"target":{"name":"n1"}}"""));

        _api.Faults.FailLists("/api/v1/pods", null);
        _api.Faults.BindingFailure = null;
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/v1/pods"));
        Assert.Equal(HttpStatusCode.Created, await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/web/binding", """{"target":{"name":"n1"}}"""));
    }

    [Fact]
    public async Task BlockedEviction_Answers429_WithoutRetryAfter_AsADisruptionBudgetDoes()
    {
        _api.Store.Create(ApiResources.Pods, JsonNode.Parse("""{"metadata":{"name":"web","namespace":"default"},"spec":{"containers":[{"name":"app","image":"pause"}]}}""")!.AsObject());
        _api.Faults.BlockEviction("default", "web");

        using var refused = await _client.PostAsync("/api/v1/namespaces/default/pods/web/eviction", Json("""{"metadata":{"name":"web"}}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Retry-After"));
        _api.Faults.BlockEviction("default", "web", blocked: false);
        Assert.Equal(HttpStatusCode.Created, await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/web/eviction", """{"metadata":{"name":"web"}}"""));
    }

    [Fact]
    public async Task WithdrawnKind_Is404_AndLeftOutOfDiscovery_UntilServedAgain()
    {
        _api.Serve(ApiResources.Provisioners, served: false);

        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Get, "/apis/karpenter.sh/v1alpha5/provisioners"));
        Assert.DoesNotContain("karpenter.sh", await _client.GetStringAsync("/apis"), StringComparison.Ordinal);
        Assert.Contains("karpenter.k8s.aws", await _client.GetStringAsync("/apis"), StringComparison.Ordinal);

        _api.Serve(ApiResources.Provisioners, served: true);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/apis/karpenter.sh/v1alpha5/provisioners"));
    }

    [Fact]
    public async Task OpenWatch_GetsBookmarksOnDemand_ThenA410WhenExpired()
    {
        using var reader = await WatchNodesAsync("allowWatchBookmarks=true");

        _api.Store.Create(ApiResources.Nodes, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "n1" } });
        _api.SendBookmarks();
        var added = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        var bookmark = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        _api.ExpireWatches();
        var error = JsonNode.Parse((await reader.ReadLineAsync())!)!;

        Assert.Equal("ADDED", (string?)added["type"]);
        Assert.Equal("BOOKMARK", (string?)bookmark["type"]);
        Assert.Equal(_api.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)bookmark["object"]!["metadata"]!["resourceVersion"]);
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int?)error["object"]!["code"]);
        Assert.Null(await reader.ReadLineAsync());
        await Poll.UntilAsync(() => _api.OpenWatches == 0, "the watch is closed");
    }

    [Fact]
    public async Task EndedWatch_EndsCleanly_AfterWhatWasQueued()
    {
        using var reader = await WatchNodesAsync("");

        _api.Store.Create(ApiResources.Nodes, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "n1" } });
        _api.EndWatches();

        Assert.Equal("ADDED", (string?)JsonNode.Parse((await reader.ReadLineAsync())!)!["type"]);
        Assert.Null(await reader.ReadLineAsync());
    }

    [Fact]
    public async Task Lease_ReplaceCreatesAMissingOne_ButAReplaceOfAnExistingOneNeedsItsVersion()
    {
        const string path = "/apis/coordination.k8s.io/v1/namespaces/default/leases/leader";
        Assert.Equal(HttpStatusCode.Created, await SendAsync(HttpMethod.Put, path, """{"metadata":{"name":"leader","resourceVersion":"7"},"spec":{"holderIdentity":"a"}}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, await SendAsync(HttpMethod.Put, path, """{"metadata":{"name":"leader"},"spec":{"holderIdentity":"b"}}"""));

        var version = (string?)_api.Store.Get(ApiResources.Leases, "default", "leader")!["metadata"]!["resourceVersion"];
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Put, path, $$$"""{"metadata":{"name":"leader","resourceVersion":"{{{version}}}"},"spec":{"holderIdentity":"b"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, await SendAsync(HttpMethod.Delete, path, $$$"""{"preconditions":{"resourceVersion":"{{{version}}}"}}"""));
        Assert.Equal("b", (string?)_api.Store.Get(ApiResources.Leases, "default", "leader")!["spec"]!["holderIdentity"]);
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Put, "/api/v1/nodes/absent", """{"metadata":{"name":"absent"}}"""));
    }

    [Fact]
    public async Task DeletingObject_TakesNoNewFinalizer_AndCustomResourcesTakeNoStrategicPatch()
    {
        _api.Store.Create(ApiResources.Nodes, JsonNode.Parse("""{"metadata":{"name":"n1","finalizers":["example.com/a"]}}""")!.AsObject());
        _api.Store.Delete(ApiResources.Nodes, null, "n1");
        _api.Store.Create(ApiResources.Provisioners, JsonNode.Parse("""{"metadata":{"name":"default"},"spec":{}}""")!.AsObject());

        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            await SendAsync(HttpMethod.Patch, "/api/v1/nodes/n1", """{"metadata":{"finalizers":["example.com/a","example.com/b"]}}""", Patches.Merge));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType,
            await SendAsync(HttpMethod.Patch, "/apis/karpenter.sh/v1alpha5/provisioners/default", """{"spec":{"weight":2}}""", Patches.Strategic));
        Assert.Equal(HttpStatusCode.OK,
            await SendAsync(HttpMethod.Patch, "/apis/karpenter.sh/v1alpha5/provisioners/default", """{"spec":{"weight":2}}""", Patches.Merge));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Patch, "/api/v1/nodes/n1", """{"metadata":{"finalizers":null}}""", Patches.Merge));
        Assert.Null(_api.Store.Get(ApiResources.Nodes, null, "n1"));
    }

    /// <summary>Opens a watch of nodes from now (with more of a query when given) and waits until the server streams it.</summary>
    private async Task<StreamReader> WatchNodesAsync(string query)
    {
        var response = await _client.GetAsync($"/api/v1/nodes?watch=true&{query}&resourceVersion={_api.Store.Revision}", HttpCompletionOption.ResponseHeadersRead);
        _responses.Add(response);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await Poll.UntilAsync(() => _api.OpenWatches == 1, "the watch is open");
        return reader;
    }
}
