namespace Capstan.Host.Telemetry;

/// <summary>
/// prometheus-net connects its .NET Meters adapter just before the first collection, so counters added
/// before the first scrape (the extender's decisions) would be lost. One collection at start, before the
/// server listens, connects it while nothing has been counted yet.
/// </summary>
internal sealed class MeterAdapterStarter : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
