namespace Capstan.Core.Cloud;

/// <summary>One parsed interruption message: which instances, what happens to them, and when.</summary>
public sealed record InterruptionEvent
{
    public required InterruptionKind Kind { get; init; }

    public required IReadOnlyList<string> InstanceIds { get; init; }

    /// <summary>When the event was emitted.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The deadline the cloud announced (spot: two minutes after the warning; scheduled change: start time).</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The message's id in the queue, for logs.</summary>
    public required string MessageId { get; init; }

    /// <summary>Opaque handle the queue needs to delete the message once handled.</summary>
    public required string Receipt { get; init; }
}
