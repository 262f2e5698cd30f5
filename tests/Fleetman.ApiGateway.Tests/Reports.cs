namespace Fleetman.ApiGateway.Tests;

/// <summary>Position reports for tests: a vehicle driving north-east in small steps, one report a second.</summary>
public static class Reports
{
    /// <summary>Ten minutes ago, to the millisecond (the store keeps milliseconds).</summary>
    public static DateTimeOffset Start { get; } = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds());

    /// <summary>Report number <paramref name="step"/> of <paramref name="vehicle"/>; a larger step is later and further along.</summary>
    public static PositionReported Of(string vehicle, int step, int lane = 0) =>
        new(vehicle, 53.38 + (step * 1e-4), -1.47 + (lane * 1e-2) + (step * 1e-4), Start.AddSeconds(step));

    /// <summary>Reports 0..count-1 of each vehicle, interleaved: every vehicle's first, then every vehicle's second, ...</summary>
    public static List<PositionReported> Interleaved(int count, params string[] vehicles) =>
        [.. Enumerable.Range(0, count).SelectMany(step => vehicles.Select((vehicle, lane) => Of(vehicle, step, lane)))];
}
