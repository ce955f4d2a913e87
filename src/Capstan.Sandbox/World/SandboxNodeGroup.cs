using Capstan.Core.NodeGroups;
using Capstan.Sandbox.Aws;

namespace Capstan.Sandbox.World;

/// <summary>
/// A Cluster Autoscaler-style node group the world creates at start (a scenario's <c>nodeGroups:</c> entry): an
/// Auto Scaling group with its own launch template, tagged for discovery in the sandbox cluster and with node-template
/// tags for its labels and taints, so that Capstan finds and scales it as it would a real one.
/// </summary>
public sealed record SandboxNodeGroup
{
    public required string Name { get; init; }

    public required int MinSize { get; init; }

    public required int MaxSize { get; init; }

    public required int DesiredCapacity { get; init; }

    /// <summary>The instance types, highest priority first (one on-demand type: a plain launch template group; otherwise a mixed instances policy).</summary>
    public required IReadOnlyList<string> InstanceTypes { get; init; }

    /// <summary><c>on-demand</c> or <c>spot</c>.</summary>
    public string CapacityType { get; init; } = "on-demand";

    /// <summary>The zones whose subnets the group uses; null for every zone of the world.</summary>
    public IReadOnlyList<string>? Zones { get; init; }

    /// <summary>Labels its nodes carry (node-template label tags).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Taints its nodes carry, as <c>key=value:Effect</c> or <c>key:Effect</c> (node-template taint tags).</summary>
    public IReadOnlyList<string> Taints { get; init; } = [];

    /// <summary>Further tags of the group (propagated to its instances).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The group's tags: discovery for <paramref name="clusterName"/>, node templates, EKS's own and the extra ones.</summary>
    public IReadOnlyList<StandInGroupTag> GroupTags(string clusterName)
    {
        var tags = new List<StandInGroupTag>
        {
            new(NodeGroupTemplate.EnabledTag, "true", false),
            new(NodeGroupTemplate.Prefix + clusterName, "owned", false),
            new($"kubernetes.io/cluster/{clusterName}", "owned", true),
            new("eks:cluster-name", clusterName, true),
            new("eks:nodegroup-name", Name, true),
        };
        tags.AddRange(Labels.Select(l => new StandInGroupTag(NodeGroupTemplate.LabelPrefix + l.Key, l.Value, false)));
        foreach (var taint in Taints)
        {
            var colon = taint.LastIndexOf(':');
            var keyValue = colon < 0 ? taint : taint[..colon];
            var effect = colon < 0 ? "NoSchedule" : taint[(colon + 1)..];
            var eq = keyValue.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = eq < 0 ? (keyValue, "") : (keyValue[..eq], keyValue[(eq + 1)..]);
            tags.Add(new StandInGroupTag(NodeGroupTemplate.TaintPrefix + key, $"{value}:{effect}", false));
        }

        tags.AddRange(Tags.Select(t => new StandInGroupTag(t.Key, t.Value, true)));
        return tags;
    }
}
