using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Resources;

namespace Capstan.Core.Tests.Cluster;

public sealed class ClusterChangeFeedTests
{
    private static PodView Pod(string name, string? scheduledReason = null, string? node = null) => new()
    {
        Request = new PodRequest { Namespace = "apps", Name = name, Requests = ResourceList.Of("cpu", "1") },
        NodeName = node,
        ScheduledStatus = scheduledReason is null ? null : "False",
        ScheduledReason = scheduledReason,
    };

    [Fact]
    public void Changes_OfOneObject_MergeIntoOne_FromTheFirstBeforeToTheLastAfter()
    {
        var feed = new ClusterChangeFeed();
        using var subscription = feed.Subscribe();
        var (first, second, third) = (Pod("web"), Pod("web", "Unschedulable"), Pod("web", node: "n1"));

        feed.Publish(ClusterChange.ForPod(null, first));
        feed.Publish(ClusterChange.ForPod(first, second));
        feed.Publish(ClusterChange.ForPod(null, Pod("other")));
        feed.Publish(ClusterChange.ForPod(second, third));

        Assert.Equal(2, subscription.Count);
        Assert.True(subscription.TryRead(out var web));
        Assert.Equal((ClusterChangeType.Added, null, third), (web.Type, web.PreviousPod, web.Pod));
        Assert.True(subscription.TryRead(out var other));
        Assert.Equal("apps/other", other.Key);
        Assert.False(subscription.TryRead(out _));
    }

    [Theory]
    [InlineData(ClusterChangeType.Added, ClusterChangeType.Deleted, null)]
    [InlineData(ClusterChangeType.Deleted, ClusterChangeType.Added, ClusterChangeType.Updated)]
    [InlineData(ClusterChangeType.Updated, ClusterChangeType.Deleted, ClusterChangeType.Deleted)]
    [InlineData(ClusterChangeType.Added, ClusterChangeType.Updated, ClusterChangeType.Added)]
    [InlineData(ClusterChangeType.Updated, ClusterChangeType.Updated, ClusterChangeType.Updated)]
    public void Then_MergesTypes(ClusterChangeType first, ClusterChangeType then, ClusterChangeType? merged)
    {
        var change = ClusterChange.Of(ClusterObjectKind.Namespace, first, "ns").Then(ClusterChange.Of(ClusterObjectKind.Namespace, then, "ns"));

        Assert.Equal(merged, change?.Type);
    }

    [Fact]
    public void Filter_SelectsNewObjects_ButLaterChangesOfAHeldObjectAlwaysJoinIt()
    {
        var feed = new ClusterChangeFeed();
        using var subscription = feed.Subscribe(c => c.Pod?.IsUnschedulable == true);
        var (pending, unschedulable, bound) = (Pod("web"), Pod("web", "Unschedulable"), Pod("web", node: "n1"));

        feed.Publish(ClusterChange.ForPod(null, pending));           // not wanted
        Assert.Equal(0, subscription.Count);
        feed.Publish(ClusterChange.ForPod(pending, unschedulable));  // wanted
        feed.Publish(ClusterChange.ForPod(unschedulable, bound));    // not wanted alone, but the held change must not go stale

        Assert.True(subscription.TryRead(out var change));
        Assert.Same(bound, change.Pod);
        Assert.Same(pending, change.PreviousPod);
    }

    [Fact]
    public void Publish_NeverWaits_AndMemoryIsBoundedByObjects()
    {
        var feed = new ClusterChangeFeed();
        using var unread = feed.Subscribe();

        for (var i = 0; i < 100_000; i++)
        {
            feed.Publish(ClusterChange.Of(ClusterObjectKind.Node, ClusterChangeType.Updated, $"n{i % 10}"));
        }

        Assert.Equal(10, unread.Count);
    }

    [Fact]
    public void AddedThenDeletedRepeatedly_LeavesNothing()
    {
        var feed = new ClusterChangeFeed();
        using var subscription = feed.Subscribe();

        for (var i = 0; i < 1_000; i++)
        {
            feed.Publish(ClusterChange.Of(ClusterObjectKind.Pod, ClusterChangeType.Added, "apps/flap"));
            feed.Publish(ClusterChange.Of(ClusterObjectKind.Pod, ClusterChangeType.Deleted, "apps/flap"));
        }

        feed.Publish(ClusterChange.Of(ClusterObjectKind.Pod, ClusterChangeType.Added, "apps/last"));

        Assert.True(subscription.TryRead(out var change));
        Assert.Equal("apps/last", change.Key);
        Assert.False(subscription.TryRead(out _));
    }

    [Fact]
    public async Task ReadAllAsync_WakesOnAChange_AndEndsWhenDisposed()
    {
        var feed = new ClusterChangeFeed();
        var subscription = feed.Subscribe();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = Task.Run(async () =>
        {
            var keys = new List<string>();
            await foreach (var change in subscription.ReadAllAsync(timeout.Token))
            {
                keys.Add(change.Key);
                if (keys.Count == 2)
                {
                    subscription.Dispose();
                }
            }

            return keys;
        });

        feed.Publish(ClusterChange.Of(ClusterObjectKind.Node, ClusterChangeType.Added, "n1"));
        while (subscription.Count > 0)
        {
            await Task.Yield();
        }

        feed.Publish(ClusterChange.Of(ClusterObjectKind.Node, ClusterChangeType.Added, "n2"));

        Assert.Equal(["n1", "n2"], await read.WaitAsync(timeout.Token));
        Assert.Equal(0, feed.SubscriberCount);
    }
}
