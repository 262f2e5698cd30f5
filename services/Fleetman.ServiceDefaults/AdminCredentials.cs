using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Section <c>Admin</c>: the password of the user <c>admin</c> on a service's state-changing routes, the same one the
/// edge asks for on its admin routes (which forwards the credentials). There is no default: while it is empty those
/// routes answer 403, so reaching the service's port is not enough to change what it does.
/// </summary>
public sealed class AdminOptions : IValidatableObject
{
    public const string SectionName = "Admin";
    public const string UserName = "admin";

    /// <summary>The shortest password accepted, as at the edge.</summary>
    public const int MinPasswordLength = 12;

    public string? Password { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Password) && Password.Length < MinPasswordLength)
        {
            yield return new($"The admin password must have at least {MinPasswordLength} characters.", [nameof(Password)]);
        }
    }
}

/// <summary>HTTP Basic check of the <c>admin</c> user on the routes it is added to (<see cref="RequireAdmin{TBuilder}"/>).</summary>
public static class AdminCredentials
{
    public const string Challenge = "Basic realm=\"Fleetman admin\"";

    /// <summary>Reads and checks <c>Admin:Password</c> at start (a bad value stops the service naming the setting).</summary>
    public static IHostApplicationBuilder AddAdminCredentials(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<AdminOptions>(AdminOptions.SectionName, static (section, options) => section.Bind(options));
        return builder;
    }

    /// <summary>The routes answer 401 (403 while no password is set) problems unless the request carries the admin's credentials.</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder =>
        endpoints.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var password = http.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.Password;
            if (string.IsNullOrEmpty(password))
            {
                return Problem(StatusCodes.Status403Forbidden, "Admin is disabled", "This route is disabled until the service's admin password is set (Admin__Password).");
            }

            if (!AuthenticationHeaderValue.TryParse(http.Request.Headers.Authorization, out var header)
                || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase)
                || !Matches(header.Parameter, password))
            {
                http.Response.Headers.WWWAuthenticate = Challenge;
                var detail = http.Request.Headers.Authorization.Count == 0
                    ? "This route needs the admin user's credentials (HTTP Basic)."
                    : "The admin credentials are wrong.";
                return Problem(StatusCodes.Status401Unauthorized, "Authentication required", detail);
            }

            return await next(context);
        });

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });

    // Hashing both sides first makes the comparison take the same time whatever the lengths; both halves always run.
    private static bool Matches(string? parameter, string password) =>
        TryDecodeBasic(parameter, out var user, out var given)
        & CryptographicOperations.FixedTimeEquals(Hash(user), Hash(AdminOptions.UserName))
        & CryptographicOperations.FixedTimeEquals(Hash(given), Hash(password));

    /// <summary>
    /// Reads the parameter of an HTTP Basic <c>Authorization</c> header (base64 of <c>user:password</c>); false, with
    /// empty strings, when it is missing or malformed. The edge's admin authentication reads it the same way.
    /// </summary>
    public static bool TryDecodeBasic(string? parameter, out string user, out string password)
    {
        user = password = "";
        if (string.IsNullOrEmpty(parameter))
        {
            return false;
        }

        var bytes = new byte[(parameter.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(parameter, bytes, out var length))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, length);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        (user, password) = (text[..colon], text[(colon + 1)..]);
        return true;
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
