using Fleetman.LatestPositions;
using Fleetman.PositionStore;

namespace Fleetman.PositionTracker;

/// <summary>What the position-tracker is made of.</summary>
public static class PositionTrackerExtensions
{
    public static WebApplicationBuilder AddPositionTracker(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<TrackerOptions>(TrackerOptions.SectionName, static (section, options) => section.Bind(options));
        builder.AddPositionStore();
        // The geofence routes change what the queue-consumers derive: the admin user's, as at the edge.
        builder.AddAdminCredentials();
        builder.AddLatestPositions();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<PositionReader>();
        // Strict numbers: the OpenAPI document says numbers are numbers (the web defaults would describe each as
        // "number or numeric string"), and a geofence's ring must be given as numbers. The metadata generated at build
        // time first (PositionTrackerJsonContext): what a trimmed build, which has no reflection, serializes with.
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, PositionTrackerJsonContext.Default);
        });
        builder.Services.AddOpenApi();
        return builder;
    }
}
