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
        builder.Services.AddOpenApi();
        return builder;
    }
}
