using System.Collections.Concurrent;
using Capstan.Core.Cloud;
using Capstan.Core.NodeGroups;
using Capstan.Core.Ports;

namespace Capstan.Controllers.Tests;

/// <summary>
/// The node-group port as a test double: groups kept in memory, desired capacity set as asked (refused above max, as
/// Auto Scaling does), instances removed with the desired capacity lowered; every call recorded. Launching instances
/// for a higher desired capacity is the test's move (<see cref="ControllerHarness.RegisterGroupNode"/>).
/// </summary>
internal sealed class FakeNodeGroups : INodeGroupProvider
{
    private readonly ConcurrentDictionary<string, NodeGroup> _groups = new(StringComparer.Ordinal);

    public List<(string Group, int Desired)> SetDesiredCalls { get; } = [];

    public List<string> TerminateCalls { get; } = [];

    public int DiscoverCalls { get; private set; }

    /// <summary>When set, SetDesiredCapacity fails with this message (retryable, as throttling is).</summary>
    public string? FailSetDesired { get; set; }

    public void Put(NodeGroup group) => _groups[group.Name] = group;

    public NodeGroup this[string name] => _groups[name];

    public Task<IReadOnlyList<NodeGroup>> DiscoverAsync(CancellationToken cancellationToken)
    {
        DiscoverCalls++;
        return Task.FromResult<IReadOnlyList<NodeGroup>>([.. _groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal)]);
    }

    public Task SetDesiredCapacityAsync(string groupName, int desiredCapacity, CancellationToken cancellationToken)
    {
        lock (SetDesiredCalls)
        {
            SetDesiredCalls.Add((groupName, desiredCapacity));
        }

        if (FailSetDesired is { } message)
        {
            throw new CloudProviderException("SetDesiredCapacity", "Throttling", message, retryable: true);
        }

        var group = _groups[groupName];
        if (desiredCapacity > group.MaxSize || desiredCapacity < group.MinSize)
        {
            throw new CloudProviderException("SetDesiredCapacity", "ValidationError", $"New SetDesiredCapacity value {desiredCapacity} is outside {group.MinSize}..{group.MaxSize}", retryable: false);
        }

        _groups[groupName] = group with { DesiredCapacity = desiredCapacity };
        return Task.CompletedTask;
    }

    public Task<bool> TerminateInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        lock (TerminateCalls)
        {
            TerminateCalls.Add(instanceId);
        }

        var group = _groups.Values.FirstOrDefault(g => g.Instances.Any(i => i.InstanceId == instanceId));
        if (group is null)
        {
            return Task.FromResult(false);
        }

        _groups[group.Name] = group with
        {
            DesiredCapacity = group.DesiredCapacity - 1,
            Instances = [.. group.Instances.Where(i => i.InstanceId != instanceId)],
        };
        return Task.FromResult(true);
    }
}
