using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;

namespace Fleetman.Gateway;

/// <summary>
/// HTTP Basic authentication of the one admin user, <c>admin</c>, whose password is <c>Gateway:AdminPassword</c>.
/// Admin routes carry the <see cref="PolicyName"/> authorization policy. Without a password the admin routes are
/// disabled: every request is answered 403, whatever it carries.
/// </summary>
internal sealed partial class AdminAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<GatewayOptions> gateway,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "AdminBasic";
    public const string PolicyName = "admin";
    public const string UserName = "admin";
    public const string Challenge = "Basic realm=\"Fleetman admin\"";
    public const string DisabledDetail = "Admin routes are disabled until the gateway's admin password is set (Gateway__AdminPassword).";

    private static readonly byte[] UserNameHash = Hash(UserName);

    // Hashing both sides first makes the comparison take the same time whatever the lengths and contents.
    private readonly byte[]? _passwordHash = gateway.Value.AdminEnabled ? Hash(gateway.Value.AdminPassword!) : null;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (_passwordHash is null
            || !AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!AdminCredentials.TryDecodeBasic(header.Parameter, out var user, out var password))
        {
            return Task.FromResult(AuthenticateResult.Fail("Malformed Basic credentials."));
        }

        // Both comparisons run, always: '&', not '&&'.
        var valid = CryptographicOperations.FixedTimeEquals(Hash(user), UserNameHash)
            & CryptographicOperations.FixedTimeEquals(Hash(password), _passwordHash);
        if (!valid)
        {
            LogWrongCredentials(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown", Request.Path.Value ?? "");
            return Task.FromResult(AuthenticateResult.Fail("Wrong admin credentials."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, UserName)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_passwordHash is null)
        {
            return WriteProblemAsync(StatusCodes.Status403Forbidden, "Admin is disabled", DisabledDetail);
        }

        Response.Headers.WWWAuthenticate = Challenge;
        var detail = Request.Headers.Authorization.Count == 0
            ? "Admin routes need the admin user's credentials (HTTP Basic)."
            : "The admin credentials are wrong.";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "The admin user may not do this.");

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wrong admin credentials from {ClientAddress} for {Path}")]
    private static partial void LogWrongCredentials(ILogger logger, string clientAddress, string path);
}
