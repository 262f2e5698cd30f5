namespace Fleetman.Gateway;

/// <summary>
/// The <see cref="PolicyName"/> rate limiting policy, which routes name in their <c>RateLimiterPolicy</c>: a token
/// bucket per client (<see cref="ClientLimits"/>: the address X-Forwarded-For gives when the request came through a
/// trusted proxy). Refused requests get a 429 problem whose Retry-After is the real wait until the next permit.
/// </summary>
internal static class ApiRateLimiting
{
    public const string PolicyName = "api";

    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PolicyName, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
                return ClientLimits.PerClientBucket(context, options.PermitsPerWindow, options.PermitsPerSecond);
            });
            limiter.OnRejected = (rejected, _) =>
            {
                var options = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
                return ClientLimits.RejectAsync(rejected, seconds =>
                    $"At most {options.PermitsPerWindow} API requests per {options.WindowSeconds} s from one client; retry in {seconds} s.");
            };
        });
        return services;
    }
}
