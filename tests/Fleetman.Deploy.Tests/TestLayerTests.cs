namespace Fleetman.Deploy.Tests;

/// <summary>
/// <c>scripts/test.sh unit|integration|system</c> selects tests by namespace, so a test class outside a layer would run
/// in no layer's mode (only in <c>all</c>) and one in the wrong folder would be found where nobody looks for it.
/// </summary>
public sealed partial class TestLayerTests
{
    private static readonly string[] Layers = ["Unit", "Integration", "System"];

    /// <summary>Projects with no layers of their own: this one (the deploy layer) and the shared helpers.</summary>
    private static readonly string[] Unlayered = ["Fleetman.Deploy.Tests", "Fleetman.Testing", "Fleetman.Messaging.ProbeConsumer"];

    [Fact]
    public void Every_test_class_lives_in_the_folder_and_namespace_of_exactly_one_layer()
    {
        var tests = Path.Combine(Repository.Root, "tests");
        var files = Directory.GetDirectories(tests)
            .Where(project => !Unlayered.Contains(Path.GetFileName(project)))
            .SelectMany(project => Directory.GetFiles(project, "*.cs", SearchOption.AllDirectories)
                .Select(file => (Project: Path.GetFileName(project), File: file, Relative: Path.GetRelativePath(project, file))))
            .Where(f => !f.Relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !f.Relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();
        files.ShouldNotBeEmpty();

        var outside = new List<string>();
        foreach (var (project, file, relative) in files)
        {
            var source = File.ReadAllText(file);
            if (!TestAttribute().IsMatch(source) || AbstractSuite().IsMatch(source))
            {
                // Helpers may sit at the project's root, shared by several layers; so may an abstract suite of tests
                // (the transport contract), which runs only through its subclasses, each in its layer.
                continue;
            }

            var folder = relative.Split(Path.DirectorySeparatorChar)[0];
            var ns = Namespace().Match(source) is { Success: true } match ? match.Groups[1].Value : "(none)";
            if (!Layers.Contains(folder) || ns != $"{project}.{folder}")
            {
                outside.Add($"tests/{project}/{relative.Replace(Path.DirectorySeparatorChar, '/')} (namespace {ns})");
            }
        }

        outside.ShouldBeEmpty(
            "each test class belongs in tests/<project>/Unit|Integration|System/ with the namespace <project>.<Layer>; these are not:\n"
            + string.Join("\n", outside));
    }

    [GeneratedRegex(@"^\s*\[(Fact|Theory)\b", RegexOptions.Multiline)]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"^\s*public\s+abstract\s+class\s", RegexOptions.Multiline)]
    private static partial Regex AbstractSuite();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex Namespace();
}
