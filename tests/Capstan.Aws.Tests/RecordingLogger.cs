using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Tests;

/// <summary>Keeps every log line (level, event id, formatted message) for assertions.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Lines => [.. _lines];

    public IReadOnlyList<string> AtLevel(LogLevel level) => [.. _lines.Where(l => l.Level == level).Select(l => l.Message)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _lines.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
    }
}
