namespace Fleetman.ApiGateway.Tests.System;

/// <summary>
/// The api-gateway as its image runs it: published self-contained and trimmed (its project file asks for it), started
/// by its own launcher. The trimmer removes what it sees nothing use, and the trimmed build has no reflection-based
/// JSON: what the trimmer could not follow would break there only. The image tests need a Docker engine; this runs the
/// same publish on the machine.
/// </summary>
public sealed class TrimmedPublishTests
{
    private const string AdminPassword = "trimmed-admin-password";

    [Fact]
    public async Task The_trimmed_launcher_answers_the_rest_api_openapi_and_hub_byte_for_byte_as_the_build_output_does()
    {
        var launcher = await PublishAsync();
        string[] vehicles = ["Trimmed 1", "Trimmed 2", "Trimmed 3"];
        await using var run = await IsolatedRun.StartAsync();
        var admin = new Dictionary<string, string?> { ["Admin__Password"] = AdminPassword };
        var tracker = await run.StartTrackerAsync(admin);
        await run.StartConsumerAsync();
        var trimmed = await run.StartGatewayAsync(tracker, admin, launcher);
        var built = await run.StartGatewayAsync(tracker, admin);
        await using var live = await HubClient.ConnectAsync(trimmed);
        await live.SnapshotAsync();

        var reports = Reports.Interleaved(3, vehicles);
        await run.PublishAsync(reports);
        var newest = reports.GroupBy(r => r.Vehicle).Select(g => g.Last()).ToList();
        foreach (var report in newest)
        {
            await live.ReceivedAsync(report.Vehicle, report.Time);
        }

        // Following is a call from the browser (a string argument read by the trimmed hub): it must not fail.
        await live.InvokeAsync("Follow", "Trimmed 2");

        // Each replica's list follows the topic on its own: both have every newest position before they are compared.
        foreach (var gateway in new[] { trimmed, built })
        {
            await Eventually.Until(
                async () => (await gateway.GetJsonAsync<JsonElement[]>("/api/vehicles/")).Length == vehicles.Length,
                Eventually.Patience,
                () => Task.FromResult($"{gateway.Name} did not list the {vehicles.Length} vehicles"));
        }

        // A geofence saved through the trimmed gateway (its request body read and passed on), then read through both.
        using (var saved = await trimmed.Http.SendAsAdminAsync(HttpMethod.Put, "/api/geofences/Trim%20Zone", """{"ring":[[53.38,-1.47],[53.39,-1.47],[53.39,-1.46]]}""", AdminPassword))
        {
            saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        }

        string[] paths =
        [
            "/api/vehicles/", "/api/vehicles/Trimmed%202", "/api/vehicles/Nobody", "/api/history/Trimmed%201", "/api/history/Nobody",
            "/api/vehicles/Trimmed%201/history?limit=2", "/api/geofences", "/api/geofences/Trim%20Zone", "/openapi/v1.json",
        ];
        foreach (var path in paths)
        {
            var (trimmedStatus, trimmedBody) = await AnswerAsync(trimmed, path);
            var (builtStatus, builtBody) = await AnswerAsync(built, path);
            trimmedStatus.ShouldBe(builtStatus, path);
            trimmedBody.ShouldBe(builtBody, path);
        }

        // The hub's first message, from a connection to each: the same bytes.
        await using var onTrimmed = await HubClient.ConnectAsync(trimmed);
        await using var onBuilt = await HubClient.ConnectAsync(built);
        var snapshot = (await onTrimmed.SnapshotAsync()).Select(p => p.Name).Order().ToArray();
        snapshot.ShouldBe(vehicles);
        (await onTrimmed.RawSnapshot).GetRawText().ShouldBe((await onBuilt.RawSnapshot).GetRawText());
    }

    /// <summary>
    /// The status and body of <paramref name="path"/>, with what differs between two processes by design left out: a
    /// problem's trace id, the document's server address.
    /// </summary>
    private static async Task<(HttpStatusCode Status, string Body)> AnswerAsync(ServiceProcess gateway, string path)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        body = Regex.Replace(body, "\"traceId\":\"[^\"]*\"", "\"traceId\":\"\"");
        body = body.Replace(gateway.Http.BaseAddress!.ToString().TrimEnd('/'), "http://gateway", StringComparison.Ordinal);
        return (response.StatusCode, body);
    }

    /// <summary>
    /// The api-gateway published as its image's build publishes it (<c>scripts/build-images.sh --publish-only</c>; the
    /// project file decides: self-contained and trimmed) into <c>artifacts/publish/api-gateway/</c>, with build files
    /// of its own (the tests' build output is not touched); its launcher. In a run of the test command that is the
    /// run's one publish, which the image tests build from too (<see cref="ShippedPublish"/>); alone, this one service's.
    /// The trimmer's warnings are errors, so a publish it cannot follow fails here.
    /// </summary>
    private static async Task<string> PublishAsync()
    {
        if (ShippedPublish.Shared)
        {
            (await ShippedPublish.EnsureAsync()).ShouldBeNull();
        }
        else
        {
            var result = await ToolRun.RunAsync(
                Path.Combine(Repository.Root, "scripts", "build-images.sh"), ["--publish-only", "api-gateway"],
                workingDirectory: Repository.Root, timeout: TimeSpan.FromMinutes(15));
            result.ExitCode.ShouldBe(0, result.Everything);
        }

        var output = Path.Combine(ShippedPublish.Root, "api-gateway");

        // Trimmed: the runtime's own assemblies are cut down to what the service uses, so they are smaller than the
        // shared framework's (the one this test runs on).
        var coreLib = Path.Combine(output, "System.Private.CoreLib.dll");
        File.Exists(coreLib).ShouldBeTrue("the publish is self-contained");
        new FileInfo(coreLib).Length.ShouldBeLessThan(new FileInfo(typeof(object).Assembly.Location).Length, "the publish is trimmed");
        return Path.Combine(output, "Fleetman.ApiGateway");
    }
}
