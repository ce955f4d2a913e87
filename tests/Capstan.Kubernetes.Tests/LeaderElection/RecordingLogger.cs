using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Capstan.Kubernetes.Tests.LeaderElection;

/// <summary>Keeps every log line (level, event id, formatted message, exception) for assertions.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public IReadOnlyList<LogLine> WithId(int eventId) => [.. _lines.Where(l => l.EventId == eventId)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _lines.Enqueue(new LogLine(logLevel, eventId.Id, formatter(state, exception), exception));
    }
}

internal sealed record LogLine(LogLevel Level, int EventId, string Message, Exception? Exception);
