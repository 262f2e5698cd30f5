using Microsoft.VisualStudio.TestPlatform.Common.Filtering;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace Fleetman.TestSelection.Tests.System;

/// <summary>
/// What the metadata says against xUnit's own discovery: `dotnet test --list-tests` (the test host, the adapter, the
/// filter as the test platform applies it) on built assemblies. Each assembly is listed twice for the whole class: all
/// its tests, and the tests of the filters below joined by '|'. Each filter's verdict is held against the test
/// platform's own filter evaluator (the one `dotnet test` applies, from the test host this project runs on) over the
/// whole listing, and that evaluator is held against the joined listing, test by test: a `dotnet test` per filter and
/// assembly cost about 3 CPU-seconds each and proved no more.
/// </summary>
public sealed class ListedTestsTests(ListedTestsTests.Listings listings) : IClassFixture<ListedTestsTests.Listings>
{
    private static readonly string[] Assemblies = [BuiltTests.Messaging, BuiltTests.Own];

    /// <summary>The filters whose verdicts are checked: a contains, an and, an and inside an or, a negation.</summary>
    private static readonly string[] FilterTexts =
    [
        "FullyQualifiedName~InMemoryTransportTests",
        "(FullyQualifiedName~.Tests.Integration.)&(FullyQualifiedName~InMemoryTransportTests)",
        // A theory's display name goes on with its arguments, which the metadata does not tell: "DisplayName~Heartbeat"
        // alone may select one of this project's theories, and runs it; here the name decides.
        "(FullyQualifiedName~.Tests.Unit.)&(DisplayName~Heartbeat&FullyQualifiedName~Heartbeat|FullyQualifiedName=Nothing)",
        "FullyQualifiedName~TestSelection&FullyQualifiedName!~.Unit.",
    ];

    public static TheoryData<string> Filters => new(FilterTexts);

    private static string Joined => string.Join('|', FilterTexts.Select(filter => $"({filter})"));

    [Fact]
    public void The_tests_read_from_the_metadata_are_those_xunit_discovers()
    {
        foreach (var assembly in Assemblies)
        {
            var read = TestCatalog.Read(assembly).Tests.Select(test => test.FullyQualifiedName.Values!.Single());

            // A theory is listed once per row, its arguments after its name.
            listings.All[assembly].Select(FullyQualifiedName).Distinct().Order().ShouldBe(read.Distinct().Order(), Path.GetFileName(assembly));
        }
    }

    [Fact]
    public void The_platform_s_evaluator_over_the_whole_listing_selects_what_dotnet_test_lists_for_the_filters()
    {
        foreach (var assembly in Assemblies)
        {
            var listed = listings.Filtered[assembly];
            listed.ShouldNotBeEmpty($"{Path.GetFileName(assembly)}: the joined filters select tests of every assembly here, so the comparison is not empty");
            Platform(Joined, listings.All[assembly]).Order().ShouldBe(listed.Order(), Path.GetFileName(assembly));
        }
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public void An_assembly_is_to_run_exactly_when_xunit_lists_a_test_for_the_filter(string filter)
    {
        foreach (var assembly in Assemblies)
        {
            var listed = Platform(filter, listings.All[assembly]);
            var verdict = Selection.Decide(TestFilter.Parse(filter), TestCatalog.Read(assembly));

            verdict.Run.ShouldBe(listed.Count > 0, $"{Path.GetFileName(assembly)}: {verdict.Why}; listed: {string.Join(", ", listed)}");
        }
    }

    /// <summary>The listed tests <paramref name="filter"/> selects, by the test platform's evaluator and with the properties xUnit's adapter gives it.</summary>
    private static List<string> Platform(string filter, List<string> listed)
    {
        var wrapper = new FilterExpressionWrapper(filter);
        wrapper.ParseError.ShouldBeNull(filter);
        var expression = new TestCaseFilterExpression(wrapper);
        return [.. listed.Where(name => expression.MatchTestCase(
            new TestCase(FullyQualifiedName(name), new Uri("executor://xunit/VsTestRunner3/netcoreapp"), "listed") { DisplayName = name },
            property => property switch
            {
                "FullyQualifiedName" => FullyQualifiedName(name),
                "DisplayName" => name,
                _ => null, // no trait: none of the filters names one
            }))];
    }

    /// <summary>A listed name without a theory row's arguments, as xUnit's adapter sets FullyQualifiedName.</summary>
    private static string FullyQualifiedName(string listed) => listed.Split('(')[0];

    /// <summary>Each assembly listed by `dotnet test`, once whole and once for the joined filters, for every test here.</summary>
    public sealed class Listings : IAsyncLifetime
    {
        public Dictionary<string, List<string>> All { get; } = [];

        public Dictionary<string, List<string>> Filtered { get; } = [];

        public async Task InitializeAsync()
        {
            var all = Assemblies.Select(assembly => ListAsync(assembly, filter: null)).ToList();
            var filtered = Assemblies.Select(assembly => ListAsync(assembly, Joined)).ToList();
            for (var i = 0; i < Assemblies.Length; i++)
            {
                All[Assemblies[i]] = await all[i];
                Filtered[Assemblies[i]] = await filtered[i];
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;

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
}
