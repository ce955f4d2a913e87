using System.Collections.Concurrent;
using Capstan.Controllers.Disruption;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Tests;

/// <summary>The termination controller's log lines (formatted), kept for assertions across controller restarts.</summary>
internal sealed class TerminationLog : ILogger<TerminationController>
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public int Count(string start) => _lines.Count(l => l.StartsWith(start, StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _lines.Enqueue(formatter(state, exception));
    }
}
