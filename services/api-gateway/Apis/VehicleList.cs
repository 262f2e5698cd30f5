using System.IO.Compression;
using System.IO.Hashing;
using System.Text.Json.Serialization.Metadata;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// The answer to <c>GET /api/vehicles/</c> kept in memory: every vehicle's newest position, fed by the updates topic this
/// replica already hears for the hub and put right from Redis now and then (<see cref="VehicleListSync"/>). The JSON is
/// written once per change, not once per request, so an unchanged list is served like a static file; its hash is the
/// ETag, the same on every replica for the same list.
/// <para>
/// Newest wins the way Redis decides it (the queue-consumer's script compares Unix milliseconds and keeps the older
/// entry on a tie), so the list is the one the tracker reads from Redis: the same bytes.
/// </para>
/// <para>
/// A read of Redis is the truth about which vehicles are in the fleet, except for what the topic brought after the read
/// began: Redis may have had it too late for that read. So a vehicle missing from a read leaves the list only when the
/// list last took a position of it before the read began; otherwise the next read decides. The same holds the other
/// way round: a vehicle removed (the removals topic) after a read began is not brought back by what that read found.
/// </para>
/// </summary>
/// <param name="apiJson">The options the APIs' JSON is written with (the relaxed escaping of ASP.NET Core's, strict numbers).</param>
public sealed class VehicleList(JsonSerializerOptions apiJson)
{
    // The same options with the build-time metadata instead of reflection.
    private readonly JsonTypeInfo<VehiclePositionResponse[]> _json = (JsonTypeInfo<VehiclePositionResponse[]>)
        new JsonSerializerOptions(apiJson) { TypeInfoResolver = ApiGatewayJsonContext.Default }.GetTypeInfo(typeof(VehiclePositionResponse[]));
    private readonly SortedDictionary<string, Entry> _newest = new(StringComparer.Ordinal); // the tracker's order
    private readonly Dictionary<string, long> _removedIn = new(StringComparer.Ordinal); // vehicle → the change that removed it
    private readonly Lock _lock = new();
    private readonly Lock _writing = new();
    private long _version;
    private bool _complete;
    private Written? _written;

    /// <summary>Whether the list has been read from Redis once: before that it knows only what came since it started.</summary>
    public bool IsComplete
    {
        get
        {
            lock (_lock)
            {
                return _complete;
            }
        }
    }

    /// <summary>Takes each position that is newer than its vehicle's; returns whether any was.</summary>
    public bool Apply(IEnumerable<VehiclePosition> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        lock (_lock)
        {
            var changed = false;
            foreach (var position in positions)
            {
                // The topic carries only positions the queue-consumer let into the fleet: a removed vehicle is back.
                _removedIn.Remove(position.Vehicle);
                changed |= ApplyOne(position);
            }

            if (changed)
            {
                _version++;
            }

            return changed;
        }
    }

    /// <summary>Where the list stands before a read of Redis starts: give it to <see cref="Complete"/> with what that read returned.</summary>
    public ReadStart BeginRead()
    {
        lock (_lock)
        {
            return new ReadStart(_version);
        }
    }

    /// <summary>
    /// Makes the list Redis's set of vehicles: each position there is taken where newer, a vehicle missing there leaves
    /// unless the list took a position of it after <paramref name="read"/> began; from now on the list is complete.
    /// </summary>
    public void Complete(ReadStart read, IEnumerable<VehiclePosition> fromRedis)
    {
        ArgumentNullException.ThrowIfNull(fromRedis);
        lock (_lock)
        {
            var changed = !_complete;
            var inRedis = new HashSet<string>(StringComparer.Ordinal);
            foreach (var position in fromRedis)
            {
                if (_removedIn.TryGetValue(position.Vehicle, out var removed) && removed > read.Version)
                {
                    continue; // removed while this read was under way: what Redis had then is older than the removal
                }

                inRedis.Add(position.Vehicle);
                changed |= ApplyOne(position);
            }

            // A read that began after a removal is the truth about it from now on.
            foreach (var vehicle in _removedIn.Where(entry => entry.Value <= read.Version).Select(entry => entry.Key).ToList())
            {
                _removedIn.Remove(vehicle);
            }

            // Collected first: a SortedDictionary cannot lose entries while it is enumerated.
            var gone = _newest.Where(entry => entry.Value.Taken <= read.Version && !inRedis.Contains(entry.Key))
                .Select(entry => entry.Key).ToList();
            foreach (var vehicle in gone)
            {
                _newest.Remove(vehicle);
            }

            _complete = true;
            if (changed || gone.Count > 0)
            {
                _version++;
            }
        }
    }

    /// <summary>Drops a vehicle from the list; returns whether it was there.</summary>
    public bool Remove(string vehicle)
    {
        lock (_lock)
        {
            if (!_newest.Remove(vehicle))
            {
                return false;
            }

            _version++;
            _removedIn[vehicle] = _version;
            return true;
        }
    }

    /// <summary>The list as JSON with its ETag, or null while it is not complete (the tracker answers then).</summary>
    public Written? Current()
    {
        var written = Volatile.Read(ref _written);
        if (written is not null && written.Version == Volatile.Read(ref _version))
        {
            return written;
        }

        // One request writes a changed list; the others wait for it instead of writing it too.
        lock (_writing)
        {
            VehiclePositionResponse[] answer;
            long version;
            lock (_lock)
            {
                if (!_complete)
                {
                    return null;
                }

                version = _version;
                if (_written is { } fresh && fresh.Version == version)
                {
                    return fresh;
                }

                answer = [.. _newest.Values.Select(entry => VehiclePositionResponse.From(entry.Position))];
            }

            var body = JsonSerializer.SerializeToUtf8Bytes(answer, _json);
            written = new Written(version, body, ETagOf(body));
            Volatile.Write(ref _written, written);
            return written;
        }
    }

    /// <summary>
    /// A weak validator: the edge may compress the answer, and a weak ETag stays true for every encoding of the same
    /// JSON (a strong one would promise the very bytes on the wire).
    /// </summary>
    private static string ETagOf(byte[] body) =>
        $"W/\"{XxHash3.HashToUInt64(body).ToString("x16", CultureInfo.InvariantCulture)}\"";

    private bool ApplyOne(VehiclePosition position)
    {
        if (_newest.TryGetValue(position.Vehicle, out var current)
            && current.Position.Time.ToUnixTimeMilliseconds() >= position.Time.ToUnixTimeMilliseconds())
        {
            return false;
        }

        // Taken in the change the version is about to count, so after every read that began before it.
        _newest[position.Vehicle] = new Entry(position, _version + 1);
        return true;
    }

    /// <summary>A vehicle's newest position and the change of the list that took it.</summary>
    private readonly record struct Entry(VehiclePosition Position, long Taken);

    /// <summary>The list's version when a read of Redis began.</summary>
    public readonly record struct ReadStart(long Version);

    /// <param name="Version">Which change of the list it is.</param>
    /// <param name="Body">UTF-8 JSON.</param>
    /// <param name="ETag">Quoted, weak: <c>W/"…"</c>.</param>
    public sealed record Written(long Version, byte[] Body, string ETag)
    {
        private readonly Lazy<byte[]> _brotli = new(() => Compress(Body, stream => new BrotliStream(stream, CompressionLevel.Fastest)));
        private readonly Lazy<byte[]> _gzip = new(() => Compress(Body, stream => new GZipStream(stream, CompressionLevel.Fastest)));

        /// <summary>
        /// The JSON compressed with Brotli, once per change at the first request that asks for it (the edge would
        /// otherwise compress the same list again for every request).
        /// </summary>
        public byte[] Brotli => _brotli.Value;

        /// <summary>The JSON compressed with gzip, once per change.</summary>
        public byte[] Gzip => _gzip.Value;

        private static byte[] Compress(byte[] body, Func<Stream, Stream> compressor)
        {
            using var output = new MemoryStream();
            using (var compressing = compressor(output))
            {
                compressing.Write(body);
            }

            return output.ToArray();
        }
    }
}
