using Microsoft.Net.Http.Headers;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// The vehicle list from memory (<see cref="VehicleList"/>): 200 with its JSON, or 304 with no body when the client's
/// <c>If-None-Match</c> names its ETag. <c>Cache-Control: no-cache</c>: a browser may keep the list but asks each time
/// whether it is still the current one, since it changes every second while vehicles move. Compressed once per change
/// when the client accepts Brotli or gzip (<c>Vary: Accept-Encoding</c>); the edge passes that on as it is.
/// </summary>
public sealed class VehicleListResult(VehicleList.Written list) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode { get; private set; }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.Headers.ETag = list.ETag;
        response.Headers.CacheControl = "no-cache";
        response.Headers.Vary = "Accept-Encoding";
        if (Matches(httpContext.Request.Headers.IfNoneMatch))
        {
            StatusCode = response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        StatusCode = response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var (encoding, body) = Encoded(httpContext.Request.Headers.AcceptEncoding);
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }

        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    /// <summary>Brotli or gzip when the client accepts it (Brotli first, as the edge prefers), the JSON as it is otherwise.</summary>
    private (string? Encoding, byte[] Body) Encoded(Microsoft.Extensions.Primitives.StringValues acceptEncoding)
    {
        if (acceptEncoding.Count > 0 && StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var accepted))
        {
            if (Accepts(accepted, "br"))
            {
                return ("br", list.Brotli);
            }

            if (Accepts(accepted, "gzip"))
            {
                return ("gzip", list.Gzip);
            }
        }

        return (null, list.Body);

        static bool Accepts(IList<StringWithQualityHeaderValue> accepted, string encoding) =>
            accepted.Any(value => value.Value.Equals(encoding, StringComparison.OrdinalIgnoreCase) && value.Quality is not 0.0);
    }

    /// <summary>If-None-Match compares weakly (RFC 9110 13.1.2): <c>*</c>, or any listed tag with the same opaque value.</summary>
    private bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch)
    {
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return false;
        }

        var current = EntityTagHeaderValue.Parse(list.ETag);
        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));
    }
}
