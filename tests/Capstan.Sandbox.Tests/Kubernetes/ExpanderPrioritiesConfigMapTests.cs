using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Capstan.Kubernetes.NodeGroups;
using Capstan.Sandbox.Kubernetes;
using Capstan.Testing;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Capstan.Sandbox.Tests.Kubernetes;

/// <summary>
/// Cluster Autoscaler's priority ConfigMap read with KubernetesClient from the API endpoint over HTTPS: absent,
/// present, kept for a few seconds, and read again after it changed.
/// </summary>
public sealed class ExpanderPrioritiesConfigMapTests : IAsyncLifetime, IDisposable
{
    private readonly TestCertificates _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private ApiServer _api = null!;
    private k8s.Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(new ObjectStore(TimeProvider.System), _certs.Server, "token");
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration
        {
            Host = _api.BaseAddress.ToString(),
            AccessToken = "token",
            SslCaCerts = new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(_certs.Ca.RawData)),
        });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    public void Dispose() => _certs.Dispose();

    private void PutConfigMap(string priorities) => _api.Store.Create(ApiResources.ConfigMaps, new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = ConfigMapExpanderPriorities.ConfigMapName, ["namespace"] = "kube-system" },
        ["data"] = new JsonObject { ["priorities"] = priorities },
    });

    [Fact]
    public async Task NoConfigMapMeansNoPriorities_ThenTheConfigMapsPatternsRankGroups()
    {
        var source = new ConfigMapExpanderPriorities(_client, "kube-system", _time, NullLogger<ConfigMapExpanderPriorities>.Instance);
        Assert.Null(await source.GetAsync(CancellationToken.None));

        PutConfigMap("""
            10:
              - .*on-demand.*
            50:
              - ^eks-spot-.*
            """);
        Assert.Null(await source.GetAsync(CancellationToken.None));   // kept for a few seconds

        _time.Advance(TimeSpan.FromSeconds(10));
        var priorities = await source.GetAsync(CancellationToken.None);
        Assert.NotNull(priorities);
        Assert.Equal(50, priorities.PriorityOf(["eks-spot-c5"]));
        Assert.Equal(10, priorities.PriorityOf(["eks-on-demand-m5"]));
        Assert.Null(priorities.PriorityOf(["gpu"]));
    }

    [Theory]
    [InlineData("10: [a", "priorities: not YAML at line 2, column 1")]
    [InlineData("- a", "priorities: expected a mapping of priorities to lists of patterns")]
    [InlineData("high:\n  - a", "priorities: line 1: \"high\" is not an integer priority")]
    [InlineData("10: a", "priorities: line 1: priority 10 needs a list of patterns")]
    [InlineData("10:\n  - \"(a\"", "priorities: priority 10: \"(a\" is not a regular expression")]
    public void ContentThatCannotBeUsedIsAProblemInWords(string text, string problem)
    {
        ConfigMapExpanderPriorities.Parse(text, out var problems);
        Assert.Equal(problem, Assert.Single(problems));
    }
}
