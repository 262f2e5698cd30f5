using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.FileProviders;
using Yarp.ReverseProxy.Forwarder;

namespace Fleetman.Gateway;

/// <summary>What the edge gateway is made of.</summary>
public static partial class GatewayExtensions
{
    private const string IndexFile = "index.html";

    // The page names the current build's assets: never served from a cache without asking.
    private const string IndexCacheControl = "no-cache";

    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<GatewayOptions>(GatewayOptions.SectionName, static (section, options) => section.Bind(options));
        builder.AddValidatedOptions<ApiRateLimitOptions>(ApiRateLimitOptions.SectionName, static (section, options) => section.Bind(options));
        builder.AddValidatedOptions<WebappOptions>(WebappOptions.SectionName, static (section, options) => section.Bind(options));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        // Routes and clusters come from the ReverseProxy section (appsettings.json; every value can be overridden by
        // an environment variable such as ReverseProxy__Clusters__api-gateway__Destinations__d1__Address).
        var proxy = builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        SharedDestinations.Decorate(builder.Services);
        proxy.AddConfigFilter<ProxyRoutes.AdminRoutesRequireAdmin>();
        // Read here, before options are validated: a value that is not a number is refused at start with its name.
        if (int.TryParse(builder.Configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DestinationDnsRefreshSeconds)}"],
                System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var dnsRefreshSeconds)
            && dnsRefreshSeconds > 0)
        {
            proxy.AddDnsDestinationResolver(dns => dns.RefreshPeriod = TimeSpan.FromSeconds(dnsRefreshSeconds));
            TolerantDnsDestinationResolver.Decorate(builder.Services);
        }

        if (!ServesWebappFiles(builder.Configuration))
        {
            proxy.LoadFromMemory([ProxyRoutes.WebappRoute], []);
        }

        builder.Services.AddSingleton<ProxyConfigurationCheck>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ProxyConfigurationCheck>());

        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, AdminAuthentication>(AdminAuthentication.SchemeName, configureOptions: null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminAuthentication.PolicyName, policy => policy
                .AddAuthenticationSchemes(AdminAuthentication.SchemeName)
                .RequireAuthenticatedUser());
        builder.Services.AddApiRateLimiting();
        builder.Services.AddVersionEndpoint();
        builder.Services.AddEdgeCompression();

        // Read when the pipeline is built, after the options were validated.
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<GatewayOptions>>((forwarded, gateway) =>
            forwarded.TrustOnly(gateway.Value.TrustedNetworks(), ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto));
        builder.Services.AddOptions<StaticFileOptions>().Configure<IOptions<WebappOptions>>((files, webapp) =>
        {
            if (webapp.Value.ServedFromFolder)
            {
                files.FileProvider = new PhysicalFileProvider(webapp.Value.RootPath);
                WebappAssets.Configure(files);
                files.OnPrepareResponse = file =>
                {
                    if (file.File.Name == IndexFile)
                    {
                        file.Context.Response.Headers.CacheControl = IndexCacheControl;
                    }

                    WebappAssets.PrepareResponse(file);
                };
            }
        });

        // A backend that cannot be reached is a ProblemDetails that names its cluster, like every other error.
        builder.Services.Configure<ProblemDetailsOptions>(problems => problems.CustomizeProblemDetails = context =>
        {
            var http = context.HttpContext;
            if (http.Features.Get<IForwarderErrorFeature>() is not { } error)
            {
                return;
            }

            if (http.Response.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // A body without Content-Length that went over the limit while it was being forwarded.
                var limit = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxRequestBodyBytes;
                http.Response.Headers.Connection = "close";
                context.ProblemDetails.Title = RequestBodyLimit.Title;
                context.ProblemDetails.Detail = RequestBodyLimit.Detail(limit);
                return;
            }

            // The hub's cluster names the service whose destinations it reaches: one name per service in every answer.
            var cluster = http.GetReverseProxyFeature()?.Cluster?.Config;
            var service = (cluster is null ? null : SharedDestinations.SourceOf(cluster) ?? cluster.ClusterId) ?? "unknown";
            context.ProblemDetails.Detail = $"The gateway got no answer from the {service} service ({error.Error}).";
        });
        return builder;
    }

    /// <summary>Forwarded headers, security headers on every response, the request body limit, compression of the API's JSON.</summary>
    public static WebApplication UseGatewayEdge(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<RequestBodyLimit>();
        app.UseResponseCompression();
        return app;
    }

    /// <summary>Rate limits, admin authentication, <c>/version</c>, the proxied routes and the webapp.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Limits before authentication, so that guessing the admin password is rate limited too.
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        // A literal path: it wins over the webapp's fallback and the webapp cluster's catch-all route.
        app.MapVersion();

        if (ServesWebappFiles(app.Configuration))
        {
            app.UsePrecompressedAssets();
            app.UseStaticFiles();
            // Paths that are not files (client-side routes, "/") get the single page; missing files stay 404.
            app.MapFallback("{*path:nonfile}", ServeIndexAsync)
                .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        }

        try
        {
            app.MapReverseProxy();
        }
        catch (InvalidOperationException e)
        {
            app.Services.GetRequiredService<ProxyConfigurationCheck>().Failed(e);
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (!app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.AdminEnabled)
            {
                LogAdminDisabled(app.Logger);
            }
        });
        return app;
    }

    private static bool ServesWebappFiles(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{WebappOptions.SectionName}:{nameof(WebappOptions.Root)}"]);

    private static async Task ServeIndexAsync(HttpContext context)
    {
        var files = context.RequestServices.GetRequiredService<IOptions<StaticFileOptions>>().Value.FileProvider!;
        var index = files.GetFileInfo(IndexFile);
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = IndexCacheControl;
        context.Response.ContentLength = index.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.SendFileAsync(index, context.RequestAborted);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin routes are disabled (403) until Gateway__AdminPassword is set")]
    private static partial void LogAdminDisabled(ILogger logger);
}
