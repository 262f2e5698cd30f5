namespace Fleetman.TestSelection.Tests.Unit;

/// <summary>Which built test assemblies a filter can select tests of, read from their metadata.</summary>
public sealed class SelectionTests
{
    private static Verdict Decide(string filter, string assembly) => Selection.Decide(TestFilter.Parse(filter), TestCatalog.Read(assembly));

    private static TestCaseInfo Test(string name, params (string Name, string Value)[] traits) =>
        new(PropertyValue.Exactly(name), PropertyValue.Exactly(name), [.. traits.Select(trait => KeyValuePair.Create(trait.Name, trait.Value))]);

    [Fact]
    public void The_tests_of_an_abstract_suite_are_found_under_each_class_deriving_from_it_and_not_under_the_suite()
    {
        var names = TestCatalog.Read(BuiltTests.Messaging).Tests.Select(test => test.FullyQualifiedName.Values!.Single()).ToList();

        names.ShouldContain("Fleetman.Messaging.Tests.Unit.InMemoryTransportTests.Two_consumers_on_one_queue_share_the_work_without_overlap");
        names.ShouldContain("Fleetman.Messaging.Tests.Integration.StompTransportTests.Two_consumers_on_one_queue_share_the_work_without_overlap");
        names.ShouldNotContain(name => name.StartsWith("Fleetman.Messaging.Tests.TransportContractTests.", StringComparison.Ordinal));
        names.ShouldBeUnique();
    }

    [Fact]
    public void A_fact_is_shown_by_its_name_and_a_theory_by_its_name_then_its_arguments()
    {
        var tests = TestCatalog.Read(BuiltTests.Own).Tests.ToDictionary(test => test.FullyQualifiedName.Values!.Single());

        var fact = $"{typeof(SelectionTests).FullName}.{nameof(A_fact_is_shown_by_its_name_and_a_theory_by_its_name_then_its_arguments)}";
        tests[fact].DisplayName.Values.ShouldBe([fact]);
        tests[fact].Traits.ShouldBe([]);
        var theory = $"{typeof(TestFilterTests).FullName}.{nameof(TestFilterTests.What_the_test_platform_refuses_is_refused)}";
        tests[theory].DisplayName.Prefix.ShouldBe(theory);
    }

    [Fact]
    public void A_filter_runs_the_assemblies_that_have_a_test_it_selects_and_skips_the_others()
    {
        const string Filter = "FullyQualifiedName~InMemoryTransportTests";

        Decide(Filter, BuiltTests.Messaging).ShouldBe(new Verdict(true,
            "the filter selects Fleetman.Messaging.Tests.Unit.InMemoryTransportTests.Ten_thousand_persistent_messages_all_arrive_exactly_once"));
        Decide(Filter, BuiltTests.Own).Run.ShouldBeFalse();
        Decide(Filter, BuiltTests.Own).Why.ShouldStartWith("the filter selects none of its ");
    }

    [Fact]
    public void A_layer_and_a_filter_together_select_only_what_both_select()
    {
        // The contract suite's tests run in the unit layer under InMemoryTransportTests and in the integration layer
        // under StompTransportTests (scripts/test.sh joins the layer's filter and the one given).
        Decide("(FullyQualifiedName~.Tests.Unit.)&(FullyQualifiedName~InMemoryTransportTests)", BuiltTests.Messaging).Run.ShouldBeTrue();
        Decide("(FullyQualifiedName~.Tests.Integration.)&(FullyQualifiedName~InMemoryTransportTests)", BuiltTests.Messaging).Run.ShouldBeFalse();
        Decide("(FullyQualifiedName~.Tests.Integration.)&(FullyQualifiedName~Two_consumers_on_one_queue)", BuiltTests.Messaging).Run.ShouldBeTrue();
    }

    [Fact]
    public void A_property_xunit_does_not_filter_on_selects_nothing_and_says_so()
    {
        var verdict = Decide("Name~InMemoryTransportTests", BuiltTests.Messaging);

        verdict.Run.ShouldBeFalse();
        verdict.Why.ShouldContain("'Name' is none of them");
    }

    [Fact]
    public void A_trait_is_compared_by_its_values_and_a_trait_no_test_has_selects_nothing()
    {
        var assembly = new AssemblyTests("x.dll", [Test("A.Slow", ("Category", "Slow")), Test("A.Plain")], null);

        Selection.Decide(TestFilter.Parse("Category=slow"), assembly).ShouldBe(new Verdict(true, "the filter selects A.Slow"));
        Selection.Decide(TestFilter.Parse("Category!=Slow"), assembly).ShouldBe(new Verdict(true, "the filter selects A.Plain"));
        Selection.Decide(TestFilter.Parse("Category=Fast"), assembly).Run.ShouldBeFalse();
        Selection.Decide(TestFilter.Parse("Owner=me|FullyQualifiedName~A."), assembly).Run.ShouldBeFalse();
    }

    [Fact]
    public void What_cannot_be_told_before_the_tests_run_runs_the_assembly()
    {
        var unknownTraits = new AssemblyTests("x.dll", [Test("A.B") with { Traits = null }], null);
        var theory = new AssemblyTests("x.dll", [Test("A.B") with { DisplayName = PropertyValue.StartingWith("A.B") }], null);

        Selection.Decide(TestFilter.Parse("Owner=me"), unknownTraits).Run.ShouldBeTrue();
        Selection.Decide(TestFilter.Parse("Owner=me&FullyQualifiedName~X"), unknownTraits).Run.ShouldBeFalse();
        Selection.Decide(TestFilter.Parse("DisplayName~value: 3"), theory).Run.ShouldBeTrue();
        Selection.Decide(TestFilter.Parse("DisplayName~X"), theory).Run.ShouldBeTrue();
        Selection.Decide(TestFilter.Parse("DisplayName=X"), theory).Run.ShouldBeFalse();
        Selection.Decide(TestFilter.Parse("FullyQualifiedName~X"), new AssemblyTests("x.dll", [], "not a .NET assembly")).Run.ShouldBeTrue();
    }
}
