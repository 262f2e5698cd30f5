using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fleetman.ServiceDefaults;

/// <summary>Endpoints described by the <see cref="ApiOperation"/> they serve, so every service's document names it the same.</summary>
public static class ApiOperations
{
    /// <summary>The operation's tag, name and summary on the endpoint; <paramref name="summary"/> instead of its own where this service answers it differently.</summary>
    public static TBuilder WithOperation<TBuilder>(this TBuilder endpoint, ApiOperation operation, string? summary = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(operation);
        return endpoint.WithTags(operation.Tag).WithName(operation.Name).WithSummary(summary ?? operation.Summary);
    }
}
