using System.Globalization;

namespace Fleetman.Benchmarks;

/// <summary>
/// A process's CPU time so far (user + system, from <c>/proc/&lt;pid&gt;/stat</c>), in seconds; NaN for a process that
/// is gone. Read before and after a run, the difference is what the run cost that process on any load: a figure the
/// machine's other work moves far less than wall-clock rates.
/// </summary>
internal static class ProcessCpu
{
    // The kernel's clock ticks per second (sysconf(_SC_CLK_TCK)), 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    internal static double Seconds(int? processId)
    {
        if (processId is null || !File.Exists($"/proc/{processId}/stat"))
        {
            return double.NaN;
        }

        // The command name (field 2) is in parentheses and may hold spaces: the fields are counted after its ")".
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of the line (utime, stime) are the 12th and 13th after the command name.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
