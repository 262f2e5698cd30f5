namespace Fleetman.TestSelection.Tests.System;

/// <summary>
/// What the metadata says against xUnit's own discovery: `dotnet test --list-tests` (the test host, the adapter, the
/// filter as the test platform applies it) on built assemblies.
/// </summary>
public sealed class ListedTestsTests
{
    private static readonly string[] Assemblies = [BuiltTests.Messaging, BuiltTests.Own];

    [Fact]
    public async Task The_tests_read_from_the_metadata_are_those_xunit_discovers()
    {
        foreach (var assembly in Assemblies)
        {
            var listed = await ListAsync(assembly, filter: null);
            var read = TestCatalog.Read(assembly).Tests.Select(test => test.FullyQualifiedName.Values!.Single());

            // A theory is listed once per row, its arguments after its name.
            listed.Select(name => name.Split('(')[0]).Distinct().Order().ShouldBe(read.Distinct().Order(), Path.GetFileName(assembly));
        }
    }

    [Theory]
    [InlineData("FullyQualifiedName~InMemoryTransportTests")]
    [InlineData("(FullyQualifiedName~.Tests.Integration.)&(FullyQualifiedName~InMemoryTransportTests)")]
    // A theory's display name goes on with its arguments, which the metadata does not tell: "DisplayName~Heartbeat"
    // alone may select one of this project's theories, and runs it; here the name decides.
    [InlineData("(FullyQualifiedName~.Tests.Unit.)&(DisplayName~Heartbeat&FullyQualifiedName~Heartbeat|FullyQualifiedName=Nothing)")]
    [InlineData("FullyQualifiedName~TestSelection&FullyQualifiedName!~.Unit.")]
    public async Task An_assembly_is_to_run_exactly_when_xunit_lists_a_test_for_the_filter(string filter)
    {
        foreach (var assembly in Assemblies)
        {
            var listed = await ListAsync(assembly, filter);
            var verdict = Selection.Decide(TestFilter.Parse(filter), TestCatalog.Read(assembly));

            verdict.Run.ShouldBe(listed.Count > 0, $"{Path.GetFileName(assembly)}: {verdict.Why}; listed: {string.Join(", ", listed)}");
        }
    }

    private static async Task<List<string>> ListAsync(string assembly, string? filter)
    {
        string[] arguments = filter is null
            ? ["test", assembly, "--list-tests", "--nologo"]
            : ["test", assembly, "--list-tests", "--nologo", "--filter", filter];
        var result = await ToolRun.RunAsync("dotnet", arguments, timeout: TimeSpan.FromMinutes(3));
        result.ExitCode.ShouldBe(0, result.Everything);
        // The names follow "The following Tests are available:", indented.
        return [.. result.Output.Split('\n').SkipWhile(line => !line.StartsWith("The following Tests", StringComparison.Ordinal)).Skip(1)
            .Where(line => line.StartsWith("    ", StringComparison.Ordinal)).Select(line => line.Trim())];
    }
}
