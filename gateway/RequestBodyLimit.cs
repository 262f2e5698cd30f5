using Microsoft.AspNetCore.Http.Features;

namespace Fleetman.Gateway;

/// <summary>
/// Request bodies larger than <c>Gateway:MaxRequestBodyBytes</c> are refused with 413: at once when the
/// Content-Length says so, by Kestrel while the body streams otherwise (chunked uploads).
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, IOptions<GatewayOptions> options, IProblemDetailsService problems)
{
    private readonly int _limit = options.Value.MaxRequestBodyBytes;

    public const string Title = "Request body too large";

    public static string Detail(int limit) => $"The gateway accepts request bodies of at most {limit} bytes.";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = _limit;
        }

        if (context.Request.ContentLength > _limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            // The body is not read, so the connection cannot carry another request: the client is told so.
            context.Response.Headers.Connection = "close";
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = Title,
                    Detail = Detail(_limit),
                },
            });
            return;
        }

        await next(context);
    }
}
