using Fleetman.LatestPositions;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// Reads every vehicle's newest position from Redis into the <see cref="VehicleList"/>: at start, which makes the list
/// complete, then every <see cref="VehicleListOptions.ResyncSeconds"/> to put right an update or a removal the topic did
/// not bring (a lost notification, or one sent while this replica was down).
/// While Redis cannot be read the list keeps what it has (or stays incomplete, and the tracker answers).
/// </summary>
internal sealed partial class VehicleListSync(
    VehicleList list, LatestPositionCache latest, IOptions<VehicleListOptions> options, TimeProvider clock, ILogger<VehicleListSync> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(options.Value.ResyncSeconds);
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var read = list.BeginRead();
                list.Complete(read, await latest.GetAllAsync());
                failing = false;
            }
            catch (LatestPositionsUnavailableException ex)
            {
                if (!failing)
                {
                    LogUnreadable(logger, ex.Message);
                }

                failing = true;
            }

            try
            {
                await Task.Delay(period, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the latest positions from Redis for the vehicle list ({Reason}); it keeps what the updates bring")]
    private static partial void LogUnreadable(ILogger logger, string reason);
}
