namespace Fleetman.TestSelection.Tests.Unit;

/// <summary>The `dotnet test --filter` grammar as the test platform reads it, evaluated in three values.</summary>
public sealed class TestFilterTests
{
    private static Truth Evaluate(string filter, params (string Name, PropertyValue Value)[] properties) =>
        TestFilter.Parse(filter).Evaluate(name =>
            properties.FirstOrDefault(property => property.Name == name).Value ?? PropertyValue.Absent);

    private static (string, PropertyValue) Fqn(string name) => ("FullyQualifiedName", PropertyValue.Exactly(name));

    [Fact]
    public void A_bare_value_means_the_fully_qualified_name_contains_it()
    {
        var filter = TestFilter.Parse("ImageTests");

        filter.Conditions.ShouldBe([new FilterCondition("FullyQualifiedName", Operation.Contains, "ImageTests")]);
        Evaluate("ImageTests", Fqn("Fleetman.Images.Tests.System.ImageTests.Builds")).ShouldBe(Truth.True);
        Evaluate("ImageTests", Fqn("Fleetman.Images.Tests.System.Other.Builds")).ShouldBe(Truth.False);
    }

    [Fact]
    public void Values_are_compared_ignoring_case_and_equality_is_of_the_whole_value()
    {
        Evaluate("FullyQualifiedName=a.b.c", Fqn("A.B.C")).ShouldBe(Truth.True);
        Evaluate("FullyQualifiedName=a.b", Fqn("A.B.C")).ShouldBe(Truth.False);
        Evaluate("FullyQualifiedName~B.c", Fqn("A.B.C")).ShouldBe(Truth.True);
        Evaluate("FullyQualifiedName!=a.b.c", Fqn("A.B.C")).ShouldBe(Truth.False);
        Evaluate("FullyQualifiedName!~x", Fqn("A.B.C")).ShouldBe(Truth.True);
    }

    [Fact]
    public void And_binds_tighter_than_or_and_parentheses_group()
    {
        // a | (b & c), with a true and c false: true; (a | b) & c: false.
        Evaluate("FullyQualifiedName~A|FullyQualifiedName~B&FullyQualifiedName~X", Fqn("A.B")).ShouldBe(Truth.True);
        Evaluate("(FullyQualifiedName~A|FullyQualifiedName~B)&FullyQualifiedName~X", Fqn("A.B")).ShouldBe(Truth.False);
        Evaluate("FullyQualifiedName~X&FullyQualifiedName~B|FullyQualifiedName~A", Fqn("A.B")).ShouldBe(Truth.True);
    }

    [Fact]
    public void An_escaped_special_character_is_part_of_the_value()
    {
        var filter = TestFilter.Parse(@"DisplayName~x\(1\&2\|3\)\=\!\~\\");

        filter.Conditions.ShouldBe([new FilterCondition("DisplayName", Operation.Contains, @"x(1&2|3)=!~\")]);
    }

    [Fact]
    public void A_test_without_the_property_is_unequal_to_and_does_not_contain_any_value()
    {
        Evaluate("Category=Slow").ShouldBe(Truth.False);
        Evaluate("Category~Slow").ShouldBe(Truth.False);
        Evaluate("Category!=Slow").ShouldBe(Truth.True);
        Evaluate("Category!~Slow").ShouldBe(Truth.True);
        Evaluate("Category=Slow", ("Category", PropertyValue.Exactly("Fast", "slow"))).ShouldBe(Truth.True);
        Evaluate("Category!=Slow", ("Category", PropertyValue.Exactly("Fast", "slow"))).ShouldBe(Truth.False);
    }

    [Fact]
    public void What_is_not_known_stays_unknown_unless_the_other_side_decides()
    {
        var unknown = ("Category", PropertyValue.Unknown);

        Evaluate("Category=Slow", unknown).ShouldBe(Truth.Unknown);
        Evaluate("Category!=Slow", unknown).ShouldBe(Truth.Unknown);
        Evaluate("Category=Slow&FullyQualifiedName~X", unknown, Fqn("A.B")).ShouldBe(Truth.False);
        Evaluate("Category=Slow|FullyQualifiedName~A", unknown, Fqn("A.B")).ShouldBe(Truth.True);
        Evaluate("Category=Slow|FullyQualifiedName~X", unknown, Fqn("A.B")).ShouldBe(Truth.Unknown);
    }

    [Fact]
    public void A_value_known_only_by_its_start_decides_what_its_start_decides()
    {
        // A theory's display name: "A.B.Test" then its arguments, "(x: 1)".
        var start = ("DisplayName", PropertyValue.StartingWith("A.B.Test"));

        Evaluate("DisplayName~B.Te", start).ShouldBe(Truth.True);
        Evaluate("DisplayName!~B.Te", start).ShouldBe(Truth.False);
        Evaluate("DisplayName~x: 1", start).ShouldBe(Truth.Unknown);
        Evaluate(@"DisplayName=A.B.Test\(x: 1\)", start).ShouldBe(Truth.Unknown);
        Evaluate(@"DisplayName=A.B.Other\(x: 1\)", start).ShouldBe(Truth.False);
        Evaluate(@"DisplayName!=A.B.Other\(x: 1\)", start).ShouldBe(Truth.True);
    }

    [Theory]
    [InlineData("FullyQualifiedName=a=b")]
    [InlineData("FullyQualifiedName!b")]
    [InlineData("FullyQualifiedName=")]
    [InlineData("( )")]
    [InlineData("(FullyQualifiedName~a")]
    [InlineData("FullyQualifiedName~a)")]
    [InlineData("FullyQualifiedName~a&")]
    [InlineData("FullyQualifiedName~a FullyQualifiedName~b)(")]
    [InlineData(@"FullyQualifiedName~a\b")]
    public void What_the_test_platform_refuses_is_refused(string filter)
    {
        Should.Throw<FormatException>(() => TestFilter.Parse(filter));
    }
}
