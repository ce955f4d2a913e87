using System.Globalization;
using Capstan.Core.Resources;
using Capstan.Core.Text;
using Capstan.Core.Scheduling;

namespace Capstan.Core.NodeGroups;

/// <summary>
/// What a group's nodes will carry, as Cluster Autoscaler reads it from the group's tags so that a group at size 0 can
/// still be planned for: <c>k8s.io/cluster-autoscaler/node-template/label/&lt;key&gt;</c> = value,
/// <c>.../taint/&lt;key&gt;</c> = <c>value:Effect</c>, <c>.../resources/&lt;name&gt;</c> = quantity, and per-group
/// overrides under <c>.../autoscaling-options/</c>.
/// </summary>
public sealed record NodeGroupTemplate
{
    public const string Prefix = "k8s.io/cluster-autoscaler/";
    public const string EnabledTag = Prefix + "enabled";
    public const string LabelPrefix = Prefix + "node-template/label/";
    public const string TaintPrefix = Prefix + "node-template/taint/";
    public const string ResourcePrefix = Prefix + "node-template/resources/";
    public const string OptionPrefix = Prefix + "node-template/autoscaling-options/";

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<Taint> Taints { get; init; } = [];

    /// <summary>Resources the tags declare (extended resources, or overrides of the type's own capacity).</summary>
    public ResourceList Resources { get; init; } = ResourceList.Empty;

    /// <summary><c>scaledownutilizationthreshold</c> for this group, when its tags set one.</summary>
    public double? ScaleDownUtilizationThreshold { get; init; }

    /// <summary><c>scaledownunneededtime</c> for this group, when its tags set one.</summary>
    public TimeSpan? ScaleDownUnneededTime { get; init; }

    /// <summary>Tags that could not be read, in words (shown by <c>capstan doctor</c> and logged at discovery).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>True when the tags carry both of Cluster Autoscaler's discovery keys for the cluster (values are not looked at).</summary>
    public static bool IsDiscoverable(IReadOnlyDictionary<string, string> tags, string clusterName)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return tags.ContainsKey(EnabledTag) && tags.ContainsKey(Prefix + clusterName);
    }

    public static NodeGroupTemplate FromTags(IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var taints = new List<Taint>();
        var resources = new List<KeyValuePair<string, Quantity>>();
        var problems = new List<string>();
        double? threshold = null;
        TimeSpan? unneeded = null;
        foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (key.StartsWith(LabelPrefix, StringComparison.Ordinal) && key.Length > LabelPrefix.Length)
            {
                labels[key[LabelPrefix.Length..]] = value;
            }
            else if (key.StartsWith(TaintPrefix, StringComparison.Ordinal) && key.Length > TaintPrefix.Length)
            {
                if (TryParseTaint(key[TaintPrefix.Length..], value, out var taint))
                {
                    taints.Add(taint);
                }
                else
                {
                    problems.Add($"tag {key}: \"{value}\" is not value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute");
                }
            }
            else if (key.StartsWith(ResourcePrefix, StringComparison.Ordinal) && key.Length > ResourcePrefix.Length)
            {
                if (Quantity.TryParse(value, out var quantity))
                {
                    resources.Add(new(key[ResourcePrefix.Length..], quantity));
                }
                else
                {
                    problems.Add($"tag {key}: \"{value}\" is not a quantity");
                }
            }
            else if (key.StartsWith(OptionPrefix, StringComparison.Ordinal))
            {
                ReadOption(key, value, ref threshold, ref unneeded, problems);
            }
        }

        return new NodeGroupTemplate
        {
            Labels = labels,
            Taints = taints,
            Resources = ResourceList.Create(resources),
            ScaleDownUtilizationThreshold = threshold,
            ScaleDownUnneededTime = unneeded,
            Problems = problems,
        };
    }

    private static bool TryParseTaint(string key, string value, out Taint taint)
    {
        // Cluster Autoscaler's format is value:Effect; the value may be empty (":NoSchedule").
        var colon = value.LastIndexOf(':');
        taint = default;
        if (colon < 0 || !Taint.TryParseEffect(value[(colon + 1)..], out var effect) || effect == TaintEffect.None)
        {
            return false;
        }

        taint = new Taint(key, value[..colon], effect);
        return true;
    }

    private static void ReadOption(string key, string value, ref double? threshold, ref TimeSpan? unneeded, List<string> problems)
    {
        switch (key[OptionPrefix.Length..])
        {
            case "scaledownutilizationthreshold":
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t is >= 0 and <= 1)
                {
                    threshold = t;
                }
                else
                {
                    problems.Add($"tag {key}: \"{value}\" is not a number between 0 and 1");
                }

                break;
            case "scaledownunneededtime":
                if (GoDuration.TryParse(value, out var d))
                {
                    unneeded = d;
                }
                else
                {
                    problems.Add($"tag {key}: \"{value}\" is not a duration such as 10m");
                }

                break;
        }
    }
}
