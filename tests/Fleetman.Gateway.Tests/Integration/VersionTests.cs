using System.Reflection;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary><c>GET /version</c> with a release configured, as in a course image.</summary>
public sealed class VersionTests(LocalRunGateway gateway) : IClassFixture<LocalRunGateway>
{
    [Fact]
    public async Task Version_names_the_gateway_its_build_and_the_configured_release()
    {
        using var response = await gateway.Http.GetAsync(new Uri("/version", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        var version = await ReadAsync(response);
        version.GetProperty("service").GetString().ShouldBe("gateway");
        version.GetProperty("version").GetString().ShouldBe(BuiltVersion());
        version.GetProperty("release").GetString().ShouldBe(gateway.Release);
    }

    [Fact]
    public async Task Version_is_not_rate_limited_like_the_api()
    {
        // More requests than the API may make in its window (20/s over 10 s) from this one client.
        for (var i = 0; i < 210; i++)
        {
            using var response = await gateway.Http.GetAsync(new Uri("/version", UriKind.Relative));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"request {i + 1}");
        }
    }

    [Fact]
    public async Task Another_method_is_a_405_problem()
    {
        using var response = await gateway.Http.PostAsync(new Uri("/version", UriKind.Relative), content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    internal static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>The informational version of the gateway assembly the tests host (the build's version, with its commit).</summary>
    internal static string BuiltVersion() =>
        typeof(GatewayOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
}

/// <summary><c>GET /version</c> without a release configured, as in production.</summary>
public sealed class DefaultReleaseTests(DeploymentGateway gateway) : IClassFixture<DeploymentGateway>
{
    [Fact]
    public async Task Without_a_configured_release_the_release_is_the_version_and_the_webapp_does_not_get_the_request()
    {
        using var response = await gateway.Http.GetAsync(new Uri("/version", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var version = await VersionTests.ReadAsync(response);
        version.GetProperty("service").GetString().ShouldBe("gateway");
        version.GetProperty("version").GetString().ShouldBe(VersionTests.BuiltVersion());
        version.GetProperty("release").GetString().ShouldBe(VersionTests.BuiltVersion());
    }

    [Fact]
    public async Task The_version_is_written_readably_with_its_commit_unescaped()
    {
        var body = await gateway.Http.GetStringAsync(new Uri("/version", UriKind.Relative));

        body.ShouldBe($"{{\"service\":\"gateway\",\"version\":\"{VersionTests.BuiltVersion()}\",\"release\":\"{VersionTests.BuiltVersion()}\"}}");
    }
}
