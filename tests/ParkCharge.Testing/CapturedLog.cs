using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace ParkCharge.Testing;

/// <summary>One log entry as a provider saw it.</summary>
public sealed record CapturedEntry(string Category, LogLevel Level, EventId EventId, string Message);

/// <summary>Every log entry a node (or a store) writes, as its providers see it (after the node's own redaction), for tests about logging.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedEntry> _entries = new();

    public IReadOnlyList<CapturedEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log._entries.Enqueue(new CapturedEntry(category, logLevel, eventId, formatter(state, exception)));
    }
}
