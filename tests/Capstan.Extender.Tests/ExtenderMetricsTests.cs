using System.Diagnostics.Metrics;
using System.Net;
using Capstan.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Capstan.Extender.Tests;

/// <summary>The decisions counted on the <c>Capstan.Extender</c> meter, through real HTTPS requests.</summary>
public sealed class ExtenderMetricsTests
{
    [Fact]
    public async Task Requests_AreCountedByResult()
    {
        var cluster = new Sandbox.Cluster.InMemoryCluster();
        cluster.UpsertNode(Builders.Node("free", price: 0.2));
        cluster.UpsertNode(Builders.Node("busy"));
        cluster.UpsertNode(Builders.Node("doomed") with { MarkedForDeletion = true });
        cluster.AddPod(Builders.Pod("big", cpu: "3500m"), "busy");
        cluster.AddPod(Builders.Pod("web", cpu: "1"));
        await using var host = await ExtenderHost.StartAsync(cluster, cluster);
        using var recorder = new MeasurementRecorder(ExtenderMetrics.MeterName, host.App.Services.GetRequiredService<IMeterFactory>());
        using var client = host.CreateClient();
        const string Bind = """{"PodName":"web","PodNamespace":"default","PodUID":"uid-web","Node":"free"}""";

        await ExtenderHost.PostAsync(client, "extender/filter", Builders.ArgsWithNames(Builders.PodJson("web", cpu: "1"), "free", "busy", "doomed"));
        await ExtenderHost.PostAsync(client, "extender/filter", Builders.ArgsWithNames(Builders.PodJson("huge", cpu: "3"), "busy", "doomed"));
        await ExtenderHost.PostAsync(client, "extender/bind", """{"PodName":"ghost","PodNamespace":"default","Node":"free"}""");
        await ExtenderHost.PostAsync(client, "extender/bind", Bind);
        await ExtenderHost.PostAsync(client, "extender/bind", Bind);
        var (status, _, _) = await ExtenderHost.PostAsync(client, "extender/prioritize", "not json");
        recorder.Collect();

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(1, recorder.Sum("filter.nodes", ("result", "kept")));
        Assert.Equal(2, recorder.Sum("filter.nodes", ("result", "removed")));
        Assert.Equal(2, recorder.Sum("filter.nodes", ("result", "unresolvable")));
        Assert.Equal(1, recorder.Sum("provisioning.triggers"));
        Assert.Equal(1, recorder.Sum("binds", ("result", "bound")));
        Assert.Equal(1, recorder.Sum("binds", ("result", "repeated")));
        Assert.Equal(1, recorder.Sum("binds", ("result", "refused")));
        Assert.Equal(1, recorder.Sum("bad.requests", ("verb", "prioritize")));
        Assert.Equal(1, recorder.Last("ledger.entries"));
    }
}
