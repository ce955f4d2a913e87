using Microsoft.Extensions.Options;

namespace Capstan.Controllers.NodeGroups;

/// <summary>
/// Node-group scaling (<c>Capstan:NodeGroups</c>): Auto Scaling groups found by Cluster Autoscaler's discovery tags,
/// grown and shrunk with Cluster Autoscaler's rules and defaults. Off unless enabled, so that Capstan never scales a
/// group that a Cluster Autoscaler still owns.
/// </summary>
public sealed class NodeGroupOptions
{
    public const string SectionName = "Capstan:NodeGroups";

    /// <summary>Discover and scale node groups.</summary>
    public bool Enabled { get; set; }

    /// <summary>How often the groups (bounds, instances, tags) are listed again.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The expander chain that chooses between groups and provisioners (<c>least-waste</c>, <c>priority,least-waste</c>, ...).</summary>
    public string Expander { get; set; } = Core.NodeGroups.Expander.LeastWaste;

    /// <summary>
    /// Spread each scale-up over the groups similar to the one chosen (same resources, labels, taints and capacity
    /// type; usually one group per zone), keeping their sizes even (<c>--balance-similar-node-groups</c>).
    /// </summary>
    public bool BalanceSimilarNodeGroups { get; set; }

    /// <summary>More labels, comma-separated, that may differ between similar groups (<c>--balancing-ignore-label</c>).</summary>
    public string BalancingIgnoreLabels { get; set; } = "";

    /// <summary>The balancing these settings ask for.</summary>
    public Core.NodeGroups.NodeGroupBalancing Balancing() => BalanceSimilarNodeGroups
        ? Core.NodeGroups.NodeGroupBalancing.On(BalancingIgnoreLabels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        : Core.NodeGroups.NodeGroupBalancing.Off;

    /// <summary>Namespace of the <c>cluster-autoscaler-priority-expander</c> ConfigMap the priority expander reads.</summary>
    public string PriorityConfigMapNamespace { get; set; } = "kube-system";

    /// <summary>
    /// Capacity asked of a group counts as on its way for this long (Cluster Autoscaler's <c>--max-node-provision-time</c>);
    /// what has not become Ready by then no longer holds pods back, the group's desired capacity is lowered by it and
    /// the group is backed off.
    /// </summary>
    public TimeSpan ScaleUpTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a group whose scale-up failed is left out of scale-ups the first time (<c>--initial-node-group-backoff-duration</c>).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest back-off: each failure within <see cref="BackoffResetTimeout"/> of the last doubles it up to this (<c>--max-node-group-backoff-duration</c>).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A failure this long after the previous one starts again at <see cref="InitialBackoff"/> (<c>--node-group-backoff-reset-timeout</c>).</summary>
    public TimeSpan BackoffResetTimeout { get; set; } = TimeSpan.FromHours(3);

    /// <summary>Remove unneeded group nodes.</summary>
    public bool ScaleDownEnabled { get; set; } = true;

    /// <summary>How often group nodes are checked for being unneeded.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A node whose requests (the larger of CPU and memory) are below this share of its allocatable may be unneeded.</summary>
    public double ScaleDownUtilizationThreshold { get; set; } = 0.5;

    /// <summary>How long a node must stay unneeded before it is removed.</summary>
    public TimeSpan ScaleDownUnneededTime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>No scale-down for this long after a scale-up.</summary>
    public TimeSpan ScaleDownDelayAfterAdd { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>No scale-down for this long after a node was removed.</summary>
    public TimeSpan ScaleDownDelayAfterDelete { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>No scale-down for this long after a removal failed.</summary>
    public TimeSpan ScaleDownDelayAfterFailure { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Empty nodes removed at once.</summary>
    public int MaxEmptyBulkDelete { get; set; } = 10;
}

/// <summary>Refuses node-group settings that cannot work, naming each key.</summary>
public sealed class NodeGroupOptionsValidator : IValidateOptions<NodeGroupOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeGroupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = NodeGroupOptions.SectionName;
        if (Core.NodeGroups.Expander.ParseChain(options.Expander, out var problem) is null)
        {
            failures.Add($"{Section}:Expander: {problem}");
        }

        Positive(options.RefreshInterval, "RefreshInterval");
        Positive(options.ScaleUpTimeout, "ScaleUpTimeout");
        Positive(options.ScanInterval, "ScanInterval");
        Positive(options.InitialBackoff, "InitialBackoff");
        Positive(options.BackoffResetTimeout, "BackoffResetTimeout");
        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add($"{Section}:MaxBackoff must not be shorter than {Section}:InitialBackoff (got {options.MaxBackoff} and {options.InitialBackoff})");
        }

        NotNegative(options.ScaleDownUnneededTime, "ScaleDownUnneededTime");
        NotNegative(options.ScaleDownDelayAfterAdd, "ScaleDownDelayAfterAdd");
        NotNegative(options.ScaleDownDelayAfterDelete, "ScaleDownDelayAfterDelete");
        NotNegative(options.ScaleDownDelayAfterFailure, "ScaleDownDelayAfterFailure");
        if (options.ScaleDownUtilizationThreshold is < 0 or > 1 || double.IsNaN(options.ScaleDownUtilizationThreshold))
        {
            failures.Add($"{Section}:ScaleDownUtilizationThreshold must be between 0 and 1 (got {options.ScaleDownUtilizationThreshold})");
        }

        if (options.MaxEmptyBulkDelete < 1)
        {
            failures.Add($"{Section}:MaxEmptyBulkDelete must be at least 1 (got {options.MaxEmptyBulkDelete})");
        }

        if (string.IsNullOrWhiteSpace(options.PriorityConfigMapNamespace))
        {
            failures.Add($"{Section}:PriorityConfigMapNamespace must name a namespace");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{Section}:{key} must be a positive duration (got {value})");
            }
        }

        void NotNegative(TimeSpan value, string key)
        {
            if (value < TimeSpan.Zero)
            {
                failures.Add($"{Section}:{key} must not be negative (got {value})");
            }
        }
    }
}
