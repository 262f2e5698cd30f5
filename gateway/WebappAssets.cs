using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Fleetman.Gateway;

/// <summary>
/// The webapp's hashed files under <c>/assets/</c> (Vite names each after its content), served from a folder:
/// <list type="bullet">
/// <item>cached for a year without asking again: a new build names new files, and the page that names them
/// (<c>index.html</c>) is never cached unasked;</item>
/// <item>sent as the Brotli or gzip copy the build wrote beside the file (<c>index-1a2b.js.br</c>, <c>.gz</c>) when
/// the browser accepts it: compressed once at the highest level when the webapp is built, not on every request. A
/// file without such a copy goes as it is. Only <c>/assets/</c>: <c>config.json</c> is replaced after the build, and a
/// copy written before it would be stale.</item>
/// </list>
/// </summary>
internal static class WebappAssets
{
    public const string Folder = "/assets";

    public const string CacheControl = "public, max-age=31536000, immutable";

    // Brotli first: smaller than gzip for the same file, and every current browser accepts it.
    private static readonly (string Encoding, string Suffix)[] Encodings = [("br", ".br"), ("gzip", ".gz")];

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private static readonly object ChosenKey = new();

    /// <summary>What the static files are told about a compressed copy: it is one, and the type of what it holds.</summary>
    private sealed record Chosen(string Encoding, string ContentType);

    /// <summary>
    /// The static files' settings for the webapp's folder: a compressed copy is served like any file (its own type
    /// replaced by the original's in <see cref="PrepareResponse"/>).
    /// </summary>
    public static void Configure(StaticFileOptions files)
    {
        var types = new FileExtensionContentTypeProvider();
        foreach (var (_, suffix) in Encodings)
        {
            types.Mappings[suffix] = "application/octet-stream";
        }

        files.ContentTypeProvider = types;
    }

    /// <summary>Before the static files: a request for an asset that has a compressed copy the browser accepts gets that copy.</summary>
    /// <remarks>
    /// The static files' settings (the webapp's folder) are read per request, not while the pipeline is put together:
    /// a bad <c>Webapp:Root</c> must fail the start as every setting does, validated and named, not throw here first.
    /// </remarks>
    public static IApplicationBuilder UsePrecompressedAssets(this IApplicationBuilder app)
    {
        var files = app.ApplicationServices.GetRequiredService<IOptions<StaticFileOptions>>();
        return app.Use(next => context =>
        {
            ChooseCopy(context, files.Value.FileProvider!);
            return next(context);
        });
    }

    /// <summary>The headers of an asset (cache for a year) and of a compressed copy (its encoding and the original's type).</summary>
    public static void PrepareResponse(StaticFileResponseContext file)
    {
        var context = file.Context;
        if (!context.Request.Path.StartsWithSegments(Folder, StringComparison.Ordinal))
        {
            return;
        }

        context.Response.Headers.CacheControl = CacheControl;
        if (context.Items[ChosenKey] is Chosen chosen)
        {
            context.Response.Headers.ContentEncoding = chosen.Encoding;
            context.Response.ContentType = chosen.ContentType;
        }
    }

    private static void ChooseCopy(HttpContext context, IFileProvider files)
    {
        var request = context.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || !request.Path.StartsWithSegments(Folder, StringComparison.Ordinal)
            || !ContentTypes.TryGetContentType(request.Path.Value!, out var contentType))
        {
            return;
        }

        var path = request.Path.Value!;
        var varies = false;
        foreach (var (encoding, suffix) in Encodings)
        {
            if (!files.GetFileInfo(path + suffix).Exists)
            {
                continue;
            }

            // The answer depends on Accept-Encoding from here on, whichever copy (or the file itself) goes out.
            varies = true;
            if (Accepts(request, encoding))
            {
                context.Items[ChosenKey] = new Chosen(encoding, contentType);
                request.Path = path + suffix;
                break;
            }
        }

        if (varies)
        {
            context.Response.Headers.Vary = "Accept-Encoding";
        }
    }

    /// <summary>Whether Accept-Encoding names the encoding (or <c>*</c>) with a quality above zero.</summary>
    private static bool Accepts(HttpRequest request, string encoding)
    {
        foreach (var accepted in request.GetTypedHeaders().AcceptEncoding)
        {
            if ((accepted.Value.Equals(encoding, StringComparison.OrdinalIgnoreCase) || accepted.Value.Equals("*", StringComparison.Ordinal))
                && (accepted.Quality ?? 1) > 0)
            {
                return true;
            }
        }

        return false;
    }
}
