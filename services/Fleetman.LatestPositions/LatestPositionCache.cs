using StackExchange.Redis;

namespace Fleetman.LatestPositions;

/// <summary>What <see cref="LatestPositionCache.UpdateAsync"/> did.</summary>
/// <param name="Updated">Vehicles whose position moved on (the incoming one was newer).</param>
/// <param name="Retired">Vehicles refused because they were retired after the incoming position (a late report).</param>
public sealed record LatestUpdate(int Updated, IReadOnlyList<string> Retired);

/// <summary>
/// The newest position of every vehicle in the fleet, in Redis: a hash with the position as JSON, a hash with its time
/// in Unix milliseconds, and a sorted set of when each was last heard from (this service's clock), for the retention
/// sweep. Lua scripts change them atomically, so several writers (queue-consumer replicas) never disagree:
/// <list type="bullet">
/// <item>an update wins only when its time is newer, so reports that arrive out of order (or twice) never move a vehicle
/// back;</item>
/// <item>a retired vehicle leaves a marker with the time it left: a report from before it (still queued when it left)
/// does not bring it back, a later one does. Markers are forgotten after the retention.</item>
/// </list>
/// Every call that cannot reach Redis fails with <see cref="LatestPositionsUnavailableException"/>, whatever the client
/// library threw.
/// </summary>
public sealed class LatestPositionCache(RedisConnection redis, string keyPrefix = LatestPositionCache.DefaultKeyPrefix, TimeProvider? clock = null)
{
    public const string DefaultKeyPrefix = "fleetman:latest";

    /// <summary>The most vehicles one sweep removes; <see cref="SweepAsync"/> says when more may wait.</summary>
    public const int SweepBatch = 1_000;


    // KEYS: positions, times, seen, retired, retired-at. ARGV: now-ms, then vehicle, time-ms, json, vehicle, ...
    // Returns {updated, retired vehicle, retired vehicle, ...}.
    private static readonly LuaScript NewestWins = LuaScript.Prepare("""
        local updated = 0
        local refused = {}
        for i = 2, #ARGV, 3 do
          local name = ARGV[i]
          local time = tonumber(ARGV[i + 1])
          local current = redis.call('HGET', KEYS[2], name)
          if not current or tonumber(current) < time then
            local retired = redis.call('HGET', KEYS[4], name)
            if retired and tonumber(retired) >= time then
              refused[#refused + 1] = name
            else
              if retired then
                redis.call('HDEL', KEYS[4], name)
                redis.call('ZREM', KEYS[5], name)
                redis.call('SREM', KEYS[6], name)
              end
              redis.call('HSET', KEYS[2], name, ARGV[i + 1])
              redis.call('HSET', KEYS[1], name, ARGV[i + 2])
              redis.call('ZADD', KEYS[3], ARGV[1], name)
              updated = updated + 1
            end
          end
        end
        table.insert(refused, 1, updated)
        return refused
        """);

    // KEYS as above. ARGV: now-ms, retirement time-ms, vehicle, vehicle, ...
    // Returns the vehicles out of the fleet now: removed, or gone already. One that reported after the retirement stays.
    private static readonly LuaScript Retire = LuaScript.Prepare("""
        local out = {}
        local time = tonumber(ARGV[2])
        for i = 3, #ARGV do
          local name = ARGV[i]
          local current = redis.call('HGET', KEYS[2], name)
          if not current or tonumber(current) <= time then
            if current then
              redis.call('HDEL', KEYS[1], name)
              redis.call('HDEL', KEYS[2], name)
              redis.call('ZREM', KEYS[3], name)
            end
            local marker = redis.call('HGET', KEYS[4], name)
            if not marker or tonumber(marker) < time then
              redis.call('HSET', KEYS[4], name, ARGV[2])
              redis.call('ZADD', KEYS[5], ARGV[1], name)
            end
            out[#out + 1] = name
          end
        end
        return out
        """);

    // KEYS as above. ARGV: now-ms, silent-before-ms, markers-before-ms, batch.
    // Returns the vehicles removed for silence (at most batch); they are also kept to be announced (KEYS[6]) until
    // AnnouncedAsync, so a removal whose reply is lost on the way back is still announced.
    private static readonly LuaScript Sweep = LuaScript.Prepare("""
        local batch = tonumber(ARGV[4])
        if redis.call('HLEN', KEYS[2]) > redis.call('ZCARD', KEYS[3]) then
          -- Vehicles written before the sweep existed have no time heard from: it starts now.
          for _, name in ipairs(redis.call('HKEYS', KEYS[2])) do
            if not redis.call('ZSCORE', KEYS[3], name) then
              redis.call('ZADD', KEYS[3], ARGV[1], name)
            end
          end
        end
        local silent = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[2], 'LIMIT', 0, batch)
        for _, name in ipairs(silent) do
          local time = redis.call('HGET', KEYS[2], name)
          redis.call('HDEL', KEYS[1], name)
          redis.call('HDEL', KEYS[2], name)
          redis.call('ZREM', KEYS[3], name)
          redis.call('SADD', KEYS[6], name)
          if time then
            redis.call('HSET', KEYS[4], name, time)
            redis.call('ZADD', KEYS[5], ARGV[1], name)
          end
        end
        for _, name in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[3], 'LIMIT', 0, batch)) do
          redis.call('HDEL', KEYS[4], name)
          redis.call('ZREM', KEYS[5], name)
        end
        return silent
        """);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly RedisKey[] _keys =
    [
        keyPrefix + ":positions",
        keyPrefix + ":times",
        keyPrefix + ":seen",
        keyPrefix + ":retired",
        keyPrefix + ":retired-at",
        keyPrefix + ":unannounced",
    ];

    private RedisKey Positions => _keys[0];

    private RedisKey Unannounced => _keys[5];

    /// <summary>
    /// Records each position unless a newer one of that vehicle is already there, or the vehicle was retired at or after
    /// its time; the vehicles that moved on count as heard from now.
    /// </summary>
    public async Task<LatestUpdate> UpdateAsync(IReadOnlyCollection<VehiclePosition> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count == 0)
        {
            return new LatestUpdate(0, []);
        }

        var arguments = new RedisValue[1 + (positions.Count * 3)];
        arguments[0] = Now();
        var i = 1;
        foreach (var position in positions)
        {
            arguments[i++] = position.Vehicle;
            arguments[i++] = position.Time.ToUnixTimeMilliseconds();
            arguments[i++] = JsonSerializer.Serialize(position, LatestPositionJsonContext.Default.VehiclePosition);
        }

        var result = await EvaluateAsync(NewestWins, arguments);
        return new LatestUpdate((int)result[0], [.. result.Skip(1).Select(name => (string)name!)]);
    }

    /// <summary>
    /// Takes the vehicles out of the fleet unless they reported after <paramref name="time"/> (they came back); returns
    /// those out of it now, removed by this call or before (so a redelivered retirement announces them again, harmlessly).
    /// </summary>
    public async Task<IReadOnlyList<string>> RetireAsync(IReadOnlyCollection<string> vehicles, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(vehicles);
        if (vehicles.Count == 0)
        {
            return [];
        }

        RedisValue[] arguments = [Now(), time.ToUnixTimeMilliseconds(), .. vehicles.Select(v => (RedisValue)v)];
        var result = await EvaluateAsync(Retire, arguments);
        return [.. result.Select(name => (string)name!)];
    }

    /// <summary>
    /// Removes up to <see cref="SweepBatch"/> vehicles not heard from for <paramref name="retention"/> and forgets the
    /// markers of vehicles retired longer ago than that; returns the vehicles it removed (each removed by exactly one
    /// caller, however many sweep at once). A full batch means more may be waiting.
    /// </summary>
    public async Task<IReadOnlyList<string>> SweepAsync(TimeSpan retention)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var before = now - (long)retention.TotalMilliseconds;
        RedisValue[] arguments = [now, before, before, SweepBatch];
        var result = await EvaluateAsync(Sweep, arguments);
        return [.. result.Select(name => (string)name!)];
    }

    /// <summary>
    /// Up to <paramref name="max"/> vehicles the sweep removed whose removal is not announced yet (by any replica); a
    /// vehicle that reported again since is no longer among them.
    /// </summary>
    public async Task<IReadOnlyList<string>> UnannouncedAsync(int max)
    {
        var names = await CallAsync(database => database.SetRandomMembersAsync(Unannounced, max));
        return [.. names.Select(name => (string)name!).Order(StringComparer.Ordinal)];
    }

    /// <summary>The removal of these vehicles has been announced: they are no longer <see cref="UnannouncedAsync"/>.</summary>
    public async Task AnnouncedAsync(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count > 0)
        {
            await CallAsync(database => database.SetRemoveAsync(Unannounced, [.. names.Select(name => (RedisValue)name)]));
        }
    }

    /// <summary>The newest position of every vehicle, ordered by name.</summary>
    public async Task<IReadOnlyList<VehiclePosition>> GetAllAsync()
    {
        var entries = await CallAsync(database => database.HashGetAllAsync(Positions));
        return [.. entries.Select(entry => Deserialize(entry.Value)).OrderBy(p => p.Vehicle, StringComparer.Ordinal)];
    }

    /// <summary>The newest position of one vehicle, or null if it never reported or left the fleet.</summary>
    public async Task<VehiclePosition?> GetAsync(string vehicle)
    {
        var value = await CallAsync(database => database.HashGetAsync(Positions, vehicle));
        return value.IsNull ? null : Deserialize(value);
    }

    private long Now() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<RedisResult[]> EvaluateAsync(LuaScript script, RedisValue[] arguments) =>
        (RedisResult[])(await CallAsync(database => database.ScriptEvaluateAsync(script.ExecutableScript, _keys, arguments)))!;

    /// <summary>
    /// One Redis call. No call here takes a cancellation token, so a cancelled task is the client abandoning the command
    /// (its connection was lost), as much a Redis failure as its timeouts and connection errors. A connection that
    /// breaks while a reply is being read can also surface from the client's pipe as an
    /// <see cref="InvalidOperationException"/> ("Reading is not allowed after reader was completed"), an
    /// <see cref="IOException"/> or an <see cref="ObjectDisposedException"/>: seen on a loaded machine, where it escaped
    /// the sweeper and stopped a queue-consumer. Every one of them means "Redis did not answer", and the callers handle
    /// that one exception.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<IDatabase, Task<T>> call)
    {
        try
        {
            // Before the connection's first attempt is over (the service's first moments), the call waits for it without
            // holding a thread, as the first caller of the synchronous connect used to wait holding one.
            return await call((redis.Made ?? await redis.ConnectAsync()).GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or TaskCanceledException
            or InvalidOperationException or IOException or ObjectDisposedException)
        {
            throw new LatestPositionsUnavailableException($"Redis did not answer for the latest positions: {ex.Message}", ex);
        }
    }

    private static VehiclePosition Deserialize(RedisValue json) =>
        JsonSerializer.Deserialize((string)json!, LatestPositionJsonContext.Default.VehiclePosition) ?? throw new InvalidDataException("A latest-position entry is JSON null.");
}

/// <summary>
/// A latest-position entry's JSON metadata, generated at build time (the web defaults: camelCase), so that a trimmed
/// service (the api-gateway) reads the entries without reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(VehiclePosition))]
internal sealed partial class LatestPositionJsonContext : JsonSerializerContext;
