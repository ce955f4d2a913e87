using System.Diagnostics.Metrics;
using Capstan.Core.Ports;

namespace Capstan.Controllers.NodeGroups;

/// <summary>
/// Node-group metrics on the <c>Capstan</c> meter: <c>capstan_nodegroup_size{group,kind=min|max|desired|ready}</c> and
/// <c>capstan_nodegroup_scale_total{group,direction=up|down}</c> (nodes added or removed) and
/// <c>capstan_nodegroup_backoff_seconds{group}</c> (how long the group still gets no scale-up after a failure).
/// </summary>
public sealed class NodeGroupMetrics
{
    private readonly Counter<long> _scaled;

    public NodeGroupMetrics(IMeterFactory meterFactory, NodeGroupRegistry registry, IClusterState cluster)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(cluster);
        var meter = meterFactory.Create(ProvisioningMetrics.MeterName);
        meter.CreateObservableGauge("nodegroup.size", () => Sizes(registry, cluster), "{node}",
            "Each node group's bounds, desired capacity and Ready nodes.");
        meter.CreateObservableGauge("nodegroup.backoff.seconds", () => Backoffs(registry), "s",
            "How long each node group still gets no scale-up after a failed one (0 when it may be grown).");
        _scaled = meter.CreateCounter<long>("nodegroup.scale.total", "{node}",
            "Nodes Capstan added to or removed from each node group.");
    }

    public void Scaled(string group, string direction, int nodes) =>
        _scaled.Add(nodes, new KeyValuePair<string, object?>("group", group), new KeyValuePair<string, object?>("direction", direction));

    private static List<Measurement<long>> Sizes(NodeGroupRegistry registry, IClusterState cluster)
    {
        var groups = registry.Current();
        var measurements = new List<Measurement<long>>(groups.Count * 4);
        if (groups.Count == 0)
        {
            return measurements;
        }

        var ready = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes())
        {
            if (node.Ready && registry.GroupOf(node) is { } group)
            {
                ready[group.Name] = ready.GetValueOrDefault(group.Name) + 1;
            }
        }

        foreach (var group in groups)
        {
            measurements.Add(Size(group.Name, "min", group.MinSize));
            measurements.Add(Size(group.Name, "max", group.MaxSize));
            measurements.Add(Size(group.Name, "desired", group.DesiredCapacity));
            measurements.Add(Size(group.Name, "ready", ready.GetValueOrDefault(group.Name)));
        }

        return measurements;
    }

    private static List<Measurement<long>> Backoffs(NodeGroupRegistry registry) =>
        [.. registry.Current().Select(g => new Measurement<long>((long)Math.Ceiling(registry.BackoffRemaining(g.Name).TotalSeconds), new KeyValuePair<string, object?>("group", g.Name)))];

    private static Measurement<long> Size(string group, string kind, long value) =>
        new(value, new KeyValuePair<string, object?>("group", group), new KeyValuePair<string, object?>("kind", kind));
}
