namespace Fleetman.Contracts.Api;

/// <summary>The fleet at a glance: how many vehicles, how many moving, how many gone quiet.</summary>
/// <param name="NewestReport">The newest report of any vehicle; null with no vehicles.</param>
/// <param name="At">When the summary was made (the tracker's clock).</param>
public sealed record FleetSummaryResponse(int Vehicles, int Moving, int Stale, DateTimeOffset? NewestReport, DateTimeOffset At);
