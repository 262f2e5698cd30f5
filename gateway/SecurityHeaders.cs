namespace Fleetman.Gateway;

/// <summary>
/// The headers every response leaves with, the gateway's own and proxied ones alike (set as the response starts, so
/// they replace whatever a backend sent), and no <c>Server</c> header.
/// </summary>
internal sealed class SecurityHeaders
{
    private readonly RequestDelegate _next;
    private readonly string _contentSecurityPolicy;

    public SecurityHeaders(RequestDelegate next, IOptions<GatewayOptions> options)
    {
        _next = next;
        _contentSecurityPolicy = ContentSecurityPolicy(options.Value.MapTileSourceList());
    }

    /// <summary>
    /// The policy of a Leaflet single page: its own scripts only; inline styles allowed (Leaflet positions markers
    /// and tiles with style attributes); images from itself, data: URLs (Leaflet's icons) and the tile servers;
    /// fetch, XHR and WebSockets to its own origin only (CSP Level 3 'self' covers ws: and wss: on the same host);
    /// no plugins, no framing, no foreign form targets or base URLs.
    /// </summary>
    public static string ContentSecurityPolicy(IEnumerable<string> tileSources) =>
        string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            string.Join(' ', ["img-src 'self' data:", .. tileSources]),
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var (response, policy) = ((HttpResponse, string))state;
            var headers = response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (response.HttpContext.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            // Kestrel's own is switched off; a backend's would tell what runs behind the edge.
            headers.Remove("Server");
            headers.Remove("X-Powered-By");
            return Task.CompletedTask;
        }, (context.Response, _contentSecurityPolicy));

        return _next(context);
    }
}
