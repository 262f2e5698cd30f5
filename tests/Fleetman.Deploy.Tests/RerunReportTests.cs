namespace Fleetman.Deploy.Tests;

/// <summary>
/// The test command runs a test that failed beside other assemblies once more, alone, and lets the run pass only if
/// that test passed then (scripts/lib/failed-tests.mjs --unconfirmed, read by scripts/test.sh): a rerun whose test was
/// skipped, because the Docker engine or the browser it needs was gone meanwhile, exits 0 too and must not count.
/// </summary>
public sealed class RerunReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fleetman-rerun-").FullName;

    [Theory]
    [InlineData("Passed", false)]
    [InlineData("NotExecuted", true)]
    [InlineData("Failed", true)]
    [InlineData(null, true)]
    public void A_failed_test_is_confirmed_only_by_passing_when_run_again_alone(string? outcomeAlone, bool reported)
    {
        const string Failed = "Fleetman.Images.Tests.System.ProductionImageTests.A_service_image_runs(service: \"edge\")";
        var first = Report("first", ("Fleetman.Images.Tests", Failed, "Failed"), ("Fleetman.Images.Tests", "Fleetman.Images.Tests.System.Other", "Passed"));
        var again = outcomeAlone is null
            ? Report("again")
            : Report("again", ("Fleetman.Images.Tests", Failed, outcomeAlone));

        var (exitCode, output) = ExternalTool.Run("node", ["scripts/lib/failed-tests.mjs", first, "--unconfirmed", again], Repository.Root);

        exitCode.ShouldBe(0, output);
        if (reported)
        {
            output.Trim().ShouldBe($"Fleetman.Images.Tests\t{Failed}");
        }
        else
        {
            output.Trim().ShouldBeEmpty();
        }
    }

    [Fact]
    public void The_run_alone_lists_every_result_of_its_reports_skipped_ones_too()
    {
        var again = Report("again", ("Fleetman.ApiGateway.Tests", "Fleetman.ApiGateway.Tests.Integration.LiveHubTests.A_followed_vehicle", "Passed"),
            ("Fleetman.Images.Tests", "Fleetman.Images.Tests.System.CourseImageTests.A_course_image(name: \"webapp\")", "NotExecuted"));

        var (exitCode, output) = ExternalTool.Run("node", ["scripts/lib/failed-tests.mjs", again, "--outcomes"], Repository.Root);

        exitCode.ShouldBe(0, output);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(
        [
            "  Passed Fleetman.ApiGateway.Tests.Integration.LiveHubTests.A_followed_vehicle [00:00:01]",
            "  NotExecuted Fleetman.Images.Tests.System.CourseImageTests.A_course_image(name: \"webapp\") [00:00:01]",
        ], ignoreOrder: true);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A folder of TRX reports, one per assembly, with the given results (as dotnet test's trx logger writes them).</summary>
    private string Report(string name, params (string Assembly, string Test, string Outcome)[] tests)
    {
        var folder = Path.Combine(_folder, name);
        Directory.CreateDirectory(folder);
        foreach (var assembly in tests.GroupBy(t => t.Assembly))
        {
            var results = string.Concat(assembly.Select(t =>
                $"<UnitTestResult testName=\"{System.Security.SecurityElement.Escape(t.Test)}\" outcome=\"{t.Outcome}\" duration=\"00:00:01\" />"));
            File.WriteAllText(Path.Combine(folder, $"{assembly.Key}.trx"), $"<TestRun><Results>{results}</Results></TestRun>");
        }

        return folder;
    }
}
