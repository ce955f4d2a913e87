using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Host.Tests;

/// <summary>
/// <c>capstan certs</c>, what <c>make certs</c> runs, through the CLI entry point; then the files it wrote serve real HTTPS,
/// with its client certificate let through to the extender and anyone else's answered 403 in words.
/// </summary>
public sealed partial class CertsCommandTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("capstan-certs-tests-");

    private string Out => Path.Combine(_dir.FullName, "out");

    private string ManifestsDir => Path.Combine(_dir.FullName, "manifests");

    [GeneratedRegex(@"^\s*caBundle:\s*(\S*)\s*$", RegexOptions.Multiline)]
    private static partial Regex CaBundle();

    [GeneratedRegex(@"^\s*caData:\s*(\S*)\s*$", RegexOptions.Multiline)]
    private static partial Regex CaData();

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Extender.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Extender.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A copy of the shipped webhooks.yaml and scheduler manifests, plus a scheduler file that carries caData.</summary>
    private void CopyManifests()
    {
        var root = Path.Combine(RepoRoot(), "manifests");
        Directory.CreateDirectory(Path.Combine(ManifestsDir, "scheduler"));
        File.Copy(Path.Combine(root, "webhooks.yaml"), Path.Combine(ManifestsDir, "webhooks.yaml"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "scheduler"), "*.yaml"))
        {
            File.Copy(file, Path.Combine(ManifestsDir, "scheduler", Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(ManifestsDir, "scheduler", "with-ca-data.yaml"), "extenders:\n  - tlsConfig:\n      caData: \"\"\n      serverName: capstan.capstan.svc\n");
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CapstanCli.RunAsync(["certs", .. args], TextReader.Null, stdout, stderr, TimeProvider.System);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Certs_WritesTheCaServingAndClientCertificates_AndTheCaIntoTheManifests()
    {
        CopyManifests();

        var (exit, stdout, stderr) = await RunAsync("--out", Out, "--manifests", ManifestsDir, "--days", "90");

        Assert.True(exit == 0, stderr);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Out, "ca.crt"));
        using var server = X509Certificate2.CreateFromPemFile(Path.Combine(Out, "tls.crt"), Path.Combine(Out, "tls.key"));
        using var client = X509Certificate2.CreateFromPemFile(Path.Combine(Out, "client.crt"), Path.Combine(Out, "client.key"));
        using var caWithKey = X509Certificate2.CreateFromPemFile(Path.Combine(Out, "ca.crt"), Path.Combine(Out, "ca.key"));
        Assert.True(caWithKey.HasPrivateKey && server.HasPrivateKey && client.HasPrivateKey);
        Assert.True(ChainsTo(ca, server, "1.3.6.1.5.5.7.3.1"), "the serving certificate should chain to ca.crt for server authentication");
        Assert.True(ChainsTo(ca, client, "1.3.6.1.5.5.7.3.2"), "the client certificate should chain to ca.crt for client authentication");
        Assert.False(ChainsTo(ca, server, "1.3.6.1.5.5.7.3.2"), "the serving certificate is not a client certificate");
        Assert.Equal("CN=kube-scheduler", client.Subject);
        Assert.InRange((server.NotAfter.ToUniversalTime() - TimeProvider.System.GetUtcNow().UtcDateTime).TotalDays, 89, 90.1);

        var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost", "capstan", "capstan.capstan", "capstan.capstan.svc", "capstan.capstan.svc.cluster.local"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], san.EnumerateIPAddresses());
        Assert.Empty(client.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        if (!OperatingSystem.IsWindows())
        {
            foreach (var key in new[] { "ca.key", "tls.key", "client.key" })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Out, key)));
            }
        }

        var bundle = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(Out, "ca.crt")));
        var webhooks = File.ReadAllText(Path.Combine(ManifestsDir, "webhooks.yaml"));
        Assert.Equal([bundle, bundle, bundle], CaBundle().Matches(webhooks).Select(m => m.Groups[1].Value));
        Assert.Equal(bundle, CaData().Match(File.ReadAllText(Path.Combine(ManifestsDir, "scheduler", "with-ca-data.yaml"))).Groups[1].Value);
        Assert.Contains("caBundle set in", stdout, StringComparison.Ordinal);
        Assert.Contains("caData set in", stdout, StringComparison.Ordinal);

        // Again: new certificates, and the manifests follow.
        Assert.Equal(0, (await RunAsync("--out", Out, "--manifests", ManifestsDir)).Exit);
        var second = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(Out, "ca.crt")));
        Assert.NotEqual(bundle, second);
        Assert.All(CaBundle().Matches(File.ReadAllText(Path.Combine(ManifestsDir, "webhooks.yaml"))), m => Assert.Equal(second, m.Groups[1].Value));
    }

    [Fact]
    public async Task Certs_Namespace_NamesTheServiceInThatNamespace()
    {
        var (exit, _, stderr) = await RunAsync("--out", Out, "--no-manifests", "--namespace", "platform");

        Assert.True(exit == 0, stderr);
        using var server = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Out, "tls.crt"));
        Assert.Contains("capstan.platform.svc.cluster.local", server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Theory]
    [InlineData("--days", "0")]
    [InlineData("--days", "many")]
    [InlineData("--namespace", "Not_A_Name")]
    [InlineData("--out")]
    [InlineData("--bogus")]
    public async Task Certs_BadArguments_ExplainAndExit2(params string[] args)
    {
        var (exit, _, stderr) = await RunAsync([.. args]);

        Assert.Equal(2, exit);
        Assert.StartsWith("capstan certs: ", stderr, StringComparison.Ordinal);
        Assert.Contains("Usage:\n  capstan certs", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine("certs", "out", "never")));
    }

    [Fact]
    public async Task CertsOutput_ServesHttps_ExtenderLetsTheSchedulerThroughAndAnswers403ToOthers()
    {
        var (exit, _, stderr) = await RunAsync("--out", Out, "--no-manifests");
        Assert.True(exit == 0, stderr);
        using var foreign = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        await using var app = CapstanApp.Build(
        [
            "--Capstan:Server:Mode=sandbox", "--Capstan:Server:Listen=https://127.0.0.1:0",
            $"--Capstan:Tls:CertFile={Path.Combine(Out, "tls.crt")}", $"--Capstan:Tls:KeyFile={Path.Combine(Out, "tls.key")}",
            $"--Capstan:Tls:ClientCaFile={Path.Combine(Out, "ca.crt")}",
        ], HostTests.Quiet);
        await app.StartAsync().WaitAsync(s_timeout);
        app.Services.GetRequiredService<InMemoryCluster>().UpsertNode(new Capstan.Core.Cluster.NodeView
        {
            Name = "node-a",
            Allocatable = Capstan.Core.Resources.ResourceList.Of("cpu", "4", "memory", "16Gi", "pods", "110"),
        });
        var address = CapstanApp.Addresses(app)[0];
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Out, "ca.crt"));
        using var schedulerCertificate = X509Certificate2.CreateFromPemFile(Path.Combine(Out, "client.crt"), Path.Combine(Out, "client.key"));
        using var scheduler = Client(address, ca, schedulerCertificate);
        using var impostor = Client(address, ca, foreign.Client);
        using var anonymous = Client(address, ca, null);

        var (schedulerStatus, schedulerBody) = await FilterAsync(scheduler);
        var (impostorStatus, impostorBody) = await FilterAsync(impostor);
        var (anonymousStatus, anonymousBody) = await FilterAsync(anonymous);

        Assert.Equal(HttpStatusCode.OK, schedulerStatus);
        Assert.Equal(["node-a"], schedulerBody!["NodeNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(HttpStatusCode.Forbidden, impostorStatus);
        Assert.Equal(["Error"], impostorBody!.AsObject().Select(p => p.Key));
        Assert.Equal("the client certificate is not signed by the configured client CA", (string?)impostorBody["Error"]);
        Assert.Equal(HttpStatusCode.Forbidden, anonymousStatus);
        Assert.Equal("a client certificate is required", (string?)anonymousBody!["Error"]);

        // The webhook, health and metrics need no client certificate, and a foreign one does not get in their way.
        foreach (var client in new[] { impostor, anonymous })
        {
            Assert.Equal("ok", await client.GetStringAsync("/healthz").WaitAsync(s_timeout));
            using var review = new StringContent(
                """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":"karpenter.sh","version":"v1alpha5","kind":"Provisioner"},"operation":"DELETE"}}""",
                Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/webhook/validate", review).WaitAsync(s_timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"allowed\":true", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> FilterAsync(HttpClient client)
    {
        using var content = new StringContent(
            """{"Pod":{"metadata":{"name":"web","namespace":"default","uid":"u-web"},"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}]}},"Nodes":null,"NodeNames":["node-a"]}""",
            Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri("/extender/filter", UriKind.Relative), content).WaitAsync(s_timeout);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>A client that trusts only <paramref name="ca"/> and presents <paramref name="certificate"/> (or none).</summary>
    private static HttpClient Client(Uri address, X509Certificate2 ca, X509Certificate2? certificate)
    {
        // SslStream wants a key it can use on every platform: a PKCS#12 round trip of the PEM pair.
        var presented = certificate is null ? null : X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, server, _, errors) =>
                    server is not null && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && ChainsTo(ca, new X509Certificate2(server), "1.3.6.1.5.5.7.3.1"),
                ClientCertificates = presented is null ? null : [presented],
            },
        })
        { BaseAddress = address, Timeout = s_timeout };
    }

    private static bool ChainsTo(X509Certificate2 ca, X509Certificate2 leaf, string usage)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(usage));
        return chain.Build(leaf);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
