using Microsoft.Extensions.Options;

namespace Capstan.Host.Status;

/// <summary>One line of what Capstan decided (a launch, a binding, a termination, a consolidation), as the page shows it.</summary>
public sealed record Decision(DateTimeOffset Time, string Level, string Message);

/// <summary>
/// What the status page knows from the controllers' log lines: the recent decisions, and the reason Capstan last gave
/// for not finding a node for a pending pod. Fed by <see cref="DecisionLoggerProvider"/>, so the controllers need no
/// knowledge of the page; both bounded.
/// </summary>
public sealed class DecisionLog
{
    /// <summary>Reasons kept at most; past that the oldest goes (a pod that stays pending is given one again on the next pass).</summary>
    internal const int MaxReasons = 5000;

    private readonly RingBuffer<Decision> _decisions;
    private readonly Dictionary<string, (string Reason, long Order)> _reasons = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _order;

    public DecisionLog(IOptions<StatusOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _decisions = new RingBuffer<Decision>(Math.Max(1, Capacity(options)));
    }

    /// <remarks>
    /// Made with the logger factory, before the host validates its options: a bad value falls back to the default
    /// here, and the host then refuses to start with the validator's message.
    /// </remarks>
    private static int Capacity(IOptions<StatusOptions> options)
    {
        try
        {
            return options.Value.Decisions;
        }
        catch (OptionsValidationException)
        {
            return new StatusOptions().Decisions;
        }
    }

    public void Add(Decision decision) => _decisions.Add(decision);

    /// <summary>The decisions kept, newest first.</summary>
    public IReadOnlyList<Decision> Recent()
    {
        var items = _decisions.Items();
        var result = new Decision[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            result[i] = items[items.Count - 1 - i];
        }

        return result;
    }

    /// <summary>Records why Capstan could not place the pod (<c>namespace/name</c>) on any node it could launch.</summary>
    public void NotePendingReason(string podKey, string reason)
    {
        lock (_gate)
        {
            _reasons[podKey] = (reason, ++_order);
            if (_reasons.Count > MaxReasons)
            {
                var oldest = _reasons.MinBy(r => r.Value.Order).Key;
                _reasons.Remove(oldest);
            }
        }
    }

    /// <summary>Capstan's last reason for the pod, or null when it gave none.</summary>
    public string? PendingReason(string podKey)
    {
        lock (_gate)
        {
            return _reasons.TryGetValue(podKey, out var entry) ? entry.Reason : null;
        }
    }

    /// <summary>Forgets the reasons of pods that are no longer pending, so a pod pending again later starts afresh.</summary>
    public void RetainReasons(IReadOnlySet<string> pendingKeys)
    {
        ArgumentNullException.ThrowIfNull(pendingKeys);
        lock (_gate)
        {
            foreach (var key in _reasons.Keys.Where(k => !pendingKeys.Contains(k)).ToList())
            {
                _reasons.Remove(key);
            }
        }
    }
}
