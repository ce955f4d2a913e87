using System.Diagnostics.Metrics;

namespace Capstan.Controllers.Disruption;

/// <summary>
/// The disruption side's metrics on the <c>Capstan</c> meter: nodes terminated by reason, disruption actions by
/// outcome, consolidation savings, evictions, interruption messages and drain durations.
/// </summary>
public sealed class DisruptionMetrics
{
    private readonly Counter<long> _terminated;
    private readonly Counter<long> _actions;
    private readonly Counter<double> _savings;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _interruptions;
    private readonly Histogram<double> _drain;

    public DisruptionMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(ProvisioningMetrics.MeterName);
        _terminated = meter.CreateCounter<long>("nodes.terminated.total", "{node}",
            "Nodes Capstan terminated, by reason: empty, expired, consolidation, interruption, gc, registration, user.");
        _actions = meter.CreateCounter<long>("disruption.actions.total", "{action}",
            "Disruption decisions, by action (delete, replace, expire, drain) and result (started, succeeded, abandoned, failed).");
        _savings = meter.CreateCounter<double>("consolidation.savings.per.hour", "{USD}/h",
            "Hourly price removed from the fleet by consolidation, summed over its actions.");
        _evictions = meter.CreateCounter<long>("evictions.total", "{eviction}",
            "Evictions asked for while draining, by result: evicted, blocked (a disruption budget said no), gone, failed.");
        _interruptions = meter.CreateCounter<long>("interruption.messages.total", "{message}",
            "Interruption messages received, by kind (spot, rebalance, scheduled-change, stopping, terminating) and those ignored (not ours).");
        _drain = meter.CreateHistogram<double>("node.drain.duration.seconds", "s", "From the start of a node's termination to its instance's termination.");
    }

    public void Terminated(string reason) => _terminated.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Action(string action, string result) =>
        _actions.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("result", result));

    public void Saved(double pricePerHour) => _savings.Add(pricePerHour);

    public void Eviction(string result) => _evictions.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Interruption(string kind) => _interruptions.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Drained(TimeSpan elapsed) => _drain.Record(elapsed.TotalSeconds);
}
