namespace Fleetman.Chaos.Tests.System;

/// <summary>What the simulator's <c>GET /simulator/status</c> says (the fields these tests use).</summary>
public sealed record SimulatorStatus(bool Running, long Published, long Failed, long Dropped, int InFlight, DateTimeOffset? SimulatedTime);

/// <summary>How long the system may take to serve fresh positions again: counted from the fault, and counted from the moment the fault was over.</summary>
/// <param name="Total">from the SIGKILL: what a user sees, including how long the killed component took to start again</param>
/// <param name="AfterOutage">from the moment the killed component was back (started and ready): what the other services' reconnecting costs</param>
public sealed record RecoveryBound(TimeSpan Total, TimeSpan AfterOutage);

/// <summary>How long after a fault (its SIGKILL) each part of the system served fresh data again.</summary>
/// <param name="Outage">until the killed component was back: started again and, for a service, ready</param>
/// <param name="Api">until <c>GET /api/vehicles/</c> on the api-gateway answered 200 with every vehicle and a report newer than the fault</param>
/// <param name="Hub">until the SignalR client connected before the fault (reconnecting if it had to) received such a report</param>
/// <param name="NewHubClient">until a client first connecting after the fault received such a report</param>
/// <param name="Ready">until every service answered <c>/healthz/ready</c> with 200 again, once the fault was over</param>
public sealed record Recovery(TimeSpan Outage, TimeSpan Api, TimeSpan Hub, TimeSpan NewHubClient, TimeSpan Ready)
{
    public TimeSpan Slowest => new[] { Api, Hub, NewHubClient, Ready }.Max();

    /// <summary>The slowest figure counted from the end of the outage (zero if everything was served during it).</summary>
    public TimeSpan SlowestAfterOutage => Slowest == TimeSpan.MaxValue ? TimeSpan.MaxValue : new[] { Slowest - Outage, TimeSpan.Zero }.Max();

    public override string ToString() =>
        $"outage {Seconds(Outage)}; from the fault: API {Seconds(Api)}, hub {Seconds(Hub)}, new hub client {Seconds(NewHubClient)}, "
        + $"all ready {Seconds(Ready)}; slowest after the outage {Seconds(SlowestAfterOutage)}";

    /// <summary>"1.2 s", or "never" for <see cref="TimeSpan.MaxValue"/> (not within the patience).</summary>
    public static string Seconds(TimeSpan figure) => figure == TimeSpan.MaxValue ? "never" : $"{figure.TotalSeconds:F1} s";
}
