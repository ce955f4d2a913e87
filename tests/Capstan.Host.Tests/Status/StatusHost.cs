using Capstan.Core.Pods;
using Capstan.Sandbox.Cluster;
using Capstan.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Host.Tests.Status;

/// <summary>
/// The sandbox host on https://127.0.0.1:0 with a throwaway CA, and a cluster to fill: one ready node with two pods,
/// one node still in flight, one pending pod.
/// </summary>
internal sealed class StatusHost : IAsyncDisposable
{
    private readonly DirectoryInfo _dir;

    private StatusHost(WebApplication app, TestCertificates certificates, DirectoryInfo dir)
    {
        App = app;
        Certificates = certificates;
        _dir = dir;
    }

    public WebApplication App { get; }

    public TestCertificates Certificates { get; }

    public InMemoryCluster Cluster => App.Services.GetRequiredService<InMemoryCluster>();

    public Uri Address => CapstanApp.Addresses(App)[0];

    public static async Task<StatusHost> StartAsync(params string[] extra)
    {
        var certificates = TestCertificates.Create(TimeProvider.System.GetUtcNow());
        var dir = Directory.CreateTempSubdirectory("capstan-status-certs-");
        certificates.WritePem(dir.FullName);
        var app = CapstanApp.Build(
            ["--Capstan:Server:Listen=https://127.0.0.1:0", $"--Capstan:Tls:CertFile={Path.Combine(dir.FullName, "tls.crt")}",
                $"--Capstan:Tls:KeyFile={Path.Combine(dir.FullName, "tls.key")}", HostTests.NoCluster, HostTests.ClusterName, .. extra],
            HostTests.Quiet);
        try
        {
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await app.DisposeAsync();
            certificates.Dispose();
            dir.Delete(recursive: true);
            throw;
        }

        return new StatusHost(app, certificates, dir);
    }

    /// <summary>The cluster the status tests look at.</summary>
    public static void Fill(InMemoryCluster cluster)
    {
        cluster.UpsertNode(StatusWorld.Node("node-ready", createdAt: TimeProvider.System.GetUtcNow().AddMinutes(-12)));
        cluster.UpsertNode(StatusWorld.Node("node-launching", ready: false, inFlight: true, price: 0.0416, instanceType: "t3.medium",
            zone: "us-west-2b", capacityType: "spot", createdAt: TimeProvider.System.GetUtcNow()));
        cluster.AddPod(new PodBuilder("web-0").Cpu("500m").Memory("1Gi").Build(), "node-ready");
        cluster.AddPod(new PodBuilder("<b>web-1</b>").Cpu("250m").Memory("256Mi").Build(), "node-ready");
        cluster.UpsertPod(new PodView
        {
            Request = new PodBuilder("waiting-0", "batch").Cpu("8").Build(),
            ScheduledStatus = "False",
            ScheduledReason = PodView.UnschedulableReason,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await App.DisposeAsync();
        Certificates.Dispose();
        _dir.Delete(recursive: true);
    }
}
