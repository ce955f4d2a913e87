namespace Capstan.Core.Cluster;

/// <summary>
/// Fans the changes of a cluster state out to its subscribers without ever waiting for one: each subscriber has
/// its own queue of changed objects, in which changes to the same object are merged, so a slow subscriber costs
/// memory bounded by the number of objects, never a blocked watch and never a lost change.
/// </summary>
public sealed class ClusterChangeFeed
{
    private readonly Lock _gate = new();
    private volatile ClusterSubscription[] _subscribers = [];

    public int SubscriberCount => _subscribers.Length;

    /// <summary>
    /// Starts a subscription; it sees every change published from now on that <paramref name="filter"/> accepts (and
    /// every later change of an object it already holds). The filter runs on the publisher's thread (under the
    /// cluster state's lock): keep it cheap and free of I/O.
    /// </summary>
    public ClusterSubscription Subscribe(Func<ClusterChange, bool>? filter = null)
    {
        var subscription = new ClusterSubscription(this, filter);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    /// <summary>Hands the change to every subscriber; never blocks.</summary>
    public void Publish(ClusterChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Offer(change);
        }
    }

    internal void Remove(ClusterSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscription))];
        }
    }
}
