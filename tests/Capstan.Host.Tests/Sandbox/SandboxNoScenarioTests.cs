using System.Net;
using System.Text;
using Capstan.Testing;
using k8s;
using k8s.Models;

namespace Capstan.Host.Tests.Sandbox;

/// <summary>
/// <c>capstan sandbox --no-scenario</c>: the world a scenario plays in, started with nothing applied and driven from
/// outside through the printed kubeconfig, with Capstan's own or the user's certificates. One class, so the runs
/// come one after another rather than fight over the cores.
/// </summary>
public sealed class SandboxNoScenarioTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task NoScenario_ADeploymentAppliedThroughTheKubeconfig_GetsANodeAndRuns()
    {
        await using var sandbox = await RunningSandbox.StartAsync("--speed", "30");
        using var kubernetes = sandbox.Kubernetes();

        await RunningSandbox.CreateProvisionerAsync(kubernetes);
        await kubernetes.AppsV1.CreateNamespacedDeploymentAsync(RunningSandbox.Deployment("inflate", 1), "default");

        var pod = await RunningPodAsync(sandbox, kubernetes, "inflate", 1);
        var node = Assert.Single((await kubernetes.CoreV1.ListNodeAsync()).Items);
        Assert.Equal(node.Metadata.Name, pod.Spec.NodeName);
        Assert.Equal("default", node.Metadata.Labels["karpenter.sh/provisioner-name"]);
        Assert.Equal("apps", node.Metadata.Labels["intent"]);
        Assert.StartsWith("aws:///us-east-1", node.Spec.ProviderID, StringComparison.Ordinal);
        Assert.Equal(0, await sandbox.StopAsync());
    }

    [Fact]
    public async Task NoScenario_WithCertAndKey_CapstanServesThem_AndTheWorldStillAdmitsThroughItsWebhook()
    {
        using var user = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        user.WritePem(_dir.Path);
        var certFile = Path.Combine(_dir.Path, "tls.crt");
        await using var sandbox = await RunningSandbox.StartAsync("--cert", certFile, "--key", Path.Combine(_dir.Path, "tls.key"));

        // The line names the user's certificate, and that is what Capstan presents: a client trusting only the
        // user's CA gets through.
        Assert.Equal(certFile, sandbox.CertificateFile);
        Assert.Null(sandbox.CaFile);
        using (var client = user.CreateClient(sandbox.Address))
        {
            Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        }

        // The world's API server calls Capstan's webhooks over HTTPS: a bad Provisioner is refused with Capstan's
        // reason, a good one stored with Capstan's defaults.
        const string Provisioner = """
            apiVersion: karpenter.sh/v1alpha5
            kind: Provisioner
            metadata:
              name: default
            spec:
              weight: WEIGHT
              providerRef:
                name: default
            """;
        var (badExit, _, badErr) = await Kubectl.RunAsync(sandbox.Kubeconfig, "apply -f -", Provisioner.Replace("WEIGHT", "500", StringComparison.Ordinal), RunningSandbox.Timeout);
        Assert.NotEqual(0, badExit);
        Assert.Contains("admission webhook \"validation.provisioners.capstan.dev\" denied the request", badErr, StringComparison.Ordinal);
        Assert.Contains("spec.weight: must be between 1 and 100 (got 500)", badErr, StringComparison.Ordinal);

        var (goodExit, goodOut, goodErr) = await Kubectl.RunAsync(sandbox.Kubeconfig, "apply -f -", Provisioner.Replace("WEIGHT", "10", StringComparison.Ordinal), RunningSandbox.Timeout);
        Assert.True(goodExit == 0, goodErr);
        Assert.Contains("provisioner.karpenter.sh/default created", goodOut, StringComparison.Ordinal);
        var (_, requirements, _) = await Kubectl.RunAsync(sandbox.Kubeconfig, "get provisioner default -o jsonpath={.spec.requirements[*].key}", timeout: RunningSandbox.Timeout);
        Assert.Contains("kubernetes.io/arch", requirements, StringComparison.Ordinal);
        Assert.Equal(0, await sandbox.StopAsync());
    }

    [Fact]
    public async Task NoScenario_WithClientCa_TheWorldsSchedulerStillReachesTheExtender_OtherCallersNeedTheUsersCa()
    {
        using var user = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        using var stranger = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        user.WritePem(_dir.Path);
        await using var sandbox = await RunningSandbox.StartAsync("--speed", "30", "--client-ca", Path.Combine(_dir.Path, "ca.crt"));
        using var kubernetes = sandbox.Kubernetes();

        // The first pod gets a node launched for it, and Capstan binds it there itself.
        await RunningSandbox.CreateProvisionerAsync(kubernetes);
        await kubernetes.AppsV1.CreateNamespacedDeploymentAsync(RunningSandbox.Deployment("inflate", 1), "default");
        var first = await RunningPodAsync(sandbox, kubernetes, "inflate", 1);
        await sandbox.UntilAsync(async () => (await kubernetes.CoreV1.ReadNodeAsync(first.Spec.NodeName)).Metadata.Labels.ContainsKey("karpenter.sh/initialized"),
            "the node is initialized (no longer in flight)");

        // The second fits on that node, which is no longer Capstan's to fill: only the scheduler can place it, and
        // it binds through the extender's filter, prioritize and bind, so every one of them let it through.
        await kubernetes.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), "inflate", "default");
        var pods = await RunningPodsAsync(sandbox, kubernetes, "inflate", 2);
        Assert.All(pods, p => Assert.Equal(first.Spec.NodeName, p.Spec.NodeName));
        Assert.Single((await kubernetes.CoreV1.ListNodeAsync()).Items);

        // A caller of the extender: none or a stranger's certificate is refused, the user's CA's is let in.
        Assert.Equal(HttpStatusCode.Forbidden, await FilterAsync(sandbox.Client(), first.Spec.NodeName));
        Assert.Equal(HttpStatusCode.Forbidden, await FilterAsync(sandbox.Client(clientCertificate: stranger.Client), first.Spec.NodeName));
        Assert.Equal(HttpStatusCode.OK, await FilterAsync(sandbox.Client(clientCertificate: user.Client), first.Spec.NodeName));
        Assert.Equal(0, await sandbox.StopAsync());
    }

    private static async Task<HttpStatusCode> FilterAsync(HttpClient client, string node)
    {
        using (client)
        {
            using var content = new StringContent(
                $$$"""{"Pod":{"metadata":{"name":"web-0","namespace":"default","uid":"uid-web-0"},"spec":{"containers":[{"name":"app"}]}},"Nodes":null,"NodeNames":["{{{node}}}"]}""",
                Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/extender/filter", content);
            return response.StatusCode;
        }
    }

    private static async Task<V1Pod> RunningPodAsync(RunningSandbox sandbox, k8s.Kubernetes kubernetes, string app, int count) =>
        (await RunningPodsAsync(sandbox, kubernetes, app, count))[0];

    /// <summary>Waits until <paramref name="count"/> pods of the app are bound and Running.</summary>
    private static async Task<IList<V1Pod>> RunningPodsAsync(RunningSandbox sandbox, k8s.Kubernetes kubernetes, string app, int count)
    {
        IList<V1Pod> pods = [];
        await sandbox.UntilAsync(async () =>
        {
            pods = (await kubernetes.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"app={app}")).Items;
            return pods.Count == count && pods.All(p => p.Spec.NodeName is not null && p.Status?.Phase == "Running");
        }, $"{count} {app} pod(s) bound and Running",
            () => string.Join("; ", pods.Select(p => $"{p.Metadata.Name} on {p.Spec.NodeName ?? "no node"}: {p.Status?.Phase}")));
        return pods;
    }
}
