using Fleetman.PositionSimulator.Simulation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleetman.PositionSimulator;

/// <summary>
/// The control API under <c>/simulator</c>: status, start, stop and settings at run time.
/// The routes that change something need the admin user's credentials here too, not only at the edge (which forwards
/// them): anything that can reach the service's port could otherwise stop the fleet. The status stays open, like /metrics.
/// </summary>
public static class SimulatorApi
{
    public static IEndpointRouteBuilder MapSimulatorApi(this IEndpointRouteBuilder endpoints)
    {
        var simulator = endpoints.MapGroup("/simulator").WithTags("Simulator");

        simulator.MapGet("/status", (Simulator s) => TypedResults.Ok(s.Status()))
            .WithName("GetSimulatorStatus")
            .WithSummary("Whether the vehicles are driving, how many, and what was published.");

        simulator.MapPost("/start", (Simulator s) => StatusAfter(s.Start, s))
            .RequireAdmin()
            .WithName("StartSimulator")
            .WithSummary("Sets the vehicles driving (again) from where they stood; does nothing if they are driving.");

        simulator.MapPost("/stop", (Simulator s) => StatusAfter(s.Stop, s))
            .RequireAdmin()
            .WithName("StopSimulator")
            .WithSummary("Stops every vehicle where it is; no reports are sent until the next start.");

        simulator.MapPut("/settings", Results<Ok<SimulatorStatus>, ValidationProblem> (SimulatorSettings settings, Simulator s) =>
        {
            if (settings.Validate() is { Count: > 0 } errors)
            {
                return TypedResults.ValidationProblem(errors, title: "Invalid simulator settings");
            }

            return StatusAfter(() => s.Apply(settings), s);
        })
            .RequireAdmin()
            .WithName("ChangeSimulatorSettings")
            .WithSummary("Changes the number of vehicles, the report interval or the time compression at once; absent fields stay as they are.");

        return endpoints;
    }

    // Every change answers with the status it leads to, so a caller sees what it did without asking again.
    private static Ok<SimulatorStatus> StatusAfter(Action change, Simulator simulator)
    {
        change();
        return TypedResults.Ok(simulator.Status());
    }
}
