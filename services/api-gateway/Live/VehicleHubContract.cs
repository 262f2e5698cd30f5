using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.SignalR;
using Microsoft.OpenApi;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// Puts the vehicle hub's contract into the OpenAPI document, so the browser's types come from one source: the
/// payload types as component schemas, and the methods under <c>x-signalr-hubs</c>, read from
/// <see cref="IVehicleClient"/> (server → client) and <see cref="IVehicleHub"/> (client → server):
/// <c>{"vehicles": {"path": "/hubs/vehicles", "keepAliveSeconds": 2, "clientMethods": {"snapshot": {"parameters": [{"name": "positions",
/// "schema": {...}}]}, …}, "serverMethods": {"Follow": …}}}</c>. OpenAPI has no words for hubs, hence the extension.
/// </summary>
internal sealed class VehicleHubContract : IOpenApiDocumentTransformer
{
    public const string Extension = "x-signalr-hubs";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(context);
        var hub = new JsonObject
        {
            ["path"] = VehicleHub.Path,
            ["keepAliveSeconds"] = context.ApplicationServices.GetRequiredService<IOptions<VehicleHubOptions>>().Value.KeepAliveSeconds,
            ["clientMethods"] = await MethodsAsync(typeof(IVehicleClient), document, context, cancellationToken),
            ["serverMethods"] = await MethodsAsync(typeof(IVehicleHub), document, context, cancellationToken),
        };
        document.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        document.Extensions[Extension] = new JsonNodeExtension(new JsonObject { ["vehicles"] = hub });
    }

    /// <summary>
    /// The wire name of each method (its <see cref="HubMethodNameAttribute"/>, else its name) and its parameters. The
    /// annotation tells the trimmer to keep the public methods of the contracts passed here (a trimmed build's document
    /// lists them too).
    /// </summary>
    private static async Task<JsonObject> MethodsAsync(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type contract, OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var methods = new JsonObject();
        foreach (var method in contract.GetMethods().OrderBy(m => m.MetadataToken))
        {
            var parameters = new JsonArray();
            foreach (var parameter in method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)))
            {
                parameters.Add((JsonNode)new JsonObject // the node itself, not the generic Add<T>, which would serialize it by reflection
                {
                    ["name"] = parameter.Name,
                    ["schema"] = await SchemaAsync(parameter.ParameterType, document, context, cancellationToken),
                });
            }

            methods[method.GetCustomAttribute<HubMethodNameAttribute>()?.Name ?? method.Name] = new JsonObject { ["parameters"] = parameters };
        }

        return methods;
    }

    /// <summary>Strings and arrays inline; any other type as a component schema (added once) referred to by name.</summary>
    private static async Task<JsonNode> SchemaAsync(Type type, OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type.IsArray)
        {
            return new JsonObject { ["type"] = "array", ["items"] = await SchemaAsync(type.GetElementType()!, document, context, cancellationToken) };
        }

        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(type.Name))
        {
            document.Components.Schemas[type.Name] = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        }

        return new JsonObject { ["$ref"] = $"#/components/schemas/{type.Name}" };
    }
}
