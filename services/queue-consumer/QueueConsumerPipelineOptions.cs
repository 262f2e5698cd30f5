using System.ComponentModel.DataAnnotations;

namespace Fleetman.QueueConsumer;

/// <summary>Where positions come from and where updates go. Section <c>Pipeline</c>; tests give each run its own names.</summary>
public sealed class QueueConsumerPipelineOptions
{
    public const string SectionName = "Pipeline";

    [Required(AllowEmptyStrings = false)]
    public string PositionsQueue { get; set; } = Fleetman.Contracts.Destinations.Positions.Name;

    [Required(AllowEmptyStrings = false)]
    public string UpdatesTopic { get; set; } = Fleetman.Contracts.Destinations.VehicleUpdates.Name;
}
