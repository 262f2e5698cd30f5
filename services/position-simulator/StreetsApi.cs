using System.Security.Cryptography;
using Fleetman.PositionSimulator.Simulation;
using Microsoft.Net.Http.Headers;

namespace Fleetman.PositionSimulator;

/// <summary>
/// The street network the vehicles drive on, as GeoJSON, for maps drawn without a tile server: the built-in towns'
/// streets (those of the towns the current fleet drives in) or the recorded tracks, simplified. Built once per change
/// of the drawing (a fleet growing into more towns), then served from memory with an ETag.
/// </summary>
public sealed class StreetsDocument(VehicleSource source, Simulator simulator)
{
    public const string ContentType = "application/geo+json";

    private readonly Lock _lock = new();
    private (int Version, Drawing Drawing)? _current;

    /// <summary>The GeoJSON body and its strong ETag.</summary>
    public sealed record Drawing(byte[] Body, string ETag);

    public Drawing Current()
    {
        var version = source.StreetsVersion(simulator.ActiveVehicles);
        lock (_lock)
        {
            if (_current is { } current && current.Version == version)
            {
                return current.Drawing;
            }

            var drawing = Render(source.Streets(simulator.ActiveVehicles));
            _current = (version, drawing);
            return drawing;
        }
    }

    /// <summary>
    /// A FeatureCollection of LineStrings, coordinates <c>[longitude, latitude]</c> rounded to 6 decimals (about 0.1 m),
    /// each with <c>{"kind": "street"}</c> or <c>{"kind": "track"}</c>.
    /// </summary>
    public static Drawing Render(IReadOnlyList<StreetLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteStartArray("features");
            foreach (var line in lines)
            {
                json.WriteStartObject();
                json.WriteString("type", "Feature");
                json.WriteStartObject("properties");
                json.WriteString("kind", line.Kind == StreetKind.Street ? "street" : "track");
                json.WriteEndObject();
                json.WriteStartObject("geometry");
                json.WriteString("type", "LineString");
                json.WriteStartArray("coordinates");
                foreach (var point in line.Points)
                {
                    json.WriteStartArray();
                    json.WriteNumberValue(Math.Round(point.Longitude, 6, MidpointRounding.AwayFromZero));
                    json.WriteNumberValue(Math.Round(point.Latitude, 6, MidpointRounding.AwayFromZero));
                    json.WriteEndArray();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var body = buffer.ToArray();
        return new Drawing(body, $"\"{Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12))}\"");
    }
}

/// <summary><c>GET /simulator/streets</c>: public and read-only (the edge serves it as <c>/api/streets</c>).</summary>
public static class StreetsApi
{
    /// <summary>Browsers and proxies may keep the drawing a minute, then ask again with the ETag (a 304 while unchanged).</summary>
    public const string CacheControl = "public, max-age=60";

    public static IEndpointRouteBuilder MapStreetsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/simulator/streets", (StreetsDocument streets, HttpRequest request, HttpResponse response) =>
        {
            var drawing = streets.Current();
            response.Headers.ETag = drawing.ETag;
            response.Headers.CacheControl = CacheControl;
            if (request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } tags
                && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(new EntityTagHeaderValue(drawing.ETag), useStrongComparison: false)))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            return Results.Bytes(drawing.Body, StreetsDocument.ContentType);
        })
            .WithTags("Simulator")
            .WithName("GetStreets")
            .WithSummary("The street network the vehicles drive on, as a GeoJSON FeatureCollection of LineStrings (kind street or track), with an ETag.")
            .Produces(StatusCodes.Status200OK, contentType: StreetsDocument.ContentType)
            .Produces(StatusCodes.Status304NotModified);
        return endpoints;
    }
}
