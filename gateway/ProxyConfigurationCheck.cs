namespace Fleetman.Gateway;

/// <summary>
/// YARP checks the <c>ReverseProxy</c> section when the routes are mapped, before the service runs, and throws. This
/// keeps what it found and fails the start with it as invalid configuration, so the service stops with one line
/// naming the route or cluster, as it does for its other settings, instead of an unhandled exception.
/// </summary>
internal sealed class ProxyConfigurationCheck : IHostedLifecycleService
{
    public const string SectionName = "ReverseProxy";

    private IReadOnlyList<string> _failures = [];

    public void Failed(InvalidOperationException exception)
    {
        var problems = exception.InnerException is AggregateException aggregate
            ? aggregate.InnerExceptions.Select(inner => inner.Message)
            : [exception.InnerException?.Message ?? exception.Message];
        _failures = [.. problems.Select(problem => $"{SectionName} (appsettings.json, or environment variables {SectionName}__*): {problem}")];
    }

    // Before any hosted service starts, Kestrel included.
    public Task StartingAsync(CancellationToken cancellationToken) =>
        _failures.Count == 0 ? Task.CompletedTask : throw new OptionsValidationException(SectionName, typeof(ProxyConfigurationCheck), _failures);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
