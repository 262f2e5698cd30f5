namespace Fleetman.PositionSimulator.Motion;

/// <summary>What a driver or a stop draws afresh each time, uniformly between <paramref name="Min"/> and <paramref name="Max"/>.</summary>
public readonly record struct UniformRange(double Min, double Max)
{
    /// <summary>One value, from one draw of <paramref name="random"/>: the same stream gives the same drive.</summary>
    public double Draw(Random random) => Min + (random.NextDouble() * (Max - Min));
}
