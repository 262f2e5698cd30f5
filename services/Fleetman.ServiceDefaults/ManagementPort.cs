using Microsoft.AspNetCore.Http;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Section <c>Management</c>: a second port for what only the platform reads. With <see cref="Port"/> set the service
/// also listens there, answers <c>/metrics</c> only there, and answers nothing but <c>/metrics</c> and the health
/// endpoints there: a public port (the edge's) then gives nobody its metrics, while Prometheus scrapes the other.
/// </summary>
public sealed class ManagementOptions
{
    public const string SectionName = "Management";

    /// <summary>The management port (on the same addresses as the service's own); 0: none, <c>/metrics</c> is on the service's port.</summary>
    [Range(0, 65_535)]
    public int Port { get; set; }

    /// <summary>The configured port, or null when there is none or it is not a number (validation then names the setting).</summary>
    internal static int? ConfiguredPort(IConfiguration configuration) =>
        int.TryParse(configuration[$"{SectionName}:{nameof(Port)}"], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
        && port is > 0 and <= 65_535 ? port : null;

    /// <summary>
    /// Adds the management port to the addresses the server listens on (<c>urls</c>, else <c>http_ports</c>, as
    /// ASP.NET Core reads them), on the host of the first: loopback stays loopback, every interface stays every interface.
    /// </summary>
    internal static void AddListenAddress(IConfiguration configuration, int port)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (urls.Count == 0)
        {
            urls = [.. (configuration["http_ports"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => $"http://*:{p}")];
        }

        if (urls.Count == 0)
        {
            urls.Add("http://localhost:5000");
        }

        urls.Add(WithPort(urls[0], port));
        configuration["urls"] = string.Join(';', urls);
    }

    internal static string WithPort(string url, int port)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var authorityStart = scheme < 0 ? 0 : scheme + 3;
        var authorityEnd = url.IndexOf('/', authorityStart);
        var authority = authorityEnd < 0 ? url[authorityStart..] : url[authorityStart..authorityEnd];
        // The port follows the last colon that is not inside an IPv6 literal ([::1]:8080).
        var colon = authority.LastIndexOf(':');
        var host = colon > authority.LastIndexOf(']') && colon >= 0 ? authority[..colon] : authority;
        return $"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}";
    }
}

/// <summary>Keeps the management port and the service's own apart, by the port the connection came in on (not the Host header a client writes).</summary>
internal sealed class ManagementPortSeparation(RequestDelegate next, IProblemDetailsService problems, int port, string metricsPath)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var onManagementPort = context.Connection.LocalPort == port;
        var isMetrics = path.StartsWithSegments(metricsPath);
        var allowed = onManagementPort ? isMetrics || path.StartsWithSegments("/healthz") : !isMetrics;
        if (allowed)
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status404NotFound, Title = "Not Found" },
        }).AsTask();
    }
}
