using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;
using Capstan.Testing;

namespace Capstan.Sandbox.Tests.Kubernetes;

/// <summary>The API stand-in as kubectl sees it: discovery, apply, get with server-side tables, scale, delete.</summary>
public sealed class ApiServerKubectlTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TestCertificates _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());
    private ApiServer _api = null!;
    private string _kubeconfig = "";
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _failures = [];

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(new ObjectStore(TimeProvider.System), _certs.Server, "sandbox-token");
        _api.Failed = (request, e) => _failures.Add($"{request}: {e}");
        _kubeconfig = _dir.Write("kubeconfig", _api.Kubeconfig("capstan-sandbox", _certs.Ca.ExportCertificatePem()));
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose()
    {
        _certs.Dispose();
        _dir.Dispose();
    }

    private const string Inflate = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: inflate
        spec:
          replicas: 0
          selector:
            matchLabels:
              app: inflate
          template:
            metadata:
              labels:
                app: inflate
            spec:
              nodeSelector:
                intent: apps
              containers:
                - name: inflate
                  image: public.ecr.aws/eks-distro/kubernetes/pause:3.2
                  resources:
                    requests:
                      cpu: "1"
                      memory: 1.5Gi
        """;

    [Fact]
    public async Task Kubectl_AppliesScalesGetsAndDeletes_ADeployment()
    {
        var file = _dir.Write("inflate.yaml", Inflate);
        var apply = await Kubectl.RunAsync(_kubeconfig, $"apply -f {file}");
        Assert.True(apply.Exit == 0, apply.Stderr);
        Assert.Contains("deployment.apps/inflate created", apply.Stdout, StringComparison.Ordinal);

        var again = await Kubectl.RunAsync(_kubeconfig, $"apply -f {file}");
        Assert.True(again.Exit == 0, again.Stderr);
        Assert.Contains("deployment.apps/inflate unchanged", again.Stdout, StringComparison.Ordinal);

        var scale = await Kubectl.RunAsync(_kubeconfig, "scale deployment inflate --replicas 10");
        Assert.True(scale.Exit == 0, scale.Stderr + string.Join("\n", _failures));
        Assert.Contains("deployment.apps/inflate scaled", scale.Stdout, StringComparison.Ordinal);
        Assert.Equal(10, (int?)_api.Store.Get(ApiResources.Deployments, "default", "inflate")!["spec"]!["replicas"]);

        var get = await Kubectl.RunAsync(_kubeconfig, "get deploy");
        Assert.True(get.Exit == 0, get.Stderr);
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", get.Stdout);
        Assert.Matches(@"inflate\s+0/10", get.Stdout);

        var delete = await Kubectl.RunAsync(_kubeconfig, $"delete -f {file}");
        Assert.True(delete.Exit == 0, delete.Stderr);
        Assert.Contains("deployment.apps \"inflate\" deleted", delete.Stdout, StringComparison.Ordinal);
        Assert.Null(_api.Store.Get(ApiResources.Deployments, "default", "inflate"));
    }

    [Fact]
    public async Task Kubectl_GetNodesAndPods_PrintsTheServersColumns_AndWatchSeesNewNodes()
    {
        _api.Store.Create(ApiResources.Nodes, (JsonObject)JsonNode.Parse("""
            {"metadata":{"name":"ip-10-0-1-1.ec2.internal","labels":{"node.kubernetes.io/instance-type":"c6a.2xlarge"}},
             "status":{"conditions":[{"type":"Ready","status":"True"}],"nodeInfo":{"kubeletVersion":"v1.29.0"},
                       "addresses":[{"type":"InternalIP","address":"10.0.1.1"}]}}
            """)!);
        var nodes = await Kubectl.RunAsync(_kubeconfig, "get nodes -o wide");
        Assert.True(nodes.Exit == 0, nodes.Stderr);
        Assert.Matches(@"NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP", nodes.Stdout);
        Assert.Matches(@"ip-10-0-1-1.ec2.internal\s+Ready\s+<none>\s+\d+s\s+v1.29.0\s+10.0.1.1", nodes.Stdout);

        using var watch = Kubectl.Start(_kubeconfig, "get nodes -w");
        await Until(() => watch.Output.Contains("ip-10-0-1-1", StringComparison.Ordinal), () => watch.Output);
        _api.Store.Create(ApiResources.Nodes, (JsonObject)JsonNode.Parse("""{"metadata":{"name":"ip-10-0-2-2.ec2.internal"}}""")!);
        await Until(() => watch.Output.Contains("ip-10-0-2-2.ec2.internal", StringComparison.Ordinal), () => watch.Output);

        var pods = await Kubectl.RunAsync(_kubeconfig, "get pods -A -o wide");
        Assert.True(pods.Exit == 0, pods.Stderr);
        Assert.Contains("No resources found", pods.Stderr + pods.Stdout, StringComparison.Ordinal);
    }

    private static async Task Until(Func<bool> condition, Func<string> explain)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }

        Assert.True(condition(), explain());
    }
}
