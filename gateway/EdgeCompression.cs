using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace Fleetman.Gateway;

/// <summary>
/// Brotli or gzip, as the client asks, for the API's JSON answers over 1 KB (the vehicle list shrinks several times over).
/// <list type="bullet">
/// <item>Only <c>/api/*</c>: public data (every vehicle's position) that holds no secret of the client's, so
/// compressing it next to what a request echoes cannot leak a secret through the compressed length (BREACH). Admin
/// routes (whose answers may reflect credentials), the hub (WebSockets, SSE, long polling: small frames, a stream
/// the compressor would hold back) and everything else go as they are.</item>
/// <item>The fastest levels: on 2 cores the answer's latency matters more than the last few per cent of bytes.</item>
/// <item>At 1 KB or below, or an answer the backend compressed already, compression is not worth it or not ours to do.</item>
/// </list>
/// </summary>
internal static class EdgeCompression
{
    public const int MinimumBytes = 1024;

    public static IServiceCollection AddEdgeCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(compression =>
        {
            // What is compressed is public, so HTTPS changes nothing (see above); the edge may terminate TLS itself.
            compression.EnableForHttps = true;
            compression.Providers.Add<BrotliCompressionProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
            compression.MimeTypes = ["application/json", "application/problem+json"];
        });
        services.Configure<BrotliCompressionProviderOptions>(brotli => brotli.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(gzip => gzip.Level = CompressionLevel.Fastest);
        services.AddSingleton<IResponseCompressionProvider, ApiOnly>();
        return services;
    }

    private sealed class ApiOnly(IServiceProvider services, IOptions<ResponseCompressionOptions> options) : IResponseCompressionProvider
    {
        private readonly ResponseCompressionProvider _inner = new(services, options);

        public bool CheckRequestAcceptsCompression(HttpContext context) =>
            context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && _inner.CheckRequestAcceptsCompression(context);

        public ICompressionProvider? GetCompressionProvider(HttpContext context) => _inner.GetCompressionProvider(context);

        public bool ShouldCompressResponse(HttpContext context) =>
            context.Response.ContentLength is null or > MinimumBytes && _inner.ShouldCompressResponse(context);
    }
}
