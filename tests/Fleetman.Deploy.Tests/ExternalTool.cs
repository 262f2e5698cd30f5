namespace Fleetman.Deploy.Tests;

/// <summary>Runs a command-line tool the deploy tests check with (shellcheck, promtool, amtool) and collects what it said.</summary>
public static class ExternalTool
{
    /// <summary>
    /// Runs <paramref name="program"/> to its end. A tool that is not installed fails the test naming it: scripts/test.sh
    /// installs each one, and a check that cannot run must not pass.
    /// </summary>
    public static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments, string directory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, output.Result + error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} cannot be run ({e.Message}): install it (scripts/test.sh does)", e);
        }
    }
}
