using MongoDB.Driver;

namespace Fleetman.PositionStore;

/// <summary>Which implementation of <see cref="IPositionStore"/> a service uses.</summary>
public enum PositionStoreProvider
{
    /// <summary>One SQLite file, shared by the processes of a local run. The default: nothing to install.</summary>
    Sqlite,

    /// <summary>MongoDB, in every deployment (docker compose, Kubernetes, Helm).</summary>
    MongoDb,
}

/// <summary>Where positions are stored. Bound from the "Store" section (environment variables <c>Store__Provider</c>, ...).</summary>
public sealed class PositionStoreOptions : IValidatableObject
{
    public const string SectionName = "Store";

    /// <summary><see cref="PositionStoreProvider.Sqlite"/> (default) or <see cref="PositionStoreProvider.MongoDb"/>.</summary>
    // The binder accepts numbers for enums ("7"); this rejects those that name no provider.
    [EnumDataType(typeof(PositionStoreProvider))]
    public PositionStoreProvider Provider { get; set; } = PositionStoreProvider.Sqlite;

    /// <summary>The SQLite database file, relative to the current directory unless absolute. Its directory is created.</summary>
    public string SqlitePath { get; set; } = ".fleetman/data/positions.db";

    /// <summary>A <c>mongodb://</c> or <c>mongodb+srv://</c> URL; required when <see cref="Provider"/> is MongoDb. Comes from a secret.</summary>
    public string? MongoConnectionString { get; set; }

    [Required(AllowEmptyStrings = false)]
    public string MongoDatabase { get; set; } = "fleetman";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == PositionStoreProvider.Sqlite && string.IsNullOrWhiteSpace(SqlitePath))
        {
            yield return new ValidationResult("A file path is required when Provider is Sqlite.", [nameof(SqlitePath)]);
        }

        if (Provider != PositionStoreProvider.MongoDb)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(MongoConnectionString))
        {
            yield return new ValidationResult("A connection string is required when Provider is MongoDb.", [nameof(MongoConnectionString)]);
        }
        else if (!IsMongoUrl(MongoConnectionString))
        {
            // Without the value: a connection string may carry a password, and this message is logged.
            yield return new ValidationResult(
                "Not a valid MongoDB connection string (expected mongodb://host:port/?options or mongodb+srv://host/?options).",
                [nameof(MongoConnectionString)]);
        }
    }

    private static bool IsMongoUrl(string value)
    {
        try
        {
            MongoUrl.Create(value);
            return true;
        }
        catch (MongoConfigurationException)
        {
            return false;
        }
    }
}
