using Microsoft.Data.Sqlite;

namespace Fleetman.Chaos.Tests.System;

/// <summary>The end of a run: the simulator stopped, the queue drained, the store read back.</summary>
public sealed partial class ChaosSystem
{
    private const string SimulatorAdminPassword = "chaos admin password";

    // The simulator's control routes check the admin's credentials.
    private static HttpRequestMessage WithAdmin(HttpRequestMessage request)
    {
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(global::System.Text.Encoding.UTF8.GetBytes($"admin:{SimulatorAdminPassword}")));
        return request;
    }

    /// <summary>
    /// Stops the simulator (<c>POST /simulator/stop</c>), waits until none of its sends is still waiting for the broker
    /// (each one confirmed or failed), then until the consumers have stored every report the broker confirmed.
    /// Returns the simulator's final counts and the store's (vehicle, time) rows, one entry per row.
    /// </summary>
    public async Task<(SimulatorStatus Simulator, List<ReportKey> Stored)> StopAndDrainAsync()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/simulator/stop"))
        using (var stop = await Simulator.Http.SendAsync(WithAdmin(request)))
        {
            stop.EnsureSuccessStatusCode();
        }

        SimulatorStatus status = null!;
        await Eventually.Until(() => (status = SimulatorStatusAsync().GetAwaiter().GetResult()).InFlight == 0, DrainPatience,
            () => $"{status.InFlight} reports still waiting for the broker");
        var confirmed = Tap.Confirmed.ToHashSet();
        List<ReportKey> stored = [];
        await Eventually.Until(() =>
        {
            stored = ReadStore();
            return confirmed.IsSubsetOf(stored);
        }, DrainPatience, () => $"{confirmed.Except(stored).Count()} of {confirmed.Count} confirmed reports not stored yet");
        Log($"drained: simulator published {status.Published}, failed {status.Failed}, dropped {status.Dropped}; "
            + $"tap saw {Tap.Sent.Count} reports sent and {confirmed.Count} confirmed over {Tap.Connections} connections; store has {stored.Count} rows");
        return (status, stored);
    }

    /// <summary>Every (vehicle, time) row of the positions table, read straight from the SQLite file.</summary>
    public List<ReportKey> ReadStore()
    {
        var rows = new List<ReportKey>();
        if (!File.Exists(Run.DatabasePath))
        {
            return rows;
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = Run.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT vehicle, time FROM positions";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new ReportKey(reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }
}
