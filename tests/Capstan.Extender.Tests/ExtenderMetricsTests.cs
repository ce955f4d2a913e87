using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
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
        using var recorder = new MeasurementRecorder(host.App.Services.GetRequiredService<IMeterFactory>());
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

    /// <summary>Records the measurements of the meters one host's factory created (other tests' hosts run in parallel).</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public MeasurementRecorder(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ExtenderMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        /// <summary>Reads the observable instruments now.</summary>
        public void Collect() => _listener.RecordObservableInstruments();

        public long Sum(string instrument, params (string Key, string Value)[] tags) =>
            Matching(instrument, tags).Sum(m => m.Value);

        public long Last(string instrument) => Matching(instrument, []).Last().Value;

        public void Dispose() => _listener.Dispose();

        private IEnumerable<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
            _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value))));
    }
}
