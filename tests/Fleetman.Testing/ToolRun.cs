using System.Diagnostics;

namespace Fleetman.Testing;

/// <summary>What a program run to its end by <see cref="ToolRun"/> said.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Everything it wrote to standard output.</param>
/// <param name="Errors">Everything it wrote to standard error.</param>
public sealed record ToolResult(int ExitCode, string Output, string Errors)
{
    /// <summary>Standard output then standard error, for a message or a check that does not care which stream said it.</summary>
    public string Everything => Output + Errors;
}

/// <summary>Runs a program (a script, a service's command, a JVM client) to its end and collects what it wrote.</summary>
public static class ToolRun
{
    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/>, the test's environment plus
    /// <paramref name="environment"/>, both streams read as it goes (so a full pipe never blocks it).
    /// </summary>
    /// <param name="timeout">How long it may take; past it the program and its children are killed and the run fails.
    /// Null: as long as it takes.</param>
    public static Task<ToolResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return RunAsync(start, timeout);
    }

    /// <summary>Runs a prepared start (it must redirect both streams) to its end; see the other overload.</summary>
    public static async Task<ToolResult> RunAsync(ProcessStartInfo start, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? Timeout.InfiniteTimeSpan);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            // What it wrote so far, unless a child it left behind still holds its output open.
            var said = await Task.WhenAll(output, errors).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(
                all => all.IsCompletedSuccessfully ? string.Concat(all.Result) : "", TaskScheduler.Default);
            throw new TimeoutException(
                $"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout?.TotalSeconds:0} s:\n{said}");
        }

        return new ToolResult(process.ExitCode, await output, await errors);
    }
}
