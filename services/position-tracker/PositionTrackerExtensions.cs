using System.Text.Json.Serialization;
using Fleetman.LatestPositions;
using Fleetman.PositionStore;
using Fleetman.ServiceDefaults;

namespace Fleetman.PositionTracker;

/// <summary>What the position-tracker is made of.</summary>
public static class PositionTrackerExtensions
{
    public static WebApplicationBuilder AddPositionTracker(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<TrackerOptions>(TrackerOptions.SectionName);
        builder.AddPositionStore();
        builder.AddLatestPositions();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<PositionReader>();
        // The API reads no JSON bodies: strict numbers only make the OpenAPI document say numbers are numbers
        // (the web defaults would describe each as "number or numeric string").
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        builder.Services.AddOpenApi();
        return builder;
    }
}
