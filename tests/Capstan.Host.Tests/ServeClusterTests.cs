using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Capstan.Core.Ports;
using Capstan.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Host.Tests;

/// <summary><c>capstan serve</c> against <see cref="FakeApiServer"/> through a kubeconfig: cache, readiness, extender, binding.</summary>
public sealed class ServeClusterTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private readonly TestCertificates _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());
    private FakeApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _certs.WritePem(_dir.Path);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose()
    {
        _certs.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Serve_WithKubeconfig_ServesTheExtenderFromTheClusterCacheAndBindsThroughTheApiServer()
    {
        _api.UpsertNode(KubeObjects.Node("full", cpu: "2"));
        _api.UpsertPod(KubeObjects.Pod("apps", "hog", nodeName: "full", cpu: "2", phase: "Running"));
        _api.UpsertNode(KubeObjects.Node("roomy", cpu: "4"));
        _api.UpsertPod(KubeObjects.Pod("default", "web-0", uid: "uid-default-web-0", cpu: "1"));
        _api.FailLists("/api/v1/pods", HttpStatusCode.InternalServerError);
        var kubeconfig = _api.WriteKubeconfig(_dir);

        await using var app = CapstanApp.Build(
        [
            "--Capstan:Server:Listen=https://127.0.0.1:0",
            $"--Capstan:Tls:CertFile={Path.Combine(_dir.Path, "tls.crt")}",
            $"--Capstan:Tls:KeyFile={Path.Combine(_dir.Path, "tls.key")}",
            $"--Capstan:Kubernetes:Kubeconfig={kubeconfig}",
            HostTests.ClusterName,
        ], HostTests.Quiet);
        await app.StartAsync().WaitAsync(s_timeout);
        using var client = _certs.CreateClient(CapstanApp.Addresses(app)[0]);

        using (var notReady = await client.GetAsync("/readyz").WaitAsync(s_timeout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        }

        _api.FailLists("/api/v1/pods", null);
        await Until(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz answers 200");
        Assert.NotNull(app.Services.GetRequiredService<IClusterState>().FindPod("default", "web-0"));

        const string Pod = """{"metadata":{"name":"web-0","namespace":"default","uid":"uid-default-web-0"},"spec":{"containers":[{"name":"app","resources":{"requests":{"cpu":"1"}}}]}}""";
        using var filter = await client.PostAsync("/extender/filter",
            new StringContent($$"""{"Pod":{{Pod}},"Nodes":null,"NodeNames":["full","roomy"]}""", Encoding.UTF8, "application/json")).WaitAsync(s_timeout);
        var filtered = await filter.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, filter.StatusCode);
        Assert.Contains("\"NodeNames\":[\"roomy\"]", filtered, StringComparison.Ordinal);
        Assert.Contains("\"full\":", filtered, StringComparison.Ordinal);

        using var bind = await client.PostAsync("/extender/bind",
            new StringContent("""{"PodName":"web-0","PodNamespace":"default","PodUID":"uid-default-web-0","Node":"roomy"}""", Encoding.UTF8, "application/json")).WaitAsync(s_timeout);

        Assert.Equal(HttpStatusCode.OK, bind.StatusCode);
        Assert.Equal("""{"Error":""}""", await bind.Content.ReadAsStringAsync());
        Assert.Equal("roomy", _api.NodeOf("default", "web-0"));
        Assert.Contains(_api.Requests, r => r.Method == "POST" && r.Path == "/api/v1/namespaces/default/pods/web-0/binding");
        // The exporter's registry is process-wide: a cache of another host of this test run (a sandbox starting)
        // may report 0 in one scrape, so the gauge is read until it says this synced cache's 1.
        var metrics = "";
        await Until(async () => Regex.IsMatch(metrics = await client.GetStringAsync("/metrics"), """(?m)^capstan_clustercache_synced 1$"""),
            "the exporter shows the cache synced");
        Assert.Matches("""(?m)^capstan_clustercache_lists\{resource="nodes"\} [1-9]""", metrics);
        var cluster = app.Services.GetRequiredService<IClusterState>();
        await Until(() => Task.FromResult(cluster.NodeOf("default", "web-0") == "roomy"), "the cache sees the binding");
        await app.StopAsync().WaitAsync(s_timeout);
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(start) < s_timeout, $"timed out waiting until {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }
}
