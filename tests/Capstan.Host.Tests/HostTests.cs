using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Capstan.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Tests;

/// <summary>The composed host on real Kestrel at https://127.0.0.1:0 with a throwaway CA.</summary>
public sealed class HostTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("capstan-host-tests-");
    private readonly TestCertificates _certs = TestCertificates.Create(TimeProvider.System.GetUtcNow());

    public HostTests() => _certs.WritePem(_dir.FullName);

    private string CertFile => Path.Combine(_dir.FullName, "tls.crt");

    private string KeyFile => Path.Combine(_dir.FullName, "tls.key");

    [Fact]
    public async Task Build_ServeMode_ServesHealthReadinessMetricsAndWebhook()
    {
        await using var app = await StartAsync();
        using var client = _certs.CreateClient(Address(app));

        Assert.Equal("ok", await client.GetStringAsync("/healthz").WaitAsync(s_timeout));
        Assert.Equal("ready", await client.GetStringAsync("/readyz").WaitAsync(s_timeout));
        using var review = new StringContent(
            """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":"karpenter.sh","version":"v1alpha5","kind":"Provisioner"},"operation":"CREATE","object":{"apiVersion":"karpenter.sh/v1alpha5","kind":"Provisioner","metadata":{"name":"p"},"spec":{"providerRef":{"name":"d"},"weight":0}}}}""",
            Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/webhook/validate", review).WaitAsync(s_timeout);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"uid\":\"u-1\",\"allowed\":false", body, StringComparison.Ordinal);
        Assert.Contains("spec.weight: must be between 1 and 100 (got 0)", body, StringComparison.Ordinal);
        var metrics = await client.GetStringAsync("/metrics").WaitAsync(s_timeout);
        Assert.Contains("http_request_duration_seconds", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_SandboxMode_ServesTheExtenderOverTheInMemoryCluster()
    {
        await using var app = await StartAsync("--Capstan:Server:Mode=sandbox");
        var cluster = app.Services.GetRequiredService<Capstan.Sandbox.Cluster.InMemoryCluster>();
        cluster.UpsertNode(new Capstan.Core.Cluster.NodeView
        {
            Name = "node-a",
            Allocatable = Capstan.Core.Resources.ResourceList.Of("cpu", "4", "memory", "16Gi", "pods", "110"),
        });
        cluster.AddPod(new PodBuilder("web-0").Cpu("1").Build());
        using var client = _certs.CreateClient(Address(app));
        const string Pod = """{"metadata":{"name":"web-0","namespace":"default","uid":"uid-default-web-0"},"spec":{"containers":[{"name":"app","resources":{"requests":{"cpu":"1"}}}]}}""";

        using var filter = await client.PostAsync("/extender/filter",
            new StringContent($$"""{"Pod":{{Pod}},"Nodes":null,"NodeNames":["node-a"]}""", Encoding.UTF8, "application/json")).WaitAsync(s_timeout);
        using var bind = await client.PostAsync("/extender/bind",
            new StringContent("""{"PodName":"web-0","PodNamespace":"default","PodUID":"uid-default-web-0","Node":"node-a"}""", Encoding.UTF8, "application/json")).WaitAsync(s_timeout);

        Assert.Equal(HttpStatusCode.OK, filter.StatusCode);
        Assert.Contains("\"NodeNames\":[\"node-a\"]", await filter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bind.StatusCode);
        Assert.Equal("node-a", cluster.NodeOf("default", "web-0"));
        var metrics = await client.GetStringAsync("/metrics").WaitAsync(s_timeout);
        // The exporter's registry is process-wide: other hosts of this test run may have counted too.
        Assert.Matches("""(?m)^capstan_extender_filter_nodes\{result="kept"\} [1-9]""", metrics);
        Assert.Matches("""(?m)^capstan_extender_binds\{result="bound"\} [1-9]""", metrics);
    }

    [Fact]
    public async Task Build_ServeModeNoCluster_HasNoExtenderRoutes()
    {
        await using var app = await StartAsync();
        using var client = _certs.CreateClient(Address(app));

        using var response = await client.PostAsync("/extender/filter", new StringContent("{}", Encoding.UTF8, "application/json")).WaitAsync(s_timeout);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Build_MissingCertificateFiles_StopsBeforeListeningWithAClearMessage()
    {
        var app = CapstanApp.Build(["--Capstan:Server:Listen=https://127.0.0.1:0", "--Capstan:Tls:CertFile=/nope/tls.crt", "--Capstan:Tls:KeyFile=/nope/tls.key", NoCluster, ClusterName], Quiet);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(s_timeout));

        Assert.Contains("Capstan:Tls:CertFile (--cert) \"/nope/tls.crt\" does not exist", error.Message, StringComparison.Ordinal);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Build_AwsWithoutClusterName_FailsValidationNamingTheKeys()
    {
        var app = CapstanApp.Build(["--Capstan:Server:Listen=https://127.0.0.1:0", $"--Capstan:Tls:CertFile={CertFile}", $"--Capstan:Tls:KeyFile={KeyFile}", NoCluster, "--Capstan:Aws:Region=nowhere"], Quiet);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(s_timeout));

        Assert.Contains("Capstan:Cluster:Name (--cluster-name) is required with the aws cloud provider", error.Message, StringComparison.Ordinal);
        Assert.Contains("Capstan:Aws:Region (--region) \"nowhere\" is not an AWS region name", error.Message, StringComparison.Ordinal);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Build_CloudProviderNone_StartsWithoutClusterName()
    {
        await using var app = CapstanApp.Build(["--Capstan:Server:Listen=https://127.0.0.1:0", $"--Capstan:Tls:CertFile={CertFile}", $"--Capstan:Tls:KeyFile={KeyFile}", NoCluster, "--Capstan:CloudProvider=none"], Quiet);

        await app.StartAsync().WaitAsync(s_timeout);

        Assert.Null(app.Services.GetService<Capstan.Aws.Clients.AwsClientFactory>());
        await app.StopAsync().WaitAsync(s_timeout);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public async Task RequestLogs_AreWarningsOnlyByDefault_AndComeBackWhenConfigured(string? level, bool expected)
    {
        var logs = new CollectingLoggerProvider("Microsoft.AspNetCore");
        string[] args = ["--Capstan:Server:Listen=https://127.0.0.1:0", $"--Capstan:Tls:CertFile={CertFile}", $"--Capstan:Tls:KeyFile={KeyFile}", NoCluster, "--Capstan:CloudProvider=none"];
        await using var app = CapstanApp.Build(level is null ? args : [.. args, $"--Logging:LogLevel:Microsoft.AspNetCore={level}"], builder =>
        {
            Quiet(builder);
            builder.Logging.AddProvider(logs);
        });
        await app.StartAsync().WaitAsync(s_timeout);
        using var client = _certs.CreateClient(Address(app));

        Assert.Equal("ok", await client.GetStringAsync("/healthz").WaitAsync(s_timeout));
        await app.StopAsync().WaitAsync(s_timeout);

        Assert.Equal(expected, logs.Lines.Any(l => l.Contains("Request finished", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Build_BadListenAddress_FailsValidation()
    {
        var app = CapstanApp.Build(["--Capstan:Server:Listen=http://127.0.0.1:0", $"--Capstan:Tls:CertFile={CertFile}", $"--Capstan:Tls:KeyFile={KeyFile}", NoCluster, ClusterName], Quiet);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(s_timeout));

        Assert.Contains("must start with https://", error.Message, StringComparison.Ordinal);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Tls_Handshake_NegotiatesTls12OrLaterWithTheConfiguredCertificate()
    {
        await using var app = await StartAsync();

        var (protocol, certificate) = await HandshakeAsync(Address(app), SslProtocols.Tls12);

        Assert.Equal(SslProtocols.Tls12, protocol);
        Assert.Equal(_certs.Server.Thumbprint, certificate.Thumbprint);
    }

    [Fact]
    public async Task Tls_CertificateFilesReplaced_NewConnectionsGetTheNewCertificate()
    {
        await using var app = await StartAsync("--Capstan:Tls:ReloadInterval=00:00:00");
        using var renewed = TestCertificates.Create(TimeProvider.System.GetUtcNow());

        renewed.WritePem(_dir.FullName);
        File.SetLastWriteTimeUtc(CertFile, File.GetLastWriteTimeUtc(CertFile).AddSeconds(5));
        var (_, certificate) = await HandshakeAsync(Address(app), SslProtocols.None);

        Assert.Equal(renewed.Server.Thumbprint, certificate.Thumbprint);
    }

    [Fact]
    public async Task Tls_BrokenReplacement_KeepsServingThePreviousCertificate()
    {
        await using var app = await StartAsync("--Capstan:Tls:ReloadInterval=00:00:00");

        await File.WriteAllTextAsync(CertFile, "-----BEGIN CERTIFICATE-----\nbroken\n");
        var (_, certificate) = await HandshakeAsync(Address(app), SslProtocols.None);

        Assert.Equal(_certs.Server.Thumbprint, certificate.Thumbprint);
    }

    [Fact]
    public async Task Tls_ClientCa_HandshakeAcceptsSignedAbsentAndForeignClientCertificates()
    {
        // The handshake lets every client in; the extender's routes judge the certificate and answer 403 in words
        // (CertsCommandTests). Health, metrics and the webhook need none.
        await using var app = await StartAsync($"--Capstan:Tls:ClientCaFile={Path.Combine(_dir.FullName, "ca.crt")}");
        using var foreign = TestCertificates.Create(TimeProvider.System.GetUtcNow());

        using (var signed = _certs.CreateClient(Address(app), presentClientCertificate: true))
        {
            Assert.Equal("ok", await signed.GetStringAsync("/healthz").WaitAsync(s_timeout));
        }

        using (var anonymous = _certs.CreateClient(Address(app)))
        {
            Assert.Equal("ok", await anonymous.GetStringAsync("/healthz").WaitAsync(s_timeout));
        }

        using (var impostor = _certs.CreateClient(Address(app), foreign.Client))
        {
            Assert.Equal("ok", await impostor.GetStringAsync("/healthz").WaitAsync(s_timeout));
        }

        var (_, certificate) = await HandshakeAsync(Address(app), SslProtocols.None, foreign.Client);
        Assert.Equal(_certs.Server.Thumbprint, certificate.Thumbprint);
    }

    private async Task<WebApplication> StartAsync(params string[] extra)
    {
        var app = CapstanApp.Build(
            ["--Capstan:Server:Listen=https://127.0.0.1:0", $"--Capstan:Tls:CertFile={CertFile}", $"--Capstan:Tls:KeyFile={KeyFile}", NoCluster, ClusterName, .. extra], Quiet);
        await app.StartAsync().WaitAsync(s_timeout);
        return app;
    }

    /// <summary>Serve mode without a cluster (<c>--no-cluster</c>), so no test reaches for a real kubeconfig.</summary>
    internal const string NoCluster = "--Capstan:Kubernetes:Enabled=false";

    /// <summary>The AWS cloud provider (the default) needs the cluster's name.</summary>
    internal const string ClusterName = "--Capstan:Cluster:Name=demo-cluster";

    internal static void Quiet(WebApplicationBuilder builder) => builder.Logging.ClearProviders();

    private static Uri Address(WebApplication app) => CapstanApp.Addresses(app)[0];

    /// <summary>A raw TLS handshake, returning the negotiated protocol and the server's certificate.</summary>
    private static async Task<(SslProtocols Protocol, X509Certificate2 Certificate)> HandshakeAsync(Uri address, SslProtocols protocols, X509Certificate2? clientCertificate = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, address.Port).WaitAsync(s_timeout);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null, // the tests inspect the certificate themselves
            ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
        }).WaitAsync(s_timeout);
        // With TLS 1.3 a rejected client certificate only shows on the first read.
        await ssl.WriteAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")).AsTask().WaitAsync(s_timeout);
        var buffer = new byte[256];
        var read = await ssl.ReadAsync(buffer).AsTask().WaitAsync(s_timeout);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        return (ssl.SslProtocol, new X509Certificate2(ssl.RemoteCertificate!));
    }

    public void Dispose()
    {
        _certs.Dispose();
        _dir.Delete(recursive: true);
    }
}
