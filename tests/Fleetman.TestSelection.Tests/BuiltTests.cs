namespace Fleetman.TestSelection.Tests;

/// <summary>The built test assemblies the tests read: this project's own, and others built beside it.</summary>
public static class BuiltTests
{
    /// <summary>This test project's own assembly.</summary>
    public static string Own { get; } = typeof(BuiltTests).Assembly.Location;

    /// <summary>The messaging tests, with the transport contract suite inherited by a unit and an integration class.</summary>
    public static string Messaging => Of("Fleetman.Messaging.Tests");

    /// <summary>The assembly of the test project <paramref name="project"/>, built as this one was (configuration, framework).</summary>
    public static string Of(string project)
    {
        var own = Path.GetDirectoryName(Own)!;
        var projectFolder = Path.Combine(Repository.Root, "tests", "Fleetman.TestSelection.Tests");
        var path = Path.Combine(Repository.Root, "tests", project, Path.GetRelativePath(projectFolder, own), project + ".dll");
        File.Exists(path).ShouldBeTrue($"{path} is built with this project (a project reference)");
        return path;
    }
}
