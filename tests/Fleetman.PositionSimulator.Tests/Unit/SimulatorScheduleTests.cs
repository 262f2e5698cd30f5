using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleetman.PositionSimulator.Tests.Unit;

/// <summary>The schedule and the simulated clock, on a clock the test moves by hand (no broker: reports are taken, not sent).</summary>
public sealed class SimulatorScheduleTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(25);

    private readonly FakeTimeProvider _time = new(Noon);
    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Ten_thousand_vehicles_start_at_once_and_each_reports_once_per_interval_spread_evenly_over_it()
    {
        var clock = Stopwatch.StartNew();
        var simulator = Simulator(new SimulatorOptions { Vehicles = 10_000 });
        simulator.Start();
        var perTick = new List<int>();
        var reports = new List<PositionReported>();
        for (var tick = 0; tick <= 40; tick++) // 0 to 1,000 ms
        {
            var before = reports.Count;
            simulator.TakeDueReports(reports);
            perTick.Add(reports.Count - before);
            _time.Advance(Tick);
        }

        clock.Stop();
        output.WriteLine($"10,000 vehicles: built, started and every one reported once in {clock.Elapsed.TotalMilliseconds:F0} ms of CPU time");

        reports.Select(r => r.Vehicle).Distinct().Count().ShouldBe(10_000, "every vehicle reported within one interval");
        reports.Count.ShouldBeLessThanOrEqualTo(10_000 + perTick[^1], "and only once, until its next interval began");
        perTick.Max().ShouldBeLessThanOrEqualTo(10_000 / 40 + 1, "no burst: each 25 ms tick carries a fortieth of the fleet");
    }

    [Fact]
    public void Reports_are_stamped_with_the_simulated_clock_which_starts_at_the_wall_clock_and_runs_compressed()
    {
        var simulator = Simulator(new SimulatorOptions { Vehicles = 4, TimeCompression = 10 });
        simulator.Start();

        var reports = Run(simulator, TimeSpan.FromSeconds(60));

        var first = reports.GroupBy(r => r.Vehicle).Select(g => g.First().Time).ToList();
        first.ShouldAllBe(time => time >= Noon && time < Noon.AddSeconds(10), "the clock starts at the wall clock");
        var last = reports.Max(r => r.Time);
        (last - Noon).TotalSeconds.ShouldBe(600, 11, "a minute of wall time is ten simulated minutes");

        foreach (var vehicle in reports.GroupBy(r => r.Vehicle))
        {
            var ordered = vehicle.ToList();
            var mph = ordered.Zip(ordered.Skip(1), (a, b) =>
                Geometry.Distance(new(a.Latitude, a.Longitude), new(b.Latitude, b.Longitude)) / (b.Time - a.Time).TotalSeconds / Geometry.MetresPerSecondPerMph);
            mph.Max().ShouldBeLessThan(50, "speeds from the reports' own times stay realistic at 10x");
            mph.Max().ShouldBeGreaterThan(10, "vehicles do move");
        }
    }

    [Fact]
    public void The_simulated_clock_never_goes_back_when_stopped_and_started_again()
    {
        var simulator = Simulator(new SimulatorOptions { Vehicles = 2, TimeCompression = 20, ReportIntervalMilliseconds = 500 });
        simulator.Start();
        var before = Run(simulator, TimeSpan.FromSeconds(10));
        simulator.Stop();
        _time.Advance(TimeSpan.FromSeconds(2));
        Run(simulator, TimeSpan.FromSeconds(2)).ShouldBeEmpty("nothing is reported while stopped");

        simulator.Start();
        var after = Run(simulator, TimeSpan.FromSeconds(2));

        after.Min(r => r.Time).ShouldBeGreaterThan(before.Max(r => r.Time));
        foreach (var vehicle in before.Concat(after).GroupBy(r => r.Vehicle))
        {
            var last = vehicle.Last(before.Contains);
            var next = vehicle.First(after.Contains);
            var metres = Geometry.Distance(new(last.Latitude, last.Longitude), new(next.Latitude, next.Longitude));
            (metres / (next.Time - last.Time).TotalSeconds / Geometry.MetresPerSecondPerMph).ShouldBeLessThan(50, "a stopped vehicle carries on from where it stood");
        }
    }

    [Fact]
    public void Changing_the_settings_takes_effect_at_once()
    {
        var simulator = Simulator(new SimulatorOptions { Vehicles = 3, ReportIntervalMilliseconds = 1_000 });
        simulator.Start();
        Run(simulator, TimeSpan.FromSeconds(3)).Count.ShouldBeInRange(8, 10);

        simulator.Apply(new SimulatorSettings(Vehicles: 6, ReportIntervalMilliseconds: 250, TimeCompression: 4));
        var reports = Run(simulator, TimeSpan.FromSeconds(3));

        reports.Count.ShouldBeInRange((6 * 4 * 3) - 6, (6 * 4 * 3) + 6);
        reports.Select(r => r.Vehicle).Distinct().Count().ShouldBe(6);
        var status = simulator.Status();
        (status.Vehicles, status.ReportIntervalMilliseconds, status.TimeCompression).ShouldBe((6, 250, 4.0));
    }

    [Fact]
    public void Vehicles_taken_off_the_road_come_back_where_they_were_parked()
    {
        var simulator = Simulator(new SimulatorOptions { Vehicles = 5 });
        simulator.Start();
        var before = Run(simulator, TimeSpan.FromSeconds(120));
        simulator.Apply(new SimulatorSettings(2, null, null));
        var meanwhile = Run(simulator, TimeSpan.FromSeconds(60));
        meanwhile.Select(r => r.Vehicle).Distinct().Count().ShouldBe(2);

        simulator.Apply(new SimulatorSettings(5, null, null));
        var after = Run(simulator, TimeSpan.FromSeconds(1));

        var returned = after.Where(r => !meanwhile.Any(m => m.Vehicle == r.Vehicle)).ToList();
        returned.Count.ShouldBe(3);
        foreach (var back in returned)
        {
            var parked = before.Last(r => r.Vehicle == back.Vehicle);
            Geometry.Distance(new(parked.Latitude, parked.Longitude), new(back.Latitude, back.Longitude)).ShouldBeLessThan(25, $"{back.Vehicle} metres from where it was parked a minute ago");
        }
    }

    [Fact]
    public void Lowering_the_fleet_retires_the_vehicles_that_reported_stamped_after_their_last_report_and_nothing_else_does()
    {
        var simulator = Simulator(new SimulatorOptions { Vehicles = 6 });
        var retirements = new List<VehiclesRetired>();
        simulator.Apply(new SimulatorSettings(4, null, null));
        simulator.TakeRetirements(retirements);
        retirements.ShouldBeEmpty("vehicles that never reported are in nobody's fleet");

        simulator.Apply(new SimulatorSettings(6, null, null));
        simulator.Start();
        var reports = Run(simulator, TimeSpan.FromSeconds(30));
        simulator.Stop();
        simulator.Apply(new SimulatorSettings(6, null, null));
        simulator.TakeRetirements(retirements);
        retirements.ShouldBeEmpty("a stop, or settings that keep the fleet, retire nobody");

        simulator.Start();
        reports.AddRange(Run(simulator, TimeSpan.FromSeconds(5)));
        simulator.Apply(new SimulatorSettings(2, null, null));
        simulator.TakeRetirements(retirements);

        var retirement = retirements.ShouldHaveSingleItem();
        var names = reports.Select(r => r.Vehicle).Distinct().ToList();
        retirement.Names.ShouldBe(names[2..]);
        retirement.Time.ShouldBeGreaterThanOrEqualTo(reports.Max(r => r.Time), "every report of theirs is from before");
        Run(simulator, TimeSpan.FromSeconds(5)).ShouldAllBe(r => !retirement.Names.Contains(r.Vehicle));
        simulator.TakeRetirements(retirements);
        retirements.Count.ShouldBe(1, "a retirement is handed over once");
    }

    [Fact]
    public void A_large_retirement_is_split_into_messages_of_at_most_the_contracts_limit()
    {
        var simulator = Simulator(new SimulatorOptions { Vehicles = 2_600 });
        simulator.Start();
        Run(simulator, TimeSpan.FromSeconds(1.1));

        simulator.Apply(new SimulatorSettings(100, null, null));
        var retirements = new List<VehiclesRetired>();
        simulator.TakeRetirements(retirements);

        retirements.Select(r => r.Names.Count).ShouldBe([1_000, 1_000, 500]);
        retirements.SelectMany(r => r.Names).Distinct().Count().ShouldBe(2_500);
    }

    [Fact]
    public void More_vehicles_than_tracks_drive_the_tracks_again_from_elsewhere_under_numbered_names()
    {
        List<DrivingRoute> routes = [DrivingRoute.FromTrack(ReferenceTracks.Named("city_truck")), DrivingRoute.FromTrack(ReferenceTracks.Named("dronfield_round"))];
        var simulator = Simulator(new SimulatorOptions { Vehicles = 5 }, new TrackVehicles(routes));
        simulator.Start();

        var reports = Run(simulator, TimeSpan.FromSeconds(1));

        reports.Select(r => r.Vehicle).ShouldBe(["City Truck", "Dronfield Round", "City Truck 2", "Dronfield Round 2", "City Truck 3"]);
        var starts = reports.Where(r => r.Vehicle.StartsWith("City Truck", StringComparison.Ordinal)).Select(r => new GeoPoint(r.Latitude, r.Longitude)).ToList();
        Geometry.Distance(starts[0], starts[1]).ShouldBeGreaterThan(500, "the second City Truck starts elsewhere on the track");
        Geometry.Distance(starts[1], starts[2]).ShouldBeGreaterThan(500);
    }

    [Fact]
    public void Vehicles_zero_means_every_track()
    {
        var routes = ReferenceTracks.Tracks.Take(3).Select(DrivingRoute.FromTrack).ToList();

        Simulator(new SimulatorOptions { Vehicles = 0 }, new TrackVehicles(routes)).Status().Vehicles.ShouldBe(3);
        Simulator(new SimulatorOptions { Vehicles = 0 }).Status().Vehicles.ShouldBe(SimulatorOptions.DefaultBuiltInVehicles);
    }

    private List<PositionReported> Run(Simulator simulator, TimeSpan duration)
    {
        var reports = new List<PositionReported>();
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Tick)
        {
            simulator.TakeDueReports(reports);
            _time.Advance(Tick);
        }

        return reports;
    }

    private Simulator Simulator(SimulatorOptions options, VehicleSource? source = null) => new(
        source ?? new BuiltInVehicles(new StreetMap(new GeoPoint(options.CentreLatitude, options.CentreLongitude), options.RadiusKilometres * 1_000, options.Seed)),
        Options.Create(options),
        new SimulatorMetrics(_meters),
        _time,
        NullLogger<Simulator>.Instance);

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
