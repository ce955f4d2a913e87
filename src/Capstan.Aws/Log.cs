using Microsoft.Extensions.Logging;

namespace Capstan.Aws;

/// <summary>The AWS adapter's log lines (event ids 5xxx; each part of the adapter keeps to its own hundred).</summary>
internal static partial class Log
{
    // 5300-5399: the interruption queue.
    [LoggerMessage(EventId = 5301, EventName = "InterruptionQueueResolved", Level = LogLevel.Information,
        Message = "Interruption queue {Queue} is {QueueUrl}")]
    public static partial void InterruptionQueueResolved(this ILogger logger, string queue, string queueUrl);

    [LoggerMessage(EventId = 5302, EventName = "InterruptionMessageUnreadable", Level = LogLevel.Warning,
        Message = "Interruption queue message {MessageId} was deleted unread: {Reason}")]
    public static partial void InterruptionMessageUnreadable(this ILogger logger, string messageId, string reason);

    [LoggerMessage(EventId = 5303, EventName = "InterruptionMessageUnknown", Level = LogLevel.Warning,
        Message = "Interruption queue message {MessageId} was deleted: it is a {Source} \"{DetailType}\" event, which Capstan does not handle")]
    public static partial void InterruptionMessageUnknown(this ILogger logger, string messageId, string source, string detailType);

    [LoggerMessage(EventId = 5304, EventName = "InterruptionStateIgnored", Level = LogLevel.Information,
        Message = "Instance {InstanceId} changed to state {State}, which is not an interruption; message {MessageId} deleted")]
    public static partial void InterruptionStateIgnored(this ILogger logger, string instanceId, string state, string messageId);

    [LoggerMessage(EventId = 5305, EventName = "InterruptionHealthIgnored", Level = LogLevel.Information,
        Message = "AWS Health event of service {Service}, category {Category} is not an EC2 scheduled change; message {MessageId} deleted")]
    public static partial void InterruptionHealthIgnored(this ILogger logger, string service, string category, string messageId);

    [LoggerMessage(EventId = 5306, EventName = "InterruptionDiscardFailed", Level = LogLevel.Warning,
        Message = "Deleting {Count} unusable interruption messages failed ({Reason}); they come back after their visibility timeout and are deleted then")]
    public static partial void InterruptionDiscardFailed(this ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 5307, EventName = "InterruptionReceived", Level = LogLevel.Debug,
        Message = "Interruption queue gave {Messages} messages: {Events} interruption events, {Discarded} deleted unused")]
    public static partial void InterruptionReceived(this ILogger logger, int messages, int events, int discarded);
}
