// The machine-readable side of the benchmarks, read by tools/bench-all.sh: when FLEETMAN_BENCH_RESULTS names a file,
// every figure a benchmark prints is also appended to it as one line "<benchmark>\t<metric>\t<value>\t<unit>".
// The benchmarks are separate console projects; each links this one file, so the format is defined once.
using System.Globalization;

namespace Fleetman.Benchmarks;

internal sealed class BenchmarkResults
{
    public const string Variable = "FLEETMAN_BENCH_RESULTS";

    private readonly string _benchmark;
    private readonly string? _file;

    public BenchmarkResults(string benchmark)
    {
        Check(benchmark);
        _benchmark = benchmark;
        _file = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } file ? Path.GetFullPath(file) : null;
    }

    /// <summary>
    /// Appends one figure, with <paramref name="decimals"/> places (fixed point, invariant culture: a reader in any
    /// locale parses it). A value that is not a number (no samples) is left out, so a reader sees it as missing.
    /// </summary>
    public void Add(string metric, double value, string unit, int decimals = 0)
    {
        Check(metric);
        Check(unit);
        if (_file is null || !double.IsFinite(value))
        {
            return;
        }

        var text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        // One write per line, appended: the file may already hold the lines of the benchmarks that ran before.
        File.AppendAllText(_file, $"{_benchmark}\t{metric}\t{text}\t{unit}\n");
    }

    private static void Check(string field)
    {
        if (string.IsNullOrEmpty(field) || field.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
        {
            throw new ArgumentException($"'{field}' is empty or holds a tab or a line break, which the results format reserves", nameof(field));
        }
    }
}
