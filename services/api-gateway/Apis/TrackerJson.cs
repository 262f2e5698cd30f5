using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// The tracker's answer passed through unchanged: its status, content type, <c>X-Fleetman-Source</c> header and JSON
/// body (a <typeparamref name="T"/> when it succeeded, a problem otherwise). <typeparamref name="T"/> only describes the body in the OpenAPI document.
/// </summary>
public sealed class TrackerJson<T>(TrackerAnswer answer) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => answer.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = answer.StatusCode;
        response.ContentType = answer.ContentType?.ToString() ?? "application/json";
        response.ContentLength = answer.Body.Length;
        if (answer.Source is { } source)
        {
            response.Headers[TrackerAnswer.SourceHeader] = source;
        }

        return response.Body.WriteAsync(answer.Body, httpContext.RequestAborted).AsTask();
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}
