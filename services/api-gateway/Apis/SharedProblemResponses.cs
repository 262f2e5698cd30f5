using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// Describes each problem response (<c>application/problem+json</c>: a 400, 401, 404, 503 …) once, under
/// <c>components/responses</c> named by its reason phrase (<c>NotFound</c>), and refers to it from every operation that
/// answers with it, instead of repeating it inline in each. A status whose problem responses differ between operations
/// stays inline. The document changes shape only: each operation still lists the same statuses with the same content.
/// </summary>
internal sealed class SharedProblemResponses : IOpenApiDocumentTransformer
{
    private const string ProblemJson = "application/problem+json";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var operations = document.Paths.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? []).ToList();
        var problemsByStatus = operations
            .SelectMany(operation => operation.Responses ?? [])
            .Where(response => SchemaOf(response.Value) is not null)
            .GroupBy(response => response.Key, response => response.Value, StringComparer.Ordinal);
        foreach (var problems in problemsByStatus)
        {
            var first = problems.First();
            if (!int.TryParse(problems.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var status)
                || problems.Any(problem => SchemaOf(problem) != SchemaOf(first) || problem.Description != first.Description))
            {
                continue;
            }

            var name = ReasonPhrases.GetReasonPhrase(status).Replace(" ", "", StringComparison.Ordinal);
            document.Components ??= new OpenApiComponents();
            document.Components.Responses ??= new Dictionary<string, IOpenApiResponse>(StringComparer.Ordinal);
            document.Components.Responses[name] = first;
            foreach (var responses in operations.Select(operation => operation.Responses).OfType<OpenApiResponses>())
            {
                if (responses.TryGetValue(problems.Key, out var response) && SchemaOf(response) is not null)
                {
                    responses[problems.Key] = new OpenApiResponseReference(name, document);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The component schema a problem response refers to (<c>ProblemDetails</c>); null for any other response.</summary>
    private static string? SchemaOf(IOpenApiResponse response) =>
        response is OpenApiResponse { Content: { Count: 1 } content, Headers: null or { Count: 0 } }
            && content.TryGetValue(ProblemJson, out var media)
            && media.Schema is OpenApiSchemaReference schema
            ? schema.Reference.Id
            : null;
}
