namespace Fleetman.Gateway;

/// <summary>Section <c>Webapp</c>: where the browser's single page comes from.</summary>
public sealed class WebappOptions : IValidatableObject
{
    public const string SectionName = "Webapp";

    /// <summary>
    /// A folder with the built webapp (its <c>dist/</c>), served as static files with every other path answered by its
    /// <c>index.html</c>. When empty, requests go to the <c>webapp</c> cluster instead (its own container).
    /// Relative paths are relative to the working directory.
    /// </summary>
    public string? Root { get; set; }

    public bool ServedFromFolder => !string.IsNullOrWhiteSpace(Root);

    public string RootPath => Path.GetFullPath(Root!);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ServedFromFolder && !File.Exists(Path.Combine(RootPath, "index.html")))
        {
            yield return new($"'{RootPath}' is not a folder with an index.html (build the webapp: npm run build in webapp/).", [nameof(Root)]);
        }
    }
}
