namespace Capstan.Controllers.Provisioning;

/// <summary>
/// Gathers pending pods into batches, as Karpenter does: a batch closes when no new pod has come for the idle window
/// or when the max window since its first pod has passed. A pod added twice counts once. Adding never blocks.
/// </summary>
public sealed class ProvisioningBatcher
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _max;
    private readonly Lock _gate = new();
    private HashSet<string> _keys = new(StringComparer.Ordinal);
    private DateTimeOffset _first;
    private DateTimeOffset _last;
    private TaskCompletionSource _arrived = NewSignal();
    private int _parked;

    public ProvisioningBatcher(TimeProvider time, TimeSpan idle, TimeSpan max)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _idle = idle;
        _max = max;
    }

    /// <summary>Pods in the open batch.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _keys.Count;
            }
        }
    }

    /// <summary>Waiters sleeping until a batch's window closes (tests wait for this before they move a fake clock).</summary>
    internal int Parked => Volatile.Read(ref _parked);

    /// <summary>Adds a pod (<c>namespace/name</c>) to the open batch, opening one if none is; false when it was there already.</summary>
    public bool Add(string podKey)
    {
        ArgumentNullException.ThrowIfNull(podKey);
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            if (!_keys.Add(podKey))
            {
                return false;
            }

            var now = _time.GetUtcNow();
            if (_keys.Count == 1)
            {
                _first = now;
                wake = _arrived;
            }

            _last = now;
        }

        wake?.TrySetResult();
        return true;
    }

    /// <summary>Waits for a batch to open and then to close; answers its pods (never empty).</summary>
    public async Task<IReadOnlySet<string>> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                arrived = _arrived.Task;
                if (_keys.Count > 0)
                {
                    arrived = Task.CompletedTask;
                }
            }

            await arrived.WaitAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                Task delay;
                lock (_gate)
                {
                    var now = _time.GetUtcNow();
                    var closes = Min(_last + _idle, _first + _max);
                    if (now >= closes)
                    {
                        var batch = _keys;
                        _keys = new HashSet<string>(StringComparer.Ordinal);
                        _arrived = NewSignal();
                        return batch;
                    }

                    delay = Task.Delay(closes - now, _time, cancellationToken);
                    Interlocked.Increment(ref _parked);
                }

                try
                {
                    await delay.ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _parked);
                }
            }
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
