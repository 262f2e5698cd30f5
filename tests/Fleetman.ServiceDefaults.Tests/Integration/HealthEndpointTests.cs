using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleetman.ServiceDefaults.Tests.Integration;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Live_answers_200_while_a_failing_ready_check_makes_ready_answer_503()
    {
        await using var service = await TestService.StartAsync(configure: builder => builder.Services.AddHealthChecks()
            .AddCheck("broker", () => HealthCheckResult.Unhealthy("Not connected to the broker."), [Extensions.ReadyTag]));

        var live = await service.Http.GetAsync(new Uri("/healthz/live", UriKind.Relative));
        var ready = await service.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative));

        live.StatusCode.ShouldBe(HttpStatusCode.OK);
        var liveBody = await ReadJsonAsync(live);
        liveBody.GetProperty("status").GetString().ShouldBe("Healthy");
        liveBody.GetProperty("checks").GetProperty("self").GetProperty("status").GetString().ShouldBe("Healthy");
        liveBody.GetProperty("checks").TryGetProperty("broker", out _).ShouldBeFalse("readiness checks do not decide liveness");

        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var readyBody = await ReadJsonAsync(ready);
        readyBody.GetProperty("status").GetString().ShouldBe("Unhealthy");
        var broker = readyBody.GetProperty("checks").GetProperty("broker");
        broker.GetProperty("status").GetString().ShouldBe("Unhealthy");
        broker.GetProperty("description").GetString().ShouldBe("Not connected to the broker.");
        readyBody.GetProperty("checks").TryGetProperty("self", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Ready_answers_200_when_every_ready_check_is_healthy()
    {
        await using var service = await TestService.StartAsync(configure: builder => builder.Services.AddHealthChecks()
            .AddCheck("store", () => HealthCheckResult.Healthy("SQLite is open."), [Extensions.ReadyTag])
            .AddCheck("redis", () => HealthCheckResult.Healthy(), [Extensions.ReadyTag]));

        var ready = await service.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative));

        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        ready.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var body = await ReadJsonAsync(ready);
        body.GetProperty("status").GetString().ShouldBe("Healthy");
        body.GetProperty("checks").GetProperty("store").GetProperty("description").GetString().ShouldBe("SQLite is open.");
        body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task A_check_that_throws_is_unhealthy_without_its_exception_message_in_the_response()
    {
        await using var service = await TestService.StartAsync(configure: builder => builder.Services.AddHealthChecks()
            .AddCheck("store", () => throw new InvalidOperationException("login failed for user fleetman password=hunter2"), [Extensions.ReadyTag]));

        var ready = await service.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative));

        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var text = await ready.Content.ReadAsStringAsync();
        text.ShouldNotContain("hunter2");
        text.ShouldNotContain("   at ");
        var store = JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("store");
        store.GetProperty("status").GetString().ShouldBe("Unhealthy");
        store.GetProperty("description").GetString()!.ShouldContain(nameof(InvalidOperationException));
        // The details are not lost: they are in the log.
        service.Logs.ToString().ShouldContain("hunter2");
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
