using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;
using Capstan.Testing;

namespace Capstan.Sandbox.Tests.Kubernetes;

/// <summary>
/// The API endpoint's storage rules over HTTPS, as a client sees them: the bearer token, strategic merge by list key,
/// label selectors, graceful pod deletion and finalizers, evictions against a PodDisruptionBudget, and 410 for a
/// watch from a version the history no longer holds.
/// </summary>
public sealed class ApiServerRulesTests : IAsyncLifetime, IDisposable
{
    private readonly TestCertificates _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());
    private ApiServer _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(new ObjectStore(TimeProvider.System), _certs.Server, "token");
        _client = _certs.CreateClient(_api.BaseAddress);
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "token");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    public void Dispose() => _certs.Dispose();

    private static StringContent Json(string body, string type = "application/json") => new(body, Encoding.UTF8, type);

    private async Task<JsonObject> CreatePodAsync(string name, string? node = null, string labels = """{"app":"web"}""")
    {
        var nodeName = node is null ? "" : $",\"nodeName\":\"{node}\"";
        using var response = await _client.PostAsync("/api/v1/namespaces/default/pods", Json(
            $$$"""{"metadata":{"name":"{{{name}}}","labels":{{{labels}}}},"spec":{"containers":[{"name":"app","image":"pause"}]{{{nodeName}}}}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task WithoutTheToken_Answers401_AsAStatus()
    {
        using var anonymous = _certs.CreateClient(_api.BaseAddress);
        using var response = await anonymous.GetAsync("/api/v1/pods");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Status", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["kind"]);
    }

    [Fact]
    public async Task StrategicMerge_MergesContainersByName_AndLabelSelectorsFilterLists()
    {
        await CreatePodAsync("web-0");
        await CreatePodAsync("db-0", labels: """{"app":"db"}""");
        using var patch = await _client.PatchAsync("/api/v1/namespaces/default/pods/web-0", Json(
            """{"spec":{"containers":[{"name":"sidecar","image":"envoy"}]}}""", Patches.Strategic));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var containers = JsonNode.Parse(await patch.Content.ReadAsStringAsync())!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["app", "sidecar"], containers.Select(c => (string?)c!["name"]));

        var list = JsonNode.Parse(await _client.GetStringAsync("/api/v1/pods?labelSelector=app%20in%20(web)"))!;
        Assert.Equal(["web-0"], list["items"]!.AsArray().Select(p => (string?)p!["metadata"]!["name"]));
    }

    [Fact]
    public async Task DeletingABoundPod_IsGraceful_AndFinalizersHoldAnUnboundOne()
    {
        await CreatePodAsync("bound", node: "node-a");
        using (await _client.DeleteAsync("/api/v1/namespaces/default/pods/bound"))
        {
        }

        Assert.NotNull(_api.Store.Get(ApiResources.Pods, "default", "bound")!["metadata"]!["deletionTimestamp"]);
        _api.Store.Delete(ApiResources.Pods, "default", "bound", gracePeriodSeconds: 0);
        Assert.Null(_api.Store.Get(ApiResources.Pods, "default", "bound"));

        await CreatePodAsync("held");
        using (await _client.PatchAsync("/api/v1/namespaces/default/pods/held", Json("""{"metadata":{"finalizers":["example.com/hold"]}}""", Patches.Merge)))
        {
        }

        using (await _client.DeleteAsync("/api/v1/namespaces/default/pods/held"))
        {
        }

        Assert.NotNull(_api.Store.Get(ApiResources.Pods, "default", "held")!["metadata"]!["deletionTimestamp"]);
        using (await _client.PatchAsync("/api/v1/namespaces/default/pods/held", Json("""[{"op":"remove","path":"/metadata/finalizers"}]""", Patches.Json)))
        {
        }

        Assert.Null(_api.Store.Get(ApiResources.Pods, "default", "held"));
    }

    [Fact]
    public async Task Eviction_ThatWouldBreakItsBudget_Answers429_AndOneThatKeepsItGoesThrough()
    {
        foreach (var name in new[] { "web-0", "web-1" })
        {
            await CreatePodAsync(name, node: "node-a");
            _api.Store.Update(ApiResources.Pods, "default", name, pod =>
            {
                pod["status"]!["phase"] = "Running";
                PodConditions.Set(pod, "Ready", "True", null, null, TimeProvider.System.GetUtcNow());
                return pod;
            }, internalWrite: true);
        }

        using (await _client.PostAsync("/apis/policy/v1/namespaces/default/poddisruptionbudgets", Json(
            """{"metadata":{"name":"web"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"}}}}""")))
        {
        }

        const string Eviction = """{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"NAME","namespace":"default"}}""";
        using var first = await _client.PostAsync("/api/v1/namespaces/default/pods/web-0/eviction", Json(Eviction.Replace("NAME", "web-0", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var second = await _client.PostAsync("/api/v1/namespaces/default/pods/web-1/eviction", Json(Eviction.Replace("NAME", "web-1", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("disruption budget", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_FromACompactedVersion_EndsWithA410ErrorEvent()
    {
        var created = await CreatePodAsync("web-0");
        var version = (string?)created["metadata"]!["resourceVersion"];
        await CreatePodAsync("web-1");
        _api.Store.Compact();
        var line = (await _client.GetStringAsync($"/api/v1/pods?watch=true&resourceVersion={version}")).Split('\n')[0];
        var error = JsonNode.Parse(line)!;
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int?)error["object"]!["code"]);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);
    }
}
