using System.Globalization;
using Capstan.Core.Cloud;
using Capstan.Core.Ports;

namespace Capstan.Controllers.Tests;

/// <summary>
/// The interruption queue as a test double: messages sent here are received once (then invisible, as under a
/// visibility timeout) until completed or <see cref="Redeliver"/>ed; an empty receive waits out a 20-second long poll
/// on the clock. Records when each receive was made.
/// </summary>
internal sealed class FakeInterruptionSource(TimeProvider time) : IInterruptionSource
{
    private readonly Lock _gate = new();
    private readonly List<InterruptionEvent> _visible = [];
    private readonly List<InterruptionEvent> _received = [];
    private readonly List<InterruptionEvent> _completed = [];
    private readonly List<DateTimeOffset> _receives = [];
    private int _next;

    /// <summary>The next receives throw a retryable cloud error.</summary>
    public int FailReceives { get; set; }

    public IReadOnlyList<InterruptionEvent> Completed
    {
        get
        {
            lock (_gate)
            {
                return [.. _completed];
            }
        }
    }

    /// <summary>Received and neither completed nor visible again.</summary>
    public IReadOnlyList<InterruptionEvent> Invisible
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    public IReadOnlyList<DateTimeOffset> Receives
    {
        get
        {
            lock (_gate)
            {
                return [.. _receives];
            }
        }
    }

    /// <summary>Queues a message about the instances, emitted now; a spot warning's deadline is two minutes on.</summary>
    public InterruptionEvent Send(InterruptionKind kind, params string[] instanceIds)
    {
        lock (_gate)
        {
            var n = ++_next;
            var now = time.GetUtcNow();
            var message = new InterruptionEvent
            {
                Kind = kind,
                InstanceIds = instanceIds,
                Time = now,
                Deadline = kind == InterruptionKind.SpotInterrupted ? now.AddMinutes(2) : null,
                MessageId = "msg-" + n.ToString(CultureInfo.InvariantCulture),
                Receipt = "receipt-" + n.ToString(CultureInfo.InvariantCulture),
            };
            _visible.Add(message);
            return message;
        }
    }

    /// <summary>The visibility timeout passed: messages received and not completed can be received again.</summary>
    public void Redeliver()
    {
        lock (_gate)
        {
            _visible.AddRange(_received);
            _received.Clear();
        }
    }

    public async Task<IReadOnlyList<InterruptionEvent>> ReceiveAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _receives.Add(time.GetUtcNow());
            if (FailReceives > 0)
            {
                FailReceives--;
                throw new CloudProviderException("ReceiveMessage", "ServiceUnavailable", "SQS is unavailable", retryable: true);
            }

            if (_visible.Count > 0)
            {
                var batch = _visible.Take(10).ToList();
                _visible.RemoveRange(0, batch.Count);
                _received.AddRange(batch);
                return batch;
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(20), time, cancellationToken).ConfigureAwait(false);
        return [];
    }

    public Task CompleteAsync(InterruptionEvent interruption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interruption);
        lock (_gate)
        {
            _received.RemoveAll(m => m.Receipt == interruption.Receipt);
            _completed.Add(interruption);
        }

        return Task.CompletedTask;
    }
}
