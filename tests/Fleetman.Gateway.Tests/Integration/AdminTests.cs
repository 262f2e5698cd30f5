using System.Net.Http.Headers;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary>Admin routes need the admin user's password (HTTP Basic).</summary>
public sealed class AdminTests(LocalRunGateway gateway) : IClassFixture<LocalRunGateway>
{
    public static TheoryData<string, string?> Refused => new()
    {
        { "no credentials", null },
        { "wrong password", GatewayHost.Basic("admin", "correct horse battery stapler").ToString() },
        { "wrong user", GatewayHost.Basic("root", GatewayHost.AdminPassword).ToString() },
        { "empty password", GatewayHost.Basic("admin", "").ToString() },
        { "not base64", "Basic !!!not-base64!!!" },
        { "no colon", "Basic " + Convert.ToBase64String("admin"u8.ToArray()) },
        { "another scheme", "Bearer " + GatewayHost.AdminPassword },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Without_the_right_credentials_admin_routes_are_a_401_problem_with_a_basic_challenge(string what, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/simulator/status");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization).ShouldBeTrue();
        }

        using var response = await gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, what);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Basic realm=\"Fleetman admin\"");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().ShouldBe(401);
    }

    [Fact]
    public async Task A_route_under_admin_needs_the_credentials_even_when_its_configuration_forgets_to_say_so()
    {
        using (var anonymous = await gateway.Http.GetAsync(new Uri("/admin/extra/status", UriKind.Relative)))
        {
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/extra/status");
        request.Headers.Authorization = GatewayHost.Admin;
        using var response = await gateway.Http.SendAsync(request);
        (await RoutingTests.ReadEchoAsync(response)).Path.ShouldBe("/admin/extra/status");
    }

    [Fact]
    public async Task With_the_right_credentials_the_backend_answers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/simulator/status");
        request.Headers.Authorization = new AuthenticationHeaderValue("basic", GatewayHost.Admin.Parameter); // the scheme is case-insensitive
        using var response = await gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await RoutingTests.ReadEchoAsync(response)).Backend.ShouldBe("simulator");
    }

    [Fact]
    public async Task Wrong_credentials_are_logged_with_the_client_address()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/simulator/wrong-credentials-logged");
        request.Headers.Authorization = GatewayHost.Basic("admin", "guess");
        (await gateway.Http.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await Eventually.Until(
            () => Messages(gateway.Gateway).Any(line => line.Contains("Wrong admin credentials from 127.0.0.1 for /admin/simulator/wrong-credentials-logged", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            () => "the warning in the gateway's log:\n" + string.Join('\n', Messages(gateway.Gateway)));
    }

    /// <summary>The gateway's log, one rendered message per line as its JSON lines carry them.</summary>
    internal static List<string> Messages(InProcessService<GatewayOptions> gateway) =>
        [.. gateway.Logs.GetSnapshot().Select(record => record.Exception is null ? record.Message : $"{record.Message} {record.Exception}")];
}

/// <summary>Without <c>Gateway:AdminPassword</c> there is no admin at all.</summary>
public sealed class AdminDisabledTests(DeploymentGateway gateway) : IClassFixture<DeploymentGateway>
{
    [Theory]
    [InlineData("/admin/simulator/status", false)]
    [InlineData("/admin/simulator/status", true)]
    [InlineData("/admin/activemq/", true)]
    public async Task Admin_routes_are_a_403_problem_that_says_how_to_enable_them(string path, bool withCredentials)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (withCredentials)
        {
            request.Headers.Authorization = GatewayHost.Basic("admin", "");
        }

        using var response = await gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        response.Headers.WwwAuthenticate.ShouldBeEmpty();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString()!.ShouldContain("Gateway__AdminPassword");
    }

    [Fact]
    public async Task The_start_log_says_once_that_admin_is_disabled()
    {
        bool Said() => AdminTests.Messages(gateway.Gateway).Any(line => line.Contains("Admin routes are disabled", StringComparison.Ordinal));
        await Eventually.Until(Said, TimeSpan.FromSeconds(10), () => "the notice in the gateway's log:\n" + string.Join('\n', AdminTests.Messages(gateway.Gateway)));

        // Requests to admin routes do not repeat it.
        (await gateway.Http.GetAsync(new Uri("/admin/simulator/status", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        AdminTests.Messages(gateway.Gateway).Count(line => line.Contains("Gateway__AdminPassword", StringComparison.Ordinal)).ShouldBe(1);
    }
}
