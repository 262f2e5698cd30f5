namespace Fleetman.QueueConsumer;

/// <summary>Turns reports into stored positions with speed and heading, vehicle by vehicle, in time order.</summary>
public static class SpeedCalculator
{
    /// <summary>
    /// Each report's speed is the WGS84 distance from the vehicle's newest known point (stored, or earlier in this
    /// batch) over the time between them, in mph; a vehicle's first report has none. Heading is the bearing from that
    /// point, or none when the vehicle did not move. A report older than the newest known point (out of order) is
    /// measured against it as well, and does not become the newest.
    /// </summary>
    public static List<VehiclePosition> Compute(IEnumerable<PositionReported> reports, IReadOnlyDictionary<string, VehiclePosition> newestStored)
    {
        var result = new List<VehiclePosition>();
        foreach (var vehicle in reports.GroupBy(r => r.Vehicle, StringComparer.Ordinal))
        {
            newestStored.TryGetValue(vehicle.Key, out var newest);
            var seen = new HashSet<DateTimeOffset>();
            foreach (var report in vehicle.OrderBy(r => r.Time))
            {
                if (!seen.Add(report.Time))
                {
                    continue; // the same report twice in one batch
                }

                double? speed = null, heading = null;
                if (newest is not null)
                {
                    speed = Geodesy.SpeedMph(newest.Latitude, newest.Longitude, newest.Time, report.Latitude, report.Longitude, report.Time);
                    var (metres, bearing) = Geodesy.Inverse(newest.Latitude, newest.Longitude, report.Latitude, report.Longitude);
                    heading = metres > 0 ? bearing : newest.Heading;
                }

                var position = new VehiclePosition(report.Vehicle, report.Latitude, report.Longitude, report.Time, speed, heading);
                result.Add(position);
                if (newest is null || position.Time > newest.Time)
                {
                    newest = position;
                }
            }
        }

        return result;
    }
}
