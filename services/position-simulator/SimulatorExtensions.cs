using Fleetman.PositionSimulator.Simulation;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleetman.PositionSimulator;

/// <summary>What the position simulator is made of.</summary>
public static class SimulatorExtensions
{
    /// <summary>
    /// The simulator's options (section "Simulator", checked at start), its vehicles, the publishing loop, its metrics
    /// and the OpenAPI document. Needs <c>AddMessaging()</c> for the publisher.
    /// </summary>
    public static WebApplicationBuilder AddPositionSimulator(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddValidatedOptions<SimulatorOptions>(SimulatorOptions.SectionName, static (section, options) => section.Bind(options));
        builder.AddAdminCredentials();
        builder.Services.AddOpenApi();
        // The answers' and the settings body's JSON metadata, generated at build time: a trimmed build has no other.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, SimulatorJsonContext.Default));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SimulatorMetrics>();
        // Reads the tracks (for Source=Tracks) when the host starts, after the options were checked.
        builder.Services.AddSingleton(provider => VehicleSource.Create(
            provider.GetRequiredService<IOptions<SimulatorOptions>>().Value,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(VehicleSource).FullName!)));
        builder.Services.AddSingleton<Simulator>();
        builder.Services.AddSingleton<StreetsDocument>();
        builder.Services.AddHostedService<SimulatorService>();
        return builder;
    }
}

/// <summary>What the control API reads and answers (<see cref="SimulatorApi"/>).</summary>
[JsonSerializable(typeof(SimulatorStatus))]
[JsonSerializable(typeof(SimulatorSettings))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
