using Microsoft.AspNetCore.Builder;

namespace Fleetman.ServiceDefaults;

/// <summary>Runs a service and turns how it ended into a process exit code.</summary>
public static partial class ServiceRunner
{
    /// <summary>
    /// Starts the app, waits for shutdown (SIGTERM, Ctrl+C or <see cref="IHostApplicationLifetime.StopApplication"/>),
    /// and returns the exit code: 0 after a clean stop; 1 when configuration is invalid (logged as one fatal line that
    /// names every bad setting), when the service fails to start, or when a background service crashed.
    /// <code>return await app.RunServiceAsync();</code>
    /// </summary>
    public static async Task<int> RunServiceAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Disposing the app last flushes the logs, so everything below is logged before it.
        await using (app)
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServiceRunner).FullName!);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception e) when (ValidationFailures(e) is { Count: > 0 } failures)
            {
                // The whole story on one line, without a stack trace: the fix is in the configuration, not the code.
                var errors = string.Join(" ", failures);
                LogInvalidConfiguration(logger, errors);
                return 1;
            }
            catch (Exception e)
            {
                LogStartFailed(logger, e);
                return 1;
            }

            try
            {
                await app.WaitForShutdownAsync(cancellationToken);
            }
            catch (Exception e)
            {
                LogStopFailed(logger, e);
                return 1;
            }

            // The host stops when a BackgroundService throws (and logs it); a non-zero code lets Kubernetes show the crash.
            var crashed = app.Services.GetServices<IHostedService>()
                .OfType<BackgroundService>()
                .Any(service => service.ExecuteTask is { IsFaulted: true });
            return crashed ? 1 : 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Invalid configuration, the service cannot start: {ConfigurationErrors}")]
    private static partial void LogInvalidConfiguration(ILogger logger, string configurationErrors);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The service failed to start")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The service failed to stop cleanly")]
    private static partial void LogStopFailed(ILogger logger, Exception exception);

    /// <summary>
    /// True for the host's own "Hosting failed to start" error about invalid options: <see cref="RunServiceAsync"/> reports
    /// the same failure as one clear line, without the stack trace. (Without RunServiceAsync the exception is unhandled
    /// and .NET prints it anyway.)
    /// </summary>
    internal static bool IsHostReportOfInvalidOptions(string category, Exception? exception) =>
        exception is not null
        && category == "Microsoft.Extensions.Hosting.Internal.Host"
        && ValidationFailures(exception).Count > 0;

    // Host start throws one OptionsValidationException, or an AggregateException when several options types fail.
    private static List<string> ValidationFailures(Exception exception) => exception switch
    {
        OptionsValidationException e => [.. e.Failures],
        AggregateException e => [.. e.Flatten().InnerExceptions.OfType<OptionsValidationException>().SelectMany(v => v.Failures)],
        _ => [],
    };
}
