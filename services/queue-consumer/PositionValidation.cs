namespace Fleetman.QueueConsumer;

/// <summary>Why a well-formed report can still never be stored: such messages go to the dead-letter queue.</summary>
public static class PositionValidation
{
    public const int MaxVehicleNameLength = 100;

    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Null when the report can be stored, otherwise the reason it cannot. A report more than
    /// <paramref name="maxClockSkew"/> ahead of <paramref name="now"/> is refused.
    /// </summary>
    public static string? Problem(PositionReported report, DateTimeOffset now, TimeSpan maxClockSkew)
    {
        if (string.IsNullOrWhiteSpace(report.Vehicle))
        {
            return "vehicle is empty";
        }

        if (report.Vehicle.Length > MaxVehicleNameLength)
        {
            return $"vehicle name is longer than {MaxVehicleNameLength} characters";
        }

        if (report.Vehicle.Any(char.IsControl))
        {
            return "vehicle name contains control characters";
        }

        if (!double.IsFinite(report.Latitude) || report.Latitude is < -90 or > 90)
        {
            return $"lat {report.Latitude} is outside -90..90";
        }

        if (!double.IsFinite(report.Longitude) || report.Longitude is < -180 or > 180)
        {
            return $"long {report.Longitude} is outside -180..180";
        }

        if (report.Time < Earliest)
        {
            return $"time {report.Time:O} is before {Earliest:yyyy}";
        }

        return report.Time > now + maxClockSkew
            ? $"time {report.Time:O} is more than {maxClockSkew:c} ahead of the consumer's clock ({now:O}; Pipeline__MaxClockSkew)"
            : null;
    }
}
