using System.Diagnostics.Metrics;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Ports;
using Capstan.Core.Resources;

namespace Capstan.Controllers;

/// <summary>
/// The provisioning loop's metrics on the <c>Capstan</c> meter, published by prometheus-net as <c>capstan_*</c>:
/// pending pods, batch sizes, pass and packing durations, launches, bindings and time to bind, fleet price, and each
/// provisioner's usage against its limits.
/// </summary>
public sealed class ProvisioningMetrics
{
    public const string MeterName = "Capstan";

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _provisioningDuration;
    private readonly Histogram<double> _packingDuration;
    private readonly Counter<long> _launched;
    private readonly Counter<long> _bound;
    private readonly Histogram<double> _timeToBind;
    private readonly Lock _gate = new();
    private IReadOnlyList<Measurement<double>> _usage = [];
    private IReadOnlyList<Measurement<double>> _limits = [];

    public ProvisioningMetrics(IMeterFactory meterFactory, IClusterState cluster)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(cluster);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("pods.pending", () => cluster.IsSynced ? cluster.PendingPodViews().Count(Provisionable.Is) : 0, "{pod}",
            "Pods kube-scheduler marked Unschedulable that Capstan may provision for.");
        _batchSize = meter.CreateHistogram<int>("provisioning.batch.size", "{pod}", "Provisionable pods in each batch.");
        _provisioningDuration = meter.CreateHistogram<double>("provisioning.duration.seconds", "s",
            "Time from a batch's close to its last launch, node and binding.");
        _packingDuration = meter.CreateHistogram<double>("packing.duration.seconds", "s", "Time the packing core took for one batch.");
        _launched = meter.CreateCounter<long>("nodes.launched.total", "{node}",
            "Instances launched, by provisioner, instance type, zone and capacity type.");
        _bound = meter.CreateCounter<long>("pods.bound.total", "{pod}", "Pods Capstan bound to the nodes it launched.");
        _timeToBind = meter.CreateHistogram<double>("pod.time.to.bind.seconds", "s", "Time from a pod's creation to Capstan's binding of it.");
        meter.CreateObservableGauge("fleet.price.per.hour", () => FleetPrice(cluster), "{USD}/h",
            "Sum of the hourly prices of the nodes Capstan launched.");
        meter.CreateObservableGauge("provisioner.usage", () => Read(ref _usage), "{unit}",
            "Resources each provisioner has provisioned (node capacity), by provisioner and resource.");
        meter.CreateObservableGauge("provisioner.limit", () => Read(ref _limits), "{unit}",
            "Each provisioner's limits.resources, by provisioner and resource.");
    }

    public void BatchClosed(int pods) => _batchSize.Record(pods);

    public void Provisioned(TimeSpan elapsed) => _provisioningDuration.Record(elapsed.TotalSeconds);

    public void Packed(TimeSpan elapsed) => _packingDuration.Record(elapsed.TotalSeconds);

    public void Launched(string provisioner, string instanceType, string zone, string capacityType) =>
        _launched.Add(1,
            new KeyValuePair<string, object?>("provisioner", provisioner),
            new KeyValuePair<string, object?>("instance_type", instanceType),
            new KeyValuePair<string, object?>("zone", zone),
            new KeyValuePair<string, object?>("capacity_type", capacityType));

    public void Bound(TimeSpan? sinceCreation)
    {
        _bound.Add(1);
        if (sinceCreation is { } elapsed && elapsed >= TimeSpan.Zero)
        {
            _timeToBind.Record(elapsed.TotalSeconds);
        }
    }

    /// <summary>Replaces the usage and limit figures (one set per provisioner).</summary>
    public void ProvisionerResources(IEnumerable<(string Provisioner, ResourceList Usage, ResourceList? Limits)> provisioners)
    {
        ArgumentNullException.ThrowIfNull(provisioners);
        var usage = new List<Measurement<double>>();
        var limits = new List<Measurement<double>>();
        foreach (var (name, used, limit) in provisioners)
        {
            usage.AddRange(used.Select(r => Figure(name, r.Key, r.Value)));
            limits.AddRange((limit ?? ResourceList.Empty).Select(r => Figure(name, r.Key, r.Value)));
        }

        lock (_gate)
        {
            _usage = usage;
            _limits = limits;
        }
    }

    private static Measurement<double> Figure(string provisioner, string resource, Quantity value) =>
        new(value.ToDouble(),
            new KeyValuePair<string, object?>("provisioner", provisioner),
            new KeyValuePair<string, object?>("resource", resource));

    private IReadOnlyList<Measurement<double>> Read(ref IReadOnlyList<Measurement<double>> field)
    {
        lock (_gate)
        {
            return field;
        }
    }

    private static double FleetPrice(IClusterState cluster)
    {
        if (!cluster.IsSynced)
        {
            return 0;
        }

        var total = 0.0;
        foreach (var node in cluster.Nodes())
        {
            if (node.ProvisionerName is not null && !node.MarkedForDeletion)
            {
                total += node.PricePerHour ?? 0;
            }
        }

        return total;
    }
}
