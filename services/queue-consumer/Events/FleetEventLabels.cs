using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleetman.QueueConsumer.Events;

/// <summary>The <c>kind</c> label of <c>fleetman_fleet_events_total</c>: the kind's JSON name, one of six.</summary>
public static class FleetEventLabels
{
    private static readonly Dictionary<FleetEventKind, string> Labels = Enum.GetValues<FleetEventKind>().ToDictionary(
        kind => kind,
        kind => typeof(FleetEventKind).GetField(kind.ToString())!
            .GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute), false)
            .Cast<System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute>().Single().Name);

    public static string Of(FleetEventKind kind) => Labels[kind];
}

/// <summary>Fleet event derivation's part of the queue-consumer.</summary>
public static class FleetEventExtensions
{
    public static IHostApplicationBuilder AddFleetEvents(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<FleetEventOptions>(FleetEventOptions.SectionName, static (section, options) => section.Bind(options));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<GeofenceSource>();
        return builder;
    }
}
