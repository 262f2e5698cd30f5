namespace Fleetman.TestSelection;

/// <summary>Whether to start a test assembly for a filter, and why.</summary>
/// <param name="Run">False only when no test of the assembly can match.</param>
public sealed record Verdict(bool Run, string Why);

/// <summary>
/// Decides per test assembly whether a filter can select any of its tests, by xUnit's VSTest adapter's rules
/// (TestCaseFilter in xunit.runner.visualstudio): the properties a filter may name are FullyQualifiedName, DisplayName
/// and the traits of the assembly's tests; a filter naming any other property (Name, ClassName, ...) is refused for
/// that assembly, which then runs none of its tests. What is not known for certain counts as a possible match: an
/// assembly is skipped only when every test evaluates to false.
/// </summary>
public static class Selection
{
    private const string FullyQualifiedName = "FullyQualifiedName";
    private const string DisplayName = "DisplayName";

    public static Verdict Decide(TestFilter filter, AssemblyTests assembly)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(assembly);
        if (assembly.Unreadable is { } why)
        {
            return new Verdict(true, $"its tests cannot be told from its metadata ({why})");
        }

        if (assembly.Tests.Count == 0)
        {
            return new Verdict(false, "it has no test");
        }

        var traitNames = assembly.TraitNames;
        foreach (var property in filter.Conditions.Select(condition => condition.Property).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IsOneOf(property, FullyQualifiedName, DisplayName) ||
                traitNames?.Contains(property, StringComparer.OrdinalIgnoreCase) == true)
            {
                continue;
            }

            if (traitNames is not null)
            {
                return new Verdict(false,
                    $"xUnit filters on FullyQualifiedName, DisplayName and the tests' traits, and '{property}' is none of them here (dotnet test would run none of its tests)");
            }
        }

        var maybe = (TestCaseInfo?)null;
        foreach (var test in assembly.Tests)
        {
            switch (filter.Evaluate(property => ValueOf(test, property, traitNames)))
            {
                case Truth.True:
                    return new Verdict(true, $"the filter selects {test.FullyQualifiedName}");
                case Truth.Unknown:
                    maybe ??= test;
                    break;
            }
        }

        return maybe is null
            ? new Verdict(false, $"the filter selects none of its {assembly.Tests.Count} tests")
            : new Verdict(true, $"the filter may select {maybe.FullyQualifiedName} (not all it compares is known before it runs)");
    }

    // The adapter's property provider: a trait of that name (as written) when the assembly's tests have one, else the
    // two names, ignoring case; anything else has no value.
    private static PropertyValue ValueOf(TestCaseInfo test, string property, IReadOnlySet<string>? traitNames)
    {
        if (traitNames?.Contains(property) == true)
        {
            return TraitValue(test, property);
        }

        if (IsOneOf(property, FullyQualifiedName))
        {
            return test.FullyQualifiedName;
        }

        if (IsOneOf(property, DisplayName))
        {
            return test.DisplayName;
        }

        // Some trait of the assembly is not known: this test's are, or not. A trait name written in another case than
        // the tests': how the adapter treats that is not worked out here.
        return traitNames is null ? TraitValue(test, property) : PropertyValue.Unknown;
    }

    private static PropertyValue TraitValue(TestCaseInfo test, string property)
    {
        if (test.Traits is null)
        {
            return PropertyValue.Unknown;
        }

        var values = test.Traits.Where(trait => string.Equals(trait.Key, property, StringComparison.OrdinalIgnoreCase))
            .Select(trait => trait.Value).ToList();
        return values.Count > 0 ? PropertyValue.Exactly(values) : PropertyValue.Absent;
    }

    private static bool IsOneOf(string property, params string[] names) =>
        names.Any(name => string.Equals(property, name, StringComparison.OrdinalIgnoreCase));
}
