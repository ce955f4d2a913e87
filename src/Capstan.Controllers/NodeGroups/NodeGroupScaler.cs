using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.NodeGroups;
using Capstan.Core.Packing;
using Capstan.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.NodeGroups;

/// <summary>
/// The node-group side of a provisioning pass: the capacity already asked of groups (as nodes of the snapshot), the
/// plan over provisioners and groups with the configured expander, and the <c>SetDesiredCapacity</c> calls. Pods are
/// not bound here: a group's nodes get their names only when they register, and kube-scheduler places the pods then.
/// </summary>
public sealed class NodeGroupScaler
{
    private readonly NodeGroupRegistry _registry;
    private readonly IExpanderPriorities? _priorities;
    private readonly NodeGroupMetrics _metrics;
    private readonly ILogger<NodeGroupScaler> _logger;
    private readonly Expander _expander;
    private readonly bool _usesPriorities;
    private readonly NodeGroupBalancing _balancing;

    public NodeGroupScaler(NodeGroupRegistry registry, NodeGroupOptions options, IExpanderPriorities? priorities, NodeGroupMetrics metrics,
        TimeProvider time, ILogger<NodeGroupScaler> logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _registry = registry;
        _priorities = priorities;
        _metrics = metrics;
        _logger = logger;
        var chain = Expander.ParseChain(options.Expander, out var problem) ?? throw new ArgumentException(problem, nameof(options));
        // The random expander must differ between runs; a seed from the clock keeps tests on a fake clock repeatable.
        _expander = new Expander(chain, new Random((int)(time.GetTimestamp() & int.MaxValue)));
        _usesPriorities = chain.Contains(Expander.Priority);
        _balancing = options.Balancing();
    }

    public bool Enabled => _registry.Enabled;

    /// <summary>Capacity asked of groups that has not registered yet, as snapshot nodes.</summary>
    public IReadOnlyList<NodeView> Upcoming(IReadOnlyList<NodeView> nodes) => _registry.Upcoming(nodes);

    /// <summary>Plans the snapshot over its provisioners and the groups (listing them first if that has not happened yet).</summary>
    public async Task<NodeGroupPlan> PlanAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_registry.RefreshedAt is null)
        {
            await _registry.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        await LowerTimedOutAsync(cancellationToken).ConfigureAwait(false);
        var priorities = _usesPriorities && _priorities is not null ? await _priorities.GetAsync(cancellationToken).ConfigureAwait(false) : null;
        return NodeGroupPlanner.Plan(snapshot, _registry.Available(), _expander, priorities, _balancing);
    }

    /// <summary>
    /// Takes back what timed-out scale-ups asked for, as Cluster Autoscaler fixes a group's size when nodes did not
    /// come: the desired capacity goes down by the missing nodes, so that the group does not launch them later, when
    /// nothing waits for them any more.
    /// </summary>
    private async Task LowerTimedOutAsync(CancellationToken cancellationToken)
    {
        foreach (var (group, from, to) in _registry.TakeTimedOut())
        {
            _logger.NodeGroupTargetLowered(group.Name, from, to);
            try
            {
                await _registry.Provider.SetDesiredCapacityAsync(group.Name, to, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudProviderException e)
            {
                _logger.NodeGroupTargetLowerFailed(group.Name, from, to, e.Message);
                continue;
            }

            _registry.Lowered(group.Name, to);
        }
    }

    /// <summary>Sets the group's new desired capacity; false (logged) when the cloud refused or failed.</summary>
    public async Task<bool> ScaleUpAsync(NodeGroupScaleUp scaleUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scaleUp);
        var group = scaleUp.Group;
        _logger.NodeGroupScaleUp(group.Name, scaleUp.From, scaleUp.To, scaleUp.Pods.Count);
        try
        {
            await _registry.Provider.SetDesiredCapacityAsync(group.Name, scaleUp.To, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudProviderException e)
        {
            _logger.NodeGroupScaleUpFailed(group.Name, scaleUp.From, scaleUp.To, e.Message, scaleUp.Pods.Count);
            // Throttling and the like were retried by the provider already; the next batch tries again. A refusal
            // (a group at its max, a suspended process, a validation error) would be refused again: back off.
            if (!e.Retryable)
            {
                _logger.NodeGroupBackedOff(group.Name, e.Message, _registry.BackOff(group.Name));
            }

            return false;
        }

        _registry.ScaledUp(group.Name, scaleUp.To);
        _metrics.Scaled(group.Name, "up", scaleUp.Nodes);
        return true;
    }
}
