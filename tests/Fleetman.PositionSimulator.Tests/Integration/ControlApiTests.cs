namespace Fleetman.PositionSimulator.Tests.Integration;

/// <summary>
/// The control API's answers, on the simulator hosted in-process (its own Program and appsettings.json, Kestrel on a
/// real port) with the in-memory transport: who may change what, and how bad requests are answered. Driving and
/// publishing through the real broker are the System tests'.
/// </summary>
public sealed class ControlApiTests
{
    private const string AdminPassword = "control-api-test-password";

    [Theory]
    [InlineData("POST", "/simulator/stop", null)]
    [InlineData("POST", "/simulator/start", null)]
    [InlineData("PUT", "/simulator/settings", "wrong password")]
    public async Task Without_the_admin_credentials_a_state_changing_route_is_a_401_problem_and_changes_nothing(string method, string path, string? password)
    {
        await using var simulator = await StartAsync(autoStart: true);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { vehicles = 7 }) };
        if (password is not null)
        {
            request.Headers.Authorization = Basic(password);
        }

        using var response = await simulator.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Basic");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().ShouldBe(401);
        var status = await StatusAsync(simulator);
        (status.GetProperty("running").GetBoolean(), status.GetProperty("vehicles").GetInt32()).ShouldBe((true, 2), "nothing was changed");
    }

    [Fact]
    public async Task With_the_admin_credentials_the_route_works_and_the_status_stays_open_to_read()
    {
        await using var simulator = await StartAsync(autoStart: true);
        (await simulator.Http.GetAsync(new Uri("/simulator/status", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var stop = new HttpRequestMessage(HttpMethod.Post, "/simulator/stop") { Headers = { Authorization = Basic(AdminPassword) } };
        using var stopped = await simulator.Http.SendAsync(stop);

        stopped.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await stopped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("running").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Without_a_configured_password_the_routes_are_disabled_with_a_403_naming_the_setting()
    {
        await using var simulator = await StartAsync(autoStart: false, adminPassword: "");
        using var response = await simulator.Http.PostAsync(new Uri("/simulator/start", UriKind.Relative), null);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("Admin__Password");
    }

    [Theory]
    [InlineData("""{"vehicles": 10001}""", "vehicles")]
    [InlineData("""{"vehicles": -1}""", "vehicles")]
    [InlineData("""{"reportIntervalMilliseconds": 10}""", "reportIntervalMilliseconds")]
    [InlineData("""{"timeCompression": 0}""", "timeCompression")]
    [InlineData("""{"timeCompression": 1000}""", "timeCompression")]
    public async Task Invalid_settings_are_refused_with_a_validation_problem_naming_the_field(string body, string field)
    {
        await using var simulator = await StartAsync(autoStart: false);

        using var response = await PutSettingsAsync(simulator, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe([field]);
        (await StatusAsync(simulator)).GetProperty("vehicles").GetInt32().ShouldBe(2, "nothing was changed");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_problem_too_and_the_api_is_described_by_openapi()
    {
        await using var simulator = await StartAsync(autoStart: false);

        using var response = await PutSettingsAsync(simulator, "vehicles=3");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");

        using var missing = await simulator.Http.GetAsync(new Uri("/simulator/nothing-here", UriKind.Relative));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        missing.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");

        var openApi = await simulator.GetJsonAsync<JsonElement>("/openapi/v1.json");
        openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name)
            .ShouldBe(["/simulator/status", "/simulator/start", "/simulator/stop", "/simulator/settings", "/simulator/streets"], ignoreOrder: true);
    }

    private static Task<InProcessService<SimulatorOptions>> StartAsync(bool autoStart, string adminPassword = AdminPassword) =>
        InProcessService.StartAsync<SimulatorOptions>(new Dictionary<string, string?>
        {
            ["Messaging__Transport"] = "InMemory",
            ["Simulator__Vehicles"] = "2",
            ["Simulator__ReportIntervalMilliseconds"] = "1000",
            ["Simulator__AutoStart"] = autoStart ? "true" : "false",
            ["Admin__Password"] = adminPassword,
        });

    private static async Task<HttpResponseMessage> PutSettingsAsync(InProcessService<SimulatorOptions> simulator, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/simulator/settings")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { Authorization = Basic(AdminPassword) },
        };
        return await simulator.Http.SendAsync(request);
    }

    private static Task<JsonElement> StatusAsync(InProcessService<SimulatorOptions> simulator) =>
        simulator.GetJsonAsync<JsonElement>("/simulator/status");

    private static global::System.Net.Http.Headers.AuthenticationHeaderValue Basic(string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
}
