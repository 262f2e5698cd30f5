using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Fleetman.Testing;

/// <summary>
/// Assertions on the ProblemDetails answers (<c>application/problem+json</c>) every service gives to a bad request or a
/// missing resource.
/// </summary>
public static class Problems
{
    /// <summary>The response is a problem with <paramref name="status"/>; returns its body for further checks.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode.ShouldBe(status);
        (response.Content.Headers.ContentType?.MediaType).ShouldBe("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The response is a 400 problem whose validation errors name <paramref name="parameter"/>.</summary>
    public static async Task ShouldBeBadRequestNamingAsync(this HttpResponseMessage response, string parameter)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue($"the problem's errors name '{parameter}': {problem}");
    }
}
