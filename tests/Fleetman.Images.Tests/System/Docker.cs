namespace Fleetman.Images.Tests.System;

/// <summary>The <c>docker</c> command line (and the project's scripts), run to completion with their output kept.</summary>
internal static class Docker
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Succeeded => ExitCode == 0;

        public string Describe() => $"exit code {ExitCode}\n{Tail(Output)}\n{Tail(Error)}".Trim();
    }

    public static Task<Result> RunAsync(params string[] arguments) => RunProcessAsync("docker", arguments, TimeSpan.FromMinutes(2));

    /// <summary>Runs <paramref name="file"/>; its output also goes to <paramref name="log"/> when given.</summary>
    public static async Task<Result> RunProcessAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, string? log = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Fleetman.Testing.Repository.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var error = new StringBuilder();
        using var logWriter = log is null ? null : new StreamWriter(log, append: true) { AutoFlush = true };
        var clock = Stopwatch.StartNew();
        process.OutputDataReceived += (_, line) => Append(output, logWriter, clock, line.Data);
        process.ErrorDataReceived += (_, line) => Append(error, logWriter, clock, line.Data);
        try
        {
            process.Start();
        }
        catch (global::System.ComponentModel.Win32Exception e)
        {
            return new Result(-1, "", $"{file} could not be started: {e.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Result(-1, output.ToString(), $"{file} {string.Join(' ', arguments)} took longer than {timeout}\n{error}");
        }

        // The asynchronous readers may still be delivering the last lines after the exit.
        process.WaitForExit();
        return new Result(process.ExitCode, output.ToString().Trim(), error.ToString().Trim());
    }

    private static void Append(StringBuilder text, StreamWriter? log, Stopwatch clock, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }

        if (log is not null)
        {
            lock (log)
            {
                // Seconds since the step started: where a slow build spends its time.
                log.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}] {line}");
            }
        }
    }

    private static string Tail(string text, int lines = 30) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
