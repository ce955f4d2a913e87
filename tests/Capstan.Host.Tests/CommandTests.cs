using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Capstan.Core.Provisioning;
using Capstan.Host.Commands;
using Capstan.Sandbox.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Host.Tests;

public sealed partial class CommandTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [GeneratedRegex("listening on (https://\\S+) \\(CA certificate: (\\S+)\\)")]
    private static partial Regex ListeningLine();

    [Fact]
    public async Task Sandbox_NoScenario_StartsTheRealHttpsHostWithAnOnTheFlyCertificate()
    {
        using var stdout = new StringWriter();
        var (app, exit) = SandboxCommand.Build(["--no-scenario", "--listen", "https://127.0.0.1:0"], stdout, TextWriter.Null, TimeProvider.System, HostTests.Quiet);
        Assert.Equal(0, exit);
        await using var running = app!;
        await running.StartAsync().WaitAsync(s_timeout);

        var match = ListeningLine().Match(stdout.ToString());
        Assert.True(match.Success, stdout.ToString());
        using var client = TrustingClient(new Uri(match.Groups[1].Value), match.Groups[2].Value);
        Assert.Equal("ok", await client.GetStringAsync("/healthz").WaitAsync(s_timeout));
        Assert.Equal("ready", await client.GetStringAsync("/readyz").WaitAsync(s_timeout));

        // The pods webhook reads Provisioners from the in-memory cluster.
        running.Services.GetRequiredService<InMemoryCluster>().UpsertProvisioner(new Provisioner
        {
            Name = "default",
            Labels = new Dictionary<string, string> { ["intent"] = "apps" },
        });
        using var content = new StringContent(
            """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"p-1","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"default","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"nodeSelector":{"intent":"web"},"containers":[{"name":"c","image":"x"}]}}}}""",
            Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/webhook/validate/pods", content).WaitAsync(s_timeout);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"allowed\":true", body, StringComparison.Ordinal);
        Assert.Contains("closest is \\u0022default\\u0022", body, StringComparison.Ordinal);
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
    public async Task Sandbox_OnTheFlyCertificateFolder_IsRemovedWithTheHost()
    {
        using var stdout = new StringWriter();
        var (app, exit) = SandboxCommand.Build(["--no-scenario", "--listen", "https://127.0.0.1:0"], stdout, TextWriter.Null, TimeProvider.System, HostTests.Quiet);
        Assert.Equal(0, exit);
        string folder;
        await using (var running = app!)
        {
            await running.StartAsync().WaitAsync(s_timeout);
            var match = ListeningLine().Match(stdout.ToString());
            Assert.True(match.Success, stdout.ToString());
            folder = Path.GetDirectoryName(match.Groups[2].Value)!;
            Assert.StartsWith("capstan-sandbox-", Path.GetFileName(folder), StringComparison.Ordinal);
            Assert.True(Directory.Exists(folder));
            await running.StopAsync().WaitAsync(s_timeout);
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

    private static HttpClient TrustingClient(Uri address, string caFile)
    {
        var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(caFile);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
                {
                    TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = address, Timeout = s_timeout };
    }
}
