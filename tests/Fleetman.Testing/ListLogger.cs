using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Fleetman.Testing;

/// <summary>Keeps every formatted log line, so tests can check what a component told its operator.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public ListLogger()
        : this(new())
    {
    }

    internal ListLogger(ConcurrentQueue<string> lines) => Lines = lines;

    public ConcurrentQueue<string> Lines { get; }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}

/// <summary>Keeps every formatted log line of a running host: add it to the host's <see cref="ILoggerFactory"/>.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger<object>(Lines);

    public void Dispose()
    {
    }
}
