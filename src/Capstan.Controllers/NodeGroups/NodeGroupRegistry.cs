using Capstan.Core.Cluster;
using Capstan.Core.NodeGroups;
using Capstan.Core.Ports;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.NodeGroups;

/// <summary>
/// What Capstan knows of the node groups between two listings: the groups, which node belongs to which (by the
/// instance id in its providerID), and the capacity asked of each group that has not registered yet. Shared by the
/// scale-up (provisioning pass), the scale-down controller, the termination controller and the refresh loop.
/// </summary>
public sealed class NodeGroupRegistry(INodeGroupProvider provider, NodeGroupOptions options, TimeProvider time, ILogger<NodeGroupRegistry> logger)
{
    private readonly Lock _gate = new();
    private IReadOnlyList<NodeGroup> _groups = [];
    private Dictionary<string, NodeGroup> _byInstance = new(StringComparer.Ordinal);
    private HashSet<string> _notInAnyGroup = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingScaleUp> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Desired, DateTimeOffset At)> _desired = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backoff> _backoffs = new(StringComparer.Ordinal);
    private readonly List<(string Group, int Missing)> _timedOut = [];

    public bool Enabled => options.Enabled;

    public INodeGroupProvider Provider => provider;

    /// <summary>The groups as last listed, with the desired capacity Capstan has set since.</summary>
    public IReadOnlyList<NodeGroup> Groups
    {
        get
        {
            lock (_gate)
            {
                return _groups;
            }
        }
    }

    public DateTimeOffset? RefreshedAt { get; private set; }

    /// <summary>When Capstan last grew any group (scale-down waits <see cref="NodeGroupOptions.ScaleDownDelayAfterAdd"/> after it).</summary>
    public DateTimeOffset? LastScaleUp { get; private set; }

    /// <summary>When Capstan last removed a group node.</summary>
    public DateTimeOffset? LastScaleDown { get; private set; }

    /// <summary>Lists the groups again; on failure the last listing stays and the error is logged.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        IReadOnlyList<NodeGroup> groups;
        try
        {
            groups = await provider.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Core.Cloud.CloudProviderException e)
        {
            logger.NodeGroupDiscoveryFailed(e.Message);
            return false;
        }

        lock (_gate)
        {
            var known = _groups.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var group in groups.Where(g => !known.Contains(g.Name)))
            {
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.NodeGroupDiscovered(group.Name, group.MinSize, group.DesiredCapacity, group.MaxSize,
                        string.Join(", ", group.InstanceTypes.Select(t => t.Name)), group.CapacityType);
                }

                foreach (var problem in group.Template.Problems)
                {
                    logger.NodeGroupTagProblem(group.Name, problem);
                }
            }

            // The listing is the truth for desired capacity, except for what Capstan set while the call was under way.
            foreach (var stale in _desired.Where(d => d.Value.At < started).Select(d => d.Key).ToList())
            {
                _desired.Remove(stale);
            }

            _groups = groups;
            _byInstance = groups.SelectMany(g => g.Instances.Select(i => (i.InstanceId, Group: g)))
                .GroupBy(p => p.InstanceId, StringComparer.Ordinal)
                .ToDictionary(p => p.Key, p => p.First().Group, StringComparer.Ordinal);
            RefreshedAt = time.GetUtcNow();
        }

        return true;
    }

    /// <summary>The group a node belongs to, or null (Capstan's own nodes, nodes of groups not discovered).</summary>
    public NodeGroup? GroupOf(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.ProviderId is not { } providerId || node.ProvisionerName is not null)
        {
            return null;
        }

        var instanceId = providerId[(providerId.LastIndexOf('/') + 1)..];
        lock (_gate)
        {
            return _byInstance.GetValueOrDefault(instanceId);
        }
    }

    /// <summary>
    /// True when a node that Capstan did not launch runs an instance that no group listed and no listing has been asked
    /// about yet (a refresh would tell whether it is a group's new node).
    /// </summary>
    public bool IsUnknownInstance(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.ProvisionerName is not null || node.ProviderId is not { } id || !id.StartsWith("aws://", StringComparison.Ordinal) || GroupOf(node) is not null)
        {
            return false;
        }

        lock (_gate)
        {
            return !_notInAnyGroup.Contains(id);
        }
    }

    /// <summary>Remembers the nodes a refresh did not place in any group, so that they do not ask for another one.</summary>
    public void RememberUnknown(IEnumerable<NodeView> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        // Only the nodes there now: the set does not grow with the cluster's history.
        var unknown = nodes.Where(n => n.ProvisionerName is null && n.ProviderId is { } id && id.StartsWith("aws://", StringComparison.Ordinal) && GroupOf(n) is null)
            .Select(n => n.ProviderId!).ToHashSet(StringComparer.Ordinal);
        lock (_gate)
        {
            _notInAnyGroup = unknown;
        }
    }

    /// <summary>Groups with the desired capacity Capstan has set since the last listing.</summary>
    public IReadOnlyList<NodeGroup> Current()
    {
        lock (_gate)
        {
            return [.. _groups.Select(g => _desired.TryGetValue(g.Name, out var set) ? g with { DesiredCapacity = set.Desired } : g)];
        }
    }

    /// <summary>The groups a scale-up may use now: <see cref="Current"/> without the ones backed off after a failure.</summary>
    public IReadOnlyList<NodeGroup> Available()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return [.. Current().Where(g => BackedOffUntilLocked(g.Name, now) is null)];
        }
    }

    /// <summary>When the group may be grown again, or null when it is not backed off.</summary>
    public DateTimeOffset? BackedOffUntil(string groupName)
    {
        lock (_gate)
        {
            return BackedOffUntilLocked(groupName, time.GetUtcNow());
        }
    }

    private DateTimeOffset? BackedOffUntilLocked(string groupName, DateTimeOffset now) =>
        _backoffs.TryGetValue(groupName, out var b) && b.Until > now ? b.Until : null;

    /// <summary>How long the group stays backed off from now (zero when it is not).</summary>
    public TimeSpan BackoffRemaining(string groupName)
    {
        var now = time.GetUtcNow();
        return BackedOffUntil(groupName) is { } until ? until - now : TimeSpan.Zero;
    }

    /// <summary>
    /// Leaves the group out of scale-ups after a failure, as Cluster Autoscaler backs a group off: for
    /// <see cref="NodeGroupOptions.InitialBackoff"/>, doubled by each failure that follows within
    /// <see cref="NodeGroupOptions.BackoffResetTimeout"/> of the last, up to <see cref="NodeGroupOptions.MaxBackoff"/>.
    /// A scale-up that completes ends it. Returns how long this back-off lasts.
    /// </summary>
    public TimeSpan BackOff(string groupName)
    {
        lock (_gate)
        {
            return BackOffLocked(groupName, time.GetUtcNow());
        }
    }

    private TimeSpan BackOffLocked(string groupName, DateTimeOffset now)
    {
        var duration = _backoffs.TryGetValue(groupName, out var last) && now - last.FailedAt < options.BackoffResetTimeout
            ? TimeSpan.FromTicks(Math.Min(last.Duration.Ticks * 2, options.MaxBackoff.Ticks))
            : options.InitialBackoff;
        _backoffs[groupName] = new Backoff(now + duration, duration, now);
        return duration;
    }

    /// <summary>
    /// The groups whose scale-up timed out since the last call, each with the desired capacity to lower it to: by the
    /// nodes that did not come, never below its min size or the instances it already has (lowering below those would
    /// make the group terminate instances of its own choosing).
    /// </summary>
    public IReadOnlyList<(NodeGroup Group, int From, int To)> TakeTimedOut()
    {
        lock (_gate)
        {
            var lowered = new List<(NodeGroup, int, int)>();
            foreach (var (name, missing) in _timedOut)
            {
                if (_groups.FirstOrDefault(g => g.Name == name) is not { } group)
                {
                    continue;
                }

                var from = _desired.TryGetValue(name, out var set) ? set.Desired : group.DesiredCapacity;
                var to = Math.Max(Math.Max(group.MinSize, group.Instances.Count), from - missing);
                if (to < from)
                {
                    lowered.Add((group, from, to));
                }
            }

            _timedOut.Clear();
            return lowered;
        }
    }

    /// <summary>Records a desired capacity Capstan lowered itself (after a timed-out scale-up).</summary>
    public void Lowered(string groupName, int desired)
    {
        lock (_gate)
        {
            SetDesiredLocked(groupName, desired, time.GetUtcNow());
        }
    }

    /// <summary>A desired capacity Capstan set: it holds over listings that started before it.</summary>
    private void SetDesiredLocked(string groupName, int desired, DateTimeOffset now) => _desired[groupName] = (desired, now);

    /// <summary>Records a scale-up Capstan made: the group's new desired capacity and the nodes now on their way.</summary>
    public void ScaledUp(string groupName, int desired)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            SetDesiredLocked(groupName, desired, now);
            _pending[groupName] = new PendingScaleUp(desired, now);
            LastScaleUp = now;
        }
    }

    /// <summary>Records that one node of the group was removed with the desired capacity lowered.</summary>
    public void ScaledDown(string groupName)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var group = _groups.FirstOrDefault(g => g.Name == groupName);
            if (group is not null)
            {
                var current = _desired.TryGetValue(groupName, out var set) ? set.Desired : group.DesiredCapacity;
                SetDesiredLocked(groupName, Math.Max(group.MinSize, current - 1), now);
            }

            LastScaleDown = now;
        }
    }

    /// <summary>
    /// The capacity asked of groups that has not registered as Ready nodes yet, as nodes the packing core can place
    /// pods on (never bound to: their names are not real). A scale-up older than
    /// <see cref="NodeGroupOptions.ScaleUpTimeout"/> no longer counts, and is logged once.
    /// </summary>
    public IReadOnlyList<NodeView> Upcoming(IReadOnlyList<NodeView> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var now = time.GetUtcNow();
        var ready = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.Ready && !node.MarkedForDeletion && GroupOf(node) is { } group)
            {
                ready[group.Name] = ready.GetValueOrDefault(group.Name) + 1;
            }
        }

        var upcoming = new List<NodeView>();
        lock (_gate)
        {
            foreach (var (name, pending) in _pending.ToList())
            {
                var missing = pending.Desired - ready.GetValueOrDefault(name);
                var group = _groups.FirstOrDefault(g => g.Name == name);
                if (missing <= 0 || group?.PlannedType is null)
                {
                    if (missing <= 0)
                    {
                        _backoffs.Remove(name);
                    }

                    _pending.Remove(name);
                    continue;
                }

                if (now - pending.At >= options.ScaleUpTimeout)
                {
                    var backoff = BackOffLocked(name, now);
                    logger.NodeGroupScaleUpTimedOut(name, missing, options.ScaleUpTimeout, backoff);
                    _timedOut.Add((name, missing));
                    _pending.Remove(name);
                    continue;
                }

                for (var i = 1; i <= missing; i++)
                {
                    upcoming.Add(UpcomingNode(group, i));
                }
            }
        }

        return upcoming;
    }

    /// <summary>True for the names <see cref="Upcoming"/> makes up.</summary>
    public static bool IsUpcoming(string nodeName) => nodeName.StartsWith(UpcomingPrefix, StringComparison.Ordinal);

    private const string UpcomingPrefix = "upcoming.";

    private static NodeView UpcomingNode(NodeGroup group, int index)
    {
        var type = group.PlannedType!;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in type.Requirements.SingleValuedLabels())
        {
            labels[key] = value;
        }

        if (group.Zones.Count > 0)
        {
            labels[Labels.Zone] = group.Zones[0];
        }

        labels.Remove(Labels.CapacityType);
        foreach (var (key, value) in group.Template.Labels)
        {
            labels[key] = value;
        }

        var name = $"{UpcomingPrefix}{group.Name}.{index}";
        labels[Labels.Hostname] = name;
        return new NodeView
        {
            Name = name,
            Labels = labels,
            Taints = group.Template.Taints,
            Capacity = type.Capacity,
            Allocatable = type.Allocatable,
            InFlight = true,
        };
    }

    private sealed record PendingScaleUp(int Desired, DateTimeOffset At);

    private sealed record Backoff(DateTimeOffset Until, TimeSpan Duration, DateTimeOffset FailedAt);
}
