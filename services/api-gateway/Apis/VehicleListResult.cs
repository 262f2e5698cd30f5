using Microsoft.Net.Http.Headers;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// The vehicle list from memory (<see cref="VehicleList"/>): 200 with its JSON, or 304 with no body when the client's
/// <c>If-None-Match</c> names its ETag. <c>Cache-Control: no-cache</c>: a browser may keep the list but asks each time
/// whether it is still the current one, since it changes every second while vehicles move.
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
        if (Matches(httpContext.Request.Headers.IfNoneMatch))
        {
            StatusCode = response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        StatusCode = response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = list.Body.Length;
        return response.Body.WriteAsync(list.Body, httpContext.RequestAborted).AsTask();
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
