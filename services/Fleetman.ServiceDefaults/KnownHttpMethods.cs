using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Refuses requests whose method is not one HTTP defines and the services use, with a 501 problem, before anything
/// counts or forwards them: the request metrics label every request with its method, so an invented method (any token
/// a client likes) would add series to <c>/metrics</c> for ever, and the edge would pass it on to the backends.
/// </summary>
internal sealed class KnownHttpMethods(RequestDelegate next, IProblemDetailsService problems)
{
    /// <summary>The methods a Fleetman service answers; CONNECT carries WebSockets over HTTP/2.</summary>
    public static readonly IReadOnlySet<string> Allowed = new HashSet<string>(StringComparer.Ordinal)
    {
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch,
        HttpMethods.Options, HttpMethods.Connect,
    };

    public const string NotImplementedType = "https://tools.ietf.org/html/rfc9110#section-15.6.2";

    public Task InvokeAsync(HttpContext context)
    {
        // Methods are case-sensitive (RFC 9110): "get" is not GET.
        if (Allowed.Contains(context.Request.Method))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status501NotImplemented;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status501NotImplemented,
                Type = NotImplementedType,
                Title = "Method not implemented",
                Detail = $"This service answers {string.Join(", ", Allowed.Order(StringComparer.Ordinal))} only.",
            },
        }).AsTask();
    }
}
