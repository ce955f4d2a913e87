using System.Net;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;
using Microsoft.Extensions.Options;

namespace Capstan.Extender.Tests;

/// <summary>Optional mTLS: with a client CA configured, only the scheduler's certificate gets through.</summary>
public sealed class ClientCertificateTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "capstan-mtls-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static InMemoryCluster Cluster()
    {
        var cluster = new InMemoryCluster();
        cluster.UpsertNode(Builders.Node("n1"));
        return cluster;
    }

    private async Task<ExtenderHost> StartAsync(string key)
    {
        // The host makes its own CA; write it where the option points before the filter reads it.
        Directory.CreateDirectory(_directory);
        var caPath = Path.Combine(_directory, "ca.crt");
        return await ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter(), configuration: new Dictionary<string, string?> { [key] = caPath },
            beforeStart: certificates => File.WriteAllText(caPath, certificates.Ca.ExportCertificatePem()));
    }

    [Theory]
    [InlineData("Capstan:Tls:ClientCaFile")]
    [InlineData("Capstan:Extender:ClientCaFile")]
    public async Task ExtenderRoutes_WithClientCa_RequireACertificateSignedByIt(string key)
    {
        await using var host = await StartAsync(key);
        using var foreign = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        using var anonymous = host.CreateClient();
        using var scheduler = host.CreateClient(presentClientCertificate: true);
        using var impostor = host.CreateClientWithForeignCertificate(foreign.Client);
        var body = Builders.ArgsWithNames(Builders.PodJson("web"), "n1");

        var withoutCertificate = await ExtenderHost.PostAsync(anonymous, "extender/filter", body);
        var withForeignCertificate = await ExtenderHost.PostAsync(impostor, "extender/filter", body);
        var withSchedulerCertificate = await ExtenderHost.PostAsync(scheduler, "extender/filter", body);

        Assert.Equal(HttpStatusCode.Forbidden, withoutCertificate.Status);
        Assert.Equal("a client certificate is required", (string?)withoutCertificate.Body!["Error"]);
        Assert.Equal(HttpStatusCode.Forbidden, withForeignCertificate.Status);
        Assert.Contains("not signed by the configured client CA", (string?)withForeignCertificate.Body!["Error"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, withSchedulerCertificate.Status);
        Assert.Equal(["n1"], withSchedulerCertificate.Body!["NodeNames"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public async Task ExtenderRoutes_WithoutClientCa_AcceptAnonymousClients()
    {
        await using var host = await ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter());
        using var anonymous = host.CreateClient();

        var (status, _, _) = await ExtenderHost.PostAsync(anonymous, "extender/filter", Builders.ArgsWithNames(Builders.PodJson("web"), "n1"));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Startup_ClientCaFileWithoutACertificate_FailsWithWhatToFix()
    {
        Directory.CreateDirectory(_directory);
        var caPath = Path.Combine(_directory, "ca.crt");
        await File.WriteAllTextAsync(caPath, "not a certificate\n");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter(),
            configuration: new Dictionary<string, string?> { ["Capstan:Tls:ClientCaFile"] = caPath }));

        Assert.Contains($"client CA file '{caPath}' holds no PEM certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_RequireClientCertificateWithoutCa_FailsWithWhatToFix()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ExtenderHost.StartAsync(Cluster(), new RecordingClusterWriter(),
            configuration: new Dictionary<string, string?> { ["Capstan:Extender:RequireClientCertificate"] = "true" }));

        Assert.Contains("Capstan:Tls:ClientCaFile", error.Message, StringComparison.Ordinal);
    }
}
