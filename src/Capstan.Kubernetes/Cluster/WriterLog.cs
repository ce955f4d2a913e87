using Microsoft.Extensions.Logging;

namespace Capstan.Kubernetes.Cluster;

/// <summary>The cluster writer's log lines (event ids 62xx).</summary>
internal static partial class WriterLog
{
    [LoggerMessage(EventId = 6201, EventName = "WriteRetrying", Level = LogLevel.Information,
        Message = "API server call {Operation} failed ({Failure}); attempt {Attempt} of {MaxAttempts}, retrying in {Delay}")]
    public static partial void WriteRetrying(this ILogger logger, string operation, string failure, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(EventId = 6202, EventName = "WriteFailed", Level = LogLevel.Warning,
        Message = "API server call {Operation} failed after {Attempts} attempt(s): {Failure}")]
    public static partial void WriteFailed(this ILogger logger, string operation, int attempts, string failure);
}
