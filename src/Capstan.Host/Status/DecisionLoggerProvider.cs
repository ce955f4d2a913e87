namespace Capstan.Host.Status;

/// <summary>
/// A logging provider that keeps Capstan's own Information and louder lines (the <c>Capstan.*</c> categories) for the
/// status page's recent decisions, timestamped with the host's <see cref="TimeProvider"/>. It also reads the
/// provisioning controller's "could not schedule" line (event <c>CouldNotSchedule</c>, fields <c>Pod</c> and
/// <c>Reason</c>) as the pod's pending reason. Exceptions are left out: the page shows what happened in words.
/// Its alias in logging configuration is <c>StatusPage</c>.
/// </summary>
[ProviderAlias("StatusPage")]
public sealed class DecisionLoggerProvider(DecisionLog log, TimeProvider time) : ILoggerProvider
{
    /// <summary>The provisioning controller's event for a pod no node could be launched for.</summary>
    internal const string CouldNotScheduleEvent = "CouldNotSchedule";

    public ILogger CreateLogger(string categoryName)
    {
        ArgumentNullException.ThrowIfNull(categoryName);
        var ours = categoryName == "Capstan" || categoryName.StartsWith("Capstan.", StringComparison.Ordinal);
        return ours ? new DecisionLogger(log, time) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    public void Dispose()
    {
        // Nothing to release: the log belongs to the container.
    }

    private sealed class DecisionLogger(DecisionLog log, TimeProvider time) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            // The message alone: the formatter of a [LoggerMessage] line does not append the exception.
            log.Add(new Decision(time.GetUtcNow(), LevelName(logLevel), formatter(state, null)));
            if (eventId.Name == CouldNotScheduleEvent && state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                var pod = Field(fields, "Pod");
                var reason = Field(fields, "Reason");
                if (pod is not null && reason is not null)
                {
                    log.NotePendingReason(pod, reason);
                }
            }
        }

        private static string? Field(IReadOnlyList<KeyValuePair<string, object?>> fields, string name)
        {
            foreach (var (key, value) in fields)
            {
                if (key == name)
                {
                    return value?.ToString();
                }
            }

            return null;
        }

        private static string LevelName(LogLevel level) => level switch
        {
            LogLevel.Information => "information",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            _ => "critical",
        };
    }
}
