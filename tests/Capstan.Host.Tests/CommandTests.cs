using System.Text;
using System.Text.Json;
using Capstan.Host.Commands;
using Capstan.Host.Tests.Sandbox;
using k8s;

namespace Capstan.Host.Tests;

public sealed class CommandTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sandbox_NoScenario_ServesAnEmptyWorld_ItsWebhookReachedThroughTheApiAndDirectly()
    {
        await using var sandbox = await RunningSandbox.StartAsync();
        Assert.NotNull(sandbox.CaFile);
        using var client = sandbox.Client();
        Assert.Equal("ok", await client.GetStringAsync("/healthz").WaitAsync(s_timeout));
        await sandbox.UntilAsync(async () => (await client.GetAsync("/readyz")).IsSuccessStatusCode, "/readyz says ready (the caches synced with the world)");

        // Nothing applied: no node, no pod, no Provisioner; then one made through the printed kubeconfig, defaulted by
        // Capstan's mutating webhook on its way in.
        using var kubernetes = sandbox.Kubernetes();
        Assert.Empty((await kubernetes.CoreV1.ListNodeAsync()).Items);
        Assert.Empty((await kubernetes.CoreV1.ListPodForAllNamespacesAsync()).Items);
        await RunningSandbox.CreateProvisionerAsync(kubernetes);
        var provisioner = JsonSerializer.SerializeToNode(await kubernetes.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1alpha5", "provisioners", "default"))!;
        Assert.Contains(provisioner["spec"]!["requirements"]!.AsArray(), r => (string?)r!["key"] == "kubernetes.io/arch");

        // The pods webhook, called by hand, advises from the Provisioners Capstan's cache holds.
        var body = "";
        await sandbox.UntilAsync(async () =>
        {
            using var content = new StringContent(
                """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"p-1","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"default","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"nodeSelector":{"intent":"web"},"containers":[{"name":"c","image":"x"}]}}}}""",
                Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/webhook/validate/pods", content);
            body = await response.Content.ReadAsStringAsync();
            return body.Contains("closest is \\u0022default\\u0022", StringComparison.Ordinal);
        }, "the pods webhook names the default Provisioner", () => body);
        Assert.Contains("\"allowed\":true", body, StringComparison.Ordinal);

        Assert.Equal(0, await sandbox.StopAsync());
    }

    [Theory]
    [InlineData("--scenario x.yaml", "--scenario")]
    [InlineData("--exit-when-done", "--exit-when-done")]
    [InlineData("--scenario x.yaml --exit-when-done --report r.json", "--scenario, --exit-when-done and --report")]
    public async Task Sandbox_NoScenarioWithAScenarioOption_ExplainsInOneLineAndExits2(string options, string named)
    {
        using var stderr = new StringWriter();

        var exit = await SandboxCommand.RunAsync(["--no-scenario", .. options.Split(' ')], TextWriter.Null, stderr).WaitAsync(s_timeout);

        Assert.Equal(2, exit);
        Assert.Equal($"capstan sandbox: --no-scenario plays no scenario, so it cannot be combined with {named}", stderr.ToString().TrimEnd());
    }

    [Theory]
    [InlineData("--cert /nope/tls.crt --key /nope/tls.key", "Capstan:Tls:CertFile (--cert) \"/nope/tls.crt\" does not exist")]
    [InlineData("--cert /nope/tls.crt", "Capstan:Tls:KeyFile is not set (--key FILE)")]
    [InlineData("--client-ca /nope/ca.crt", "Capstan:Tls:ClientCaFile (--client-ca) \"/nope/ca.crt\" does not exist")]
    public async Task Sandbox_AMissingTlsFile_NamesTheOptionInOneLineAndExits2(string options, string problem)
    {
        using var stderr = new StringWriter();

        var exit = await SandboxCommand.RunAsync(["--no-scenario", "--listen", "https://127.0.0.1:0", .. options.Split(' ')], TextWriter.Null, stderr).WaitAsync(s_timeout);

        Assert.Equal(2, exit);
        Assert.Equal($"capstan sandbox: {problem}", stderr.ToString().TrimEnd());
    }

    [Fact]
    public async Task Sandbox_MissingScenarioFile_ExplainsAndExits2()
    {
        using var stderr = new StringWriter();

        var exit = await SandboxCommand.RunAsync(["--scenario", "no-such-scenario.yaml", "--exit-when-done"], TextWriter.Null, stderr).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exit);
        Assert.Contains("no-such-scenario.yaml", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_SpeedOutOfRange_ExplainsAndExits2()
    {
        using var stderr = new StringWriter();

        var exit = await SandboxCommand.RunAsync(["--speed", "5000"], TextWriter.Null, stderr).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exit);
        Assert.Contains("--speed must be between 1 and 1000", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithoutCertificate_NamesTheMissingKeysInOneLineAndExits2()
    {
        using var stderr = new StringWriter();

        var exit = await ServeCommand.RunAsync(["--listen", "https://127.0.0.1:0", "--no-cluster"], TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        Assert.Equal("capstan serve: Capstan:Tls:CertFile and Capstan:Tls:KeyFile are not set (--cert FILE --key FILE)", stderr.ToString().TrimEnd());
    }

    [Fact]
    public async Task Serve_WithoutKey_NamesTheKeyAndItsFlag()
    {
        using var stderr = new StringWriter();

        var exit = await ServeCommand.RunAsync(["--listen", "https://127.0.0.1:0", "--no-cluster", "--cert", "/nope/tls.crt"], TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        Assert.Equal("capstan serve: Capstan:Tls:KeyFile is not set (--key FILE)", stderr.ToString().TrimEnd());
    }

    [Fact]
    public async Task Serve_MissingCertificateFile_NamesTheKeyAndItsFlag()
    {
        using var stderr = new StringWriter();

        var exit = await ServeCommand.RunAsync(["--listen", "https://127.0.0.1:0", "--no-cluster", "--cert", "/nope/tls.crt", "--key", "/nope/tls.key"], TextWriter.Null, stderr);

        Assert.True(exit == 2, stderr.ToString());
        Assert.Equal("capstan serve: Capstan:Tls:CertFile (--cert) \"/nope/tls.crt\" does not exist", stderr.ToString().TrimEnd());
    }

    [Fact]
    public async Task Sandbox_OnTheFlyCertificateFolder_IsRemovedWhenTheSandboxStops()
    {
        string folder;
        await using (var sandbox = await RunningSandbox.StartAsync())
        {
            folder = sandbox.Folder;
            Assert.StartsWith("capstan-sandbox-", Path.GetFileName(folder), StringComparison.Ordinal);
            Assert.Equal(folder, Path.GetDirectoryName(sandbox.CaFile));
            Assert.True(File.Exists(sandbox.CaFile));
            Assert.True(File.Exists(sandbox.Kubeconfig));
            Assert.Equal(0, await sandbox.StopAsync());
        }

        Assert.False(Directory.Exists(folder), $"{folder} is still there");
    }

    [Fact]
    public async Task Serve_UnknownCloudProvider_ExplainsInOneLineAndExits2()
    {
        using var stderr = new StringWriter();

        var exit = await ServeCommand.RunAsync(["--no-cluster", "--cloud-provider", "gcp"], TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        Assert.Equal("capstan serve: Capstan:CloudProvider (--cloud-provider) must be aws or none, not \"gcp\"", stderr.ToString().TrimEnd());
    }

    [Fact]
    public async Task Serve_MissingKubeconfig_ExplainsInOneLineAndExits2()
    {
        using var stderr = new StringWriter();

        var exit = await ServeCommand.RunAsync(["--listen", "https://127.0.0.1:0", "--kubeconfig", "/nope/kubeconfig"], TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        var message = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("capstan serve: kubeconfig /nope/kubeconfig (from Capstan:Kubernetes:Kubeconfig) does not exist; pass --kubeconfig FILE, or --no-cluster to serve the webhook only", message.TrimEnd());
    }

    [Fact]
    public async Task Sandbox_KubeconfigOption_IsUnknown()
    {
        using var stderr = new StringWriter();

        var exit = await SandboxCommand.RunAsync(["--no-scenario", "--kubeconfig", "x"], TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        Assert.Contains("unknown option '--kubeconfig'", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnknownOption_PrintsUsageAndExits2()
    {
        using var stderr = new StringWriter();

        var exit = await CapstanCli.RunAsync(["serve", "--bogus"], TextWriter.Null, stderr);

        Assert.Equal(2, exit);
        Assert.Contains("unknown option '--bogus'", stderr.ToString(), StringComparison.Ordinal);
        var lines = stderr.ToString().Split('\n');
        Assert.Equal("capstan serve: unknown option '--bogus'", lines[0].TrimEnd());
        Assert.Contains("capstan serve [options]", stderr.ToString(), StringComparison.Ordinal);
    }
}
