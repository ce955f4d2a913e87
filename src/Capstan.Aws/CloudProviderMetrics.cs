using System.Diagnostics;
using System.Diagnostics.Metrics;
using Capstan.Core.Cloud;

namespace Capstan.Aws;

/// <summary>
/// How the cloud answers, on the <c>Capstan.CloudProvider</c> meter (published as
/// <c>capstan_cloudprovider_duration_seconds{method}</c> and <c>capstan_cloudprovider_errors_total{method,code}</c>):
/// one duration per port call, one error per call that failed after its retries, by the cloud's code.
/// </summary>
public sealed class CloudProviderMetrics
{
    public const string MeterName = "Capstan.CloudProvider";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _insufficientCapacity;

    public CloudProviderMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>("duration.seconds", "s", "Time of each cloud provider call, retries included, by method.");
        _errors = meter.CreateCounter<long>("errors.total", "{error}", "Cloud provider calls that failed after their retries, by method and the cloud's error code.");
        _insufficientCapacity = meter.CreateCounter<long>("insufficient.capacity.total", "{launch}",
            "Launches that found no capacity in any of their offerings.");
    }

    /// <summary>Times <paramref name="call"/> and counts its failure, whatever it throws.</summary>
    public async Task<T> MeasureAsync<T>(string method, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call();
        }
        catch (CloudProviderException e)
        {
            _errors.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("code", e.Code));
            throw;
        }
        finally
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("method", method));
        }
    }

    public void InsufficientCapacity() => _insufficientCapacity.Add(1);
}
