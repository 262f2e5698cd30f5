using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Fleetman.PositionStore;

/// <summary>
/// <c>dotnet Fleetman.PositionTracker.dll retention-sweep</c>: deletes the position history older than
/// <c>Retention:KeepDays</c> days from the store the <c>Store</c> settings name, logs one JSON line saying how many
/// positions went and the cutoff, and exits. The course's Job and CronJob chapters run it from the tracker's image.
/// </summary>
/// <remarks>
/// Exit codes: 0 swept; 1 the sweep failed (store unreachable, a delete failed, stopped by SIGTERM) and a retry may
/// succeed; 2 invalid settings, which no retry can fix (a Job's podFailurePolicy can fail at once on it).
/// Only history is deleted: each vehicle's latest position, in the store and in Redis, stays.
/// </remarks>
public static partial class RetentionSweepCommand
{
    public const string Name = "retention-sweep";

    public const int Swept = 0;
    public const int Failed = 1;
    public const int InvalidSettings = 2;

    /// <summary>How long the store may take to answer at all; MongoDB's client would otherwise wait 30 s per attempt to select a server.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs the sweep and returns the exit code.</summary>
    /// <param name="args">The process's arguments, starting with <see cref="Name"/>; the rest are settings (<c>--Retention:KeepDays=7</c>).</param>
    /// <param name="clock">Where "now" comes from; the cutoff is now minus KeepDays.</param>
    /// <param name="logOutput">Where JSON log lines go; standard output when null.</param>
    public static async Task<int> RunAsync(string[] args, TimeProvider clock, TextWriter? logOutput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(clock);

        var builder = FleetmanService.CreateCommandBuilder(args[Math.Min(1, args.Length)..], logOutput);
        builder.AddValidatedOptions<PositionStoreOptions>(PositionStoreOptions.SectionName, static (section, options) => section.Bind(options));
        builder.AddValidatedOptions<RetentionOptions>(RetentionOptions.SectionName, static (section, options) => section.Bind(options));
        // Disposing the host last flushes the logs.
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RetentionSweepCommand).FullName!);

        // Both sections are read before anything is done, so one line names every bad setting.
        var failures = new List<string>();
        var storeOptions = Read<PositionStoreOptions>(host.Services, failures);
        var retention = Read<RetentionOptions>(host.Services, failures);
        if (storeOptions is null || retention is null)
        {
            var errors = string.Join(" ", failures);
            LogInvalidSettings(logger, errors);
            return InvalidSettings;
        }

        // A Job's pod gets SIGTERM at its deadline or when deleted: stop between statements, keep what is committed.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        var cutoff = StoredPositions.Truncate(clock.GetUtcNow().AddDays(-retention.KeepDays));
        var store = PositionStoreExtensions.CreateStore(storeOptions);
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token))
            {
                connect.CancelAfter(ConnectTimeout);
                try
                {
                    await store.InitializeAsync(connect.Token);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    throw new TimeoutException($"no answer within {ConnectTimeout.TotalSeconds:0} s");
                }
            }

            var started = clock.GetTimestamp();
            var deleted = await store.DeleteHistoryBeforeAsync(cutoff, stopping.Token);
            var elapsed = clock.GetElapsedTime(started);
            LogSwept(logger, deleted, cutoff, retention.KeepDays, store, elapsed.TotalSeconds);
            return Swept;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            LogStopped(logger, store, cutoff);
            return Failed;
        }
        catch (Exception e)
        {
            LogFailed(logger, e, store, Reason(e));
            return Failed;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    // MongoDB's server selection timeout describes the whole cluster's state in its message; the line keeps its first
    // clause ("A timeout occurred after 300ms selecting a server") and the exception logged with it keeps the rest.
    private static string Reason(Exception exception) => exception is TimeoutException
        ? "unreachable: " + exception.Message.Split(" using ", 2)[0]
        : exception.Message;

    // IOptions<T> asks for the constructor that makes the options: with the annotation a trimmed publish keeps it for
    // each options type read here, and the trimmer has nothing to warn about (IL2091).
    private static TOptions? Read<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IServiceProvider services, List<string> failures)
        where TOptions : class
    {
        try
        {
            return services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            failures.AddRange(e.Failures);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention sweep deleted {Deleted} positions older than {Cutoff:O} (Retention:KeepDays {KeepDays}) from {Store} in {ElapsedSeconds:0.###} s")]
    private static partial void LogSwept(ILogger logger, long deleted, DateTimeOffset cutoff, int keepDays, IPositionStore store, double elapsedSeconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Invalid settings, the retention sweep cannot run: {ConfigurationErrors}")]
    private static partial void LogInvalidSettings(ILogger logger, string configurationErrors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention sweep failed: {Store}: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, IPositionStore store, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Retention sweep stopped by a signal before the end: what it deleted from {Store} stays deleted, the next run goes on (cutoff {Cutoff:O})")]
    private static partial void LogStopped(ILogger logger, IPositionStore store, DateTimeOffset cutoff);
}
