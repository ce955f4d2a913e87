using Capstan.Core.Cloud;

namespace Capstan.Core.Ports;

/// <summary>
/// The source of interruption events (AWS: an SQS queue fed by EventBridge). Malformed and unknown messages are
/// logged and removed by the adapter and never reach the caller.
/// </summary>
public interface IInterruptionSource
{
    /// <summary>Waits (long poll) for the next messages; an empty list when none arrived in the wait.</summary>
    Task<IReadOnlyList<InterruptionEvent>> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Removes a handled message from the queue.</summary>
    Task CompleteAsync(InterruptionEvent interruption, CancellationToken cancellationToken);
}
