using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Capstan.Aws.Tests;

/// <summary>A logger that keeps every line, for asserting what was logged.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _lines.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
