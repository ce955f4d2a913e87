using System.Diagnostics.Metrics;
using Capstan.Core.Ports;

namespace Capstan.Extender;

/// <summary>
/// What the extender decided, as .NET metrics on the <c>Capstan.Extender</c> meter (the host publishes them
/// on <c>/metrics</c>): nodes kept and removed by filter, pods handed to provisioning, bind outcomes and the
/// ledger's size. Counted once per request, never per node, so the hot path pays three additions.
/// </summary>
/// <remarks>
/// Instrument names are short because the Prometheus exporter prefixes the meter's name:
/// <c>binds</c> is published as <c>capstan_extender_binds</c>.
/// </remarks>
public sealed class ExtenderMetrics
{
    public const string MeterName = "Capstan.Extender";

    private readonly Counter<long> _filterNodes;
    private readonly Counter<long> _fastPathTriggers;
    private readonly Counter<long> _binds;
    private readonly Counter<long> _badRequests;

    public ExtenderMetrics(IMeterFactory meterFactory, IPlacementLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(ledger);
        var meter = meterFactory.Create(MeterName);
        _filterNodes = meter.CreateCounter<long>("filter.nodes", "{node}",
            "Candidate nodes judged by filter, by result: kept, removed (resolvable) or unresolvable.");
        _fastPathTriggers = meter.CreateCounter<long>("provisioning.triggers", "{pod}",
            "Pods handed to provisioning because filter removed every candidate node.");
        _binds = meter.CreateCounter<long>("binds", "{binding}",
            "Bind requests, by result: bound, repeated (already bound there), refused or failed.");
        _badRequests = meter.CreateCounter<long>("bad.requests", "{request}",
            "Requests answered 400, by verb.");
        meter.CreateObservableGauge("ledger.entries", () => ledger.Count, "{pod}",
            "Entries held in the placement ledger: pods Capstan bound or is binding, until the cache shows them or the TTL passes.");
    }

    internal void FilterDecided(int kept, int removed, int unresolvable)
    {
        if (kept > 0)
        {
            _filterNodes.Add(kept, new KeyValuePair<string, object?>("result", "kept"));
        }

        if (removed > 0)
        {
            _filterNodes.Add(removed, new KeyValuePair<string, object?>("result", "removed"));
        }

        if (unresolvable > 0)
        {
            _filterNodes.Add(unresolvable, new KeyValuePair<string, object?>("result", "unresolvable"));
        }
    }

    internal void FastPathTriggered() => _fastPathTriggers.Add(1);

    internal void BindFinished(string result) => _binds.Add(1, new KeyValuePair<string, object?>("result", result));

    internal void BadRequest(string verb) => _badRequests.Add(1, new KeyValuePair<string, object?>("verb", verb));
}

/// <summary>The <c>result</c> tag values of <c>binds</c>.</summary>
internal static class BindResults
{
    public const string Bound = "bound";
    public const string Repeated = "repeated";
    public const string Refused = "refused";
    public const string Failed = "failed";
}
