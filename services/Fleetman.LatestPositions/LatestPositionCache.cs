using System.Text.Json;
using Fleetman.Contracts;
using StackExchange.Redis;

namespace Fleetman.LatestPositions;

/// <summary>
/// The newest position of every vehicle, in two Redis hashes: one with the position as JSON, one with its time in
/// Unix milliseconds. A Lua script updates both only when the incoming time is newer, atomically, so reports that
/// arrive out of order (or twice) never move a vehicle back.
/// </summary>
public sealed class LatestPositionCache(IConnectionMultiplexer redis, string keyPrefix = LatestPositionCache.DefaultKeyPrefix)
{
    public const string DefaultKeyPrefix = "fleetman:latest";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // KEYS: positions hash, times hash. ARGV: vehicle, time-ms, json, vehicle, time-ms, json, ...
    private static readonly LuaScript NewestWins = LuaScript.Prepare("""
        local updated = 0
        for i = 1, #ARGV, 3 do
          local current = redis.call('HGET', KEYS[2], ARGV[i])
          if not current or tonumber(current) < tonumber(ARGV[i + 1]) then
            redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
            redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
            updated = updated + 1
          end
        end
        return updated
        """);

    private readonly RedisKey _positions = keyPrefix + ":positions";
    private readonly RedisKey _times = keyPrefix + ":times";

    /// <summary>Records each position unless a newer one of that vehicle is already there; returns how many were newer.</summary>
    public async Task<int> UpdateAsync(IReadOnlyCollection<VehiclePosition> positions)
    {
        if (positions.Count == 0)
        {
            return 0;
        }

        var arguments = new RedisValue[positions.Count * 3];
        var i = 0;
        foreach (var position in positions)
        {
            arguments[i++] = position.Vehicle;
            arguments[i++] = position.Time.ToUnixTimeMilliseconds();
            arguments[i++] = JsonSerializer.Serialize(position, Json);
        }

        var result = await redis.GetDatabase().ScriptEvaluateAsync(NewestWins.ExecutableScript, [_positions, _times], arguments);
        return (int)result;
    }

    /// <summary>The newest position of every vehicle, ordered by name.</summary>
    public async Task<IReadOnlyList<VehiclePosition>> GetAllAsync()
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(_positions);
        return [.. entries.Select(entry => Deserialize(entry.Value)).OrderBy(p => p.Vehicle, StringComparer.Ordinal)];
    }

    /// <summary>The newest position of one vehicle, or null if it never reported.</summary>
    public async Task<VehiclePosition?> GetAsync(string vehicle)
    {
        var value = await redis.GetDatabase().HashGetAsync(_positions, vehicle);
        return value.IsNull ? null : Deserialize(value);
    }

    private static VehiclePosition Deserialize(RedisValue json) =>
        JsonSerializer.Deserialize<VehiclePosition>((string)json!, Json) ?? throw new InvalidDataException("A latest-position entry is JSON null.");
}
