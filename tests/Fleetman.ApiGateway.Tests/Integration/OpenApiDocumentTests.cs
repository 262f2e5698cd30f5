using System.Text.Encodings.Web;
using System.Text.Json.Nodes;

namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// The webapp's types are generated from <c>webapp/openapi/api-gateway.json</c>: that file must be the document the
/// api-gateway renders (its REST shapes and, under <c>x-signalr-hubs</c>, its hub's methods and payloads).
/// With <c>FLEETMAN_UPDATE_CONTRACTS=1</c> the test writes the rendered document there instead of failing.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string CheckedIn = Path.Combine(Repository.Root, "webapp", "openapi", "api-gateway.json");

    private static readonly JsonSerializerOptions Written = new() { WriteIndented = true, IndentSize = 2, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task The_webapps_copy_of_the_api_gateway_document_is_the_document_the_service_renders()
    {
        await using var run = await IsolatedRun.StartAsync();
        await using var gateway = await run.HostAsync<TrackerClientOptions>(new Dictionary<string, string?> { ["Tracker__BaseAddress"] = "http://127.0.0.1:9/" });

        var rendered = Comparable(await gateway.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        if (Environment.GetEnvironmentVariable("FLEETMAN_UPDATE_CONTRACTS") == "1")
        {
            await File.WriteAllTextAsync(CheckedIn, rendered.ToJsonString(Written) + "\n");
        }

        File.Exists(CheckedIn).ShouldBeTrue($"{CheckedIn} is checked in");
        var committed = Comparable(await File.ReadAllTextAsync(CheckedIn));
        JsonNode.DeepEquals(committed, rendered).ShouldBeTrue(
            "webapp/openapi/api-gateway.json is not what the api-gateway renders: regenerate it with "
            + "FLEETMAN_UPDATE_CONTRACTS=1 dotnet test tests/Fleetman.ApiGateway.Tests --filter FullyQualifiedName~OpenApiDocumentTests, "
            + "then `npm run typecheck && npm test` in webapp/, which generate the page's types from it (README: the contract)");
    }

    [Fact]
    public async Task The_document_names_the_hubs_methods_as_they_go_over_the_wire()
    {
        var hubs = Comparable(await File.ReadAllTextAsync(CheckedIn))["x-signalr-hubs"]!["vehicles"]!;

        hubs["path"]!.GetValue<string>().ShouldBe("/hubs/vehicles");
        hubs["clientMethods"]!.AsObject().Select(m => m.Key).ShouldBe(["snapshot", "positions", "vehiclesRemoved", "fleetEvents"]);
        hubs["clientMethods"]!["vehiclesRemoved"]!["parameters"]![0]!["schema"]!["items"]!["type"]!.GetValue<string>().ShouldBe("string");
        hubs["serverMethods"]!.AsObject().Select(m => m.Key).ShouldBe(["Follow", "Unfollow"]);
        hubs["clientMethods"]!["positions"]!["parameters"]![0]!["schema"]!["items"]!["$ref"]!.GetValue<string>()
            .ShouldBe("#/components/schemas/LivePosition");
    }

    /// <summary>The document without its <c>servers</c>, which name wherever it was rendered.</summary>
    private static JsonObject Comparable(string json)
    {
        var document = JsonNode.Parse(json)!.AsObject();
        document.Remove("servers");
        return document;
    }
}
