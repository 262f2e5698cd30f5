using Fleetman.LatestPositions;
using Fleetman.Messaging;

namespace Fleetman.QueueConsumer;

/// <summary>
/// A retirement from the simulator: the vehicles leave the latest positions (unless they reported after it), then every
/// api-gateway is told. Redelivery is harmless: vehicles gone already are announced again, and a removal announced twice
/// changes nothing. While Redis or the broker is unreachable the message waits, unacked, instead of being lost.
/// </summary>
internal sealed partial class RetireVehiclesHandler(
    LatestPositionCache latest,
    IMessagePublisher publisher,
    TimeProvider clock,
    ILogger<RetireVehiclesHandler> logger) : IMessageHandler<VehiclesRetired>
{
    public async Task HandleAsync(MessageContext<VehiclesRetired> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Problem(message.Message) is { } problem)
        {
            message.Reject(problem);
            ConsumerMetrics.RetirementsRejected.Add(1);
            return;
        }

        var names = message.Message.Names.Distinct(StringComparer.Ordinal).ToList();
        IReadOnlyList<string> removed;
        try
        {
            removed = await latest.RetireAsync(names, message.Message.Time);
        }
        catch (LatestPositionsUnavailableException ex)
        {
            throw new DependencyUnavailableException("Redis (the latest positions)", ex);
        }

        if (removed.Count == 0)
        {
            return; // every one of them reported after it was retired: back in the fleet
        }

        if (!message.Redelivered)
        {
            ConsumerMetrics.VehiclesRetired.Add(removed.Count, new TagList { { "reason", "removed" } });
        }

        try
        {
            await publisher.PublishAsync(new VehiclesRemoved(removed, clock.GetUtcNow()), cancellationToken);
        }
        catch (MessagingUnavailableException ex)
        {
            throw new DependencyUnavailableException("the broker (vehicle-removals)", ex);
        }

        LogRetired(logger, removed.Count, names.Count - removed.Count);
    }

    /// <summary>Null when the message can be applied, otherwise why not (it is dead-lettered).</summary>
    internal static string? Problem(VehiclesRetired retirement)
    {
        if (retirement.Names.Count == 0)
        {
            return "names is empty";
        }

        if (retirement.Names.Count > VehiclesRetired.MaxNames)
        {
            return $"names has {retirement.Names.Count} entries; at most {VehiclesRetired.MaxNames} per message";
        }

        foreach (var name in retirement.Names)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Length > PositionValidation.MaxVehicleNameLength || name.Any(char.IsControl))
            {
                return $"names holds an invalid vehicle name (empty, longer than {PositionValidation.MaxVehicleNameLength} characters, or with control characters)";
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retired {Removed} vehicle(s) from the latest positions ({Stayed} reported after their retirement and stay)")]
    private static partial void LogRetired(ILogger logger, int removed, int stayed);
}
