using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Tests.Launch;

/// <summary>Keeps every log line written, with its level and event id, for assertions.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, EventId Id, string Message)> _lines = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_gate)
        {
            _lines.Add((logLevel, eventId, formatter(state, exception)));
        }
    }
}
