using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Capstan.Host.Tests;

/// <summary>Keeps the host's log lines (Information and up, of the categories starting with a prefix) with their category.</summary>
internal sealed class CollectingLoggerProvider(string prefix = "Capstan") : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Collector(categoryName, prefix, _lines);

    public void Dispose()
    {
    }

    private sealed class Collector(string category, string prefix, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && category.StartsWith(prefix, StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " [" + exception.GetType().Name + ": " + exception.Message + "]")}");
            }
        }
    }
}
