using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Capstan.Core.Cluster;

/// <summary>
/// One subscriber's view of a <see cref="ClusterChangeFeed"/>: the changed objects it has not read yet, oldest
/// first, one merged <see cref="ClusterChange"/> per object. Subscribe before reading the cluster state, so that
/// nothing that changes after that read is missed. Dispose to stop receiving.
/// </summary>
public sealed class ClusterSubscription : IDisposable
{
    private readonly ClusterChangeFeed _feed;
    private readonly Func<ClusterChange, bool>? _filter;
    private readonly Lock _gate = new();
    private readonly Dictionary<(ClusterObjectKind Kind, string Key), ClusterChange> _pending = [];
    private Queue<(ClusterObjectKind Kind, string Key)> _order = new();

    // A doorbell: one token means "there may be changes"; writers never wait on it.
    private readonly Channel<bool> _bell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    internal ClusterSubscription(ClusterChangeFeed feed, Func<ClusterChange, bool>? filter)
    {
        _feed = feed;
        _filter = filter;
    }

    /// <summary>Objects with a change not read yet.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Takes the oldest unread change, if there is one.</summary>
    public bool TryRead([NotNullWhen(true)] out ClusterChange? change)
    {
        lock (_gate)
        {
            while (_order.TryDequeue(out var key))
            {
                if (_pending.Remove(key, out change))
                {
                    return true;
                }
            }
        }

        change = null;
        return false;
    }

    /// <summary>Waits until a change may be there to read; false once the subscription is disposed.</summary>
    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Count > 0)
            {
                return true;
            }

            if (!await _bell.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            _bell.Reader.TryRead(out _);
        }
    }

    /// <summary>Every change, as it comes, until the subscription is disposed or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<ClusterChange> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryRead(out var change))
            {
                yield return change;
            }
        }
    }

    public void Dispose()
    {
        _feed.Remove(this);
        _bell.Writer.TryComplete();
    }

    internal void Offer(ClusterChange change)
    {
        var key = (change.Kind, change.Key);
        lock (_gate)
        {
            if (_pending.TryGetValue(key, out var earlier))
            {
                // Once an object is queued every later change joins it, so what is read is never older than the object.
                if (earlier.Then(change) is { } merged)
                {
                    _pending[key] = merged;
                }
                else
                {
                    _pending.Remove(key);
                }

                return;
            }

            if (_filter is not null && !_filter(change))
            {
                return;
            }

            _pending[key] = change;
            _order.Enqueue(key);
            if (_order.Count > (2 * _pending.Count) + 64)
            {
                // Objects added and deleted again before a read leave stale places in the queue: drop them.
                _order = new Queue<(ClusterObjectKind Kind, string Key)>(_order.Where(_pending.ContainsKey).Distinct());
            }
        }

        _bell.Writer.TryWrite(true);
    }
}
