namespace Fleetman.PositionSimulator.Simulation;

/// <summary>
/// The simulated clock. Model time (seconds the vehicles have driven) runs at <see cref="Compression"/> times the wall
/// clock while running and stands still while stopped. Reports are stamped with the simulated time of day: it starts at
/// the wall clock when the simulation first starts, runs ahead of it when compressed, and never goes backwards (after a
/// stop it resumes from the later of where it stood and the wall clock).
/// </summary>
/// <remarks>Not thread-safe: the simulator calls it under its lock. Wall times are seconds of a monotonic clock.</remarks>
internal sealed class SimulationClock(double compression)
{
    private double _wallAnchor;
    private double _modelAnchor;
    private DateTimeOffset _reportAnchor = DateTimeOffset.MinValue;

    public bool Running { get; private set; }

    public double Compression { get; private set; } = compression;

    public void Start(double wallNow, DateTimeOffset utcNow)
    {
        if (Running)
        {
            return;
        }

        _wallAnchor = wallNow;
        _reportAnchor = utcNow > _reportAnchor ? utcNow : _reportAnchor;
        Running = true;
    }

    public void Stop(double wallNow)
    {
        Reanchor(wallNow);
        Running = false;
    }

    public void SetCompression(double wallNow, double compression)
    {
        Reanchor(wallNow);
        Compression = compression;
    }

    /// <summary>Simulated seconds since the simulation began.</summary>
    public double ModelSeconds(double wallNow) => Running ? _modelAnchor + ((wallNow - _wallAnchor) * Compression) : _modelAnchor;

    /// <summary>The simulated time of day at <paramref name="wallNow"/>; null before the first start.</summary>
    public DateTimeOffset? ReportTime(double wallNow) =>
        _reportAnchor == DateTimeOffset.MinValue ? null : _reportAnchor + TimeSpan.FromSeconds(ModelSeconds(wallNow) - _modelAnchor);

    private void Reanchor(double wallNow)
    {
        if (!Running)
        {
            return;
        }

        _reportAnchor = ReportTime(wallNow)!.Value;
        _modelAnchor = ModelSeconds(wallNow);
        _wallAnchor = wallNow;
    }
}
