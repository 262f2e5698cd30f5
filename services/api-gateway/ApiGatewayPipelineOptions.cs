using System.ComponentModel.DataAnnotations;

namespace Fleetman.ApiGateway;

/// <summary>Section <c>Pipeline</c>, named as in the queue-consumer: the topic its updates arrive on.</summary>
public sealed class ApiGatewayPipelineOptions
{
    public const string SectionName = "Pipeline";

    [Required(AllowEmptyStrings = false)]
    public string UpdatesTopic { get; set; } = Fleetman.Contracts.Destinations.VehicleUpdates.Name;
}
