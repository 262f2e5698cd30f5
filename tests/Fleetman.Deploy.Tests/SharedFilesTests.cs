using Fleetman.Testing;

namespace Fleetman.Deploy.Tests;

/// <summary>
/// Files both deployments need (the broker's configuration, alert rules, the dashboard) are written once under k8s/;
/// the chart cannot read outside its folder, so it holds copies, which must not drift.
/// </summary>
public sealed class SharedFilesTests
{
    [Fact]
    public void The_chart_s_copies_of_shared_files_are_identical_to_the_kustomize_ones()
    {
        var chartFiles = Directory.GetFiles(Path.Combine(Repository.Root, "helm", "fleetman", "files"), "*", SearchOption.AllDirectories);
        var kustomizeFiles = Directory.GetFiles(Path.Combine(Repository.Root, "k8s"), "*", SearchOption.AllDirectories)
            .ToLookup(Path.GetFileName);

        chartFiles.ShouldNotBeEmpty();
        foreach (var copy in chartFiles)
        {
            var originals = kustomizeFiles[Path.GetFileName(copy)].ToList();
            originals.Count.ShouldBe(1, $"{copy} has no single original under k8s/");
            File.ReadAllText(copy).ShouldBe(File.ReadAllText(originals[0]), $"{copy} differs from {originals[0]}: copy it again (cp {originals[0]} {copy})");
        }
    }
}

/// <summary>The pipeline builds what CI builds and deploys with the scripts and values that exist.</summary>
public sealed partial class JenkinsfileTests
{
    private static readonly string Jenkinsfile = File.ReadAllText(Path.Combine(Repository.Root, "Jenkinsfile"));

    [Fact]
    public void Runs_the_test_command_of_ci_then_builds_deploys_and_smoke_tests_in_that_order()
    {
        var ci = File.ReadAllText(Path.Combine(Repository.Root, ".ci", "run"));
        ci.ShouldContain("scripts/test.sh");
        Jenkinsfile.ShouldContain("sh 'bash scripts/test.sh'");

        var stages = StageName().Matches(Jenkinsfile).Select(match => match.Groups[1].Value).ToList();
        stages.ShouldBe(["Test", "Images", "Deploy", "Smoke test"]);
    }

    [Fact]
    public void Every_script_it_calls_exists_and_is_executable()
    {
        var scripts = ScriptPath().Matches(Jenkinsfile).Select(match => match.Value).Distinct().ToList();

        scripts.ShouldContain("scripts/build-images.sh");
        scripts.ShouldContain("scripts/install-kube-tools.sh");
        scripts.ShouldContain("scripts/smoke-test.sh");
        foreach (var script in scripts)
        {
            var path = Path.Combine(Repository.Root, script);
            File.Exists(path).ShouldBeTrue(script);
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute).ShouldBeTrue($"{script} is not executable");
            }
        }
    }

    [Fact]
    public void Deploys_images_tagged_with_the_commit_into_a_namespace_per_branch()
    {
        Jenkinsfile.ShouldContain("IMAGE_TAG = \"${env.GIT_COMMIT.take(12)}\"");
        Jenkinsfile.ShouldContain("--set-string image.tag=\"$IMAGE_TAG\"");
        Jenkinsfile.ShouldContain("--namespace \"$NAMESPACE\" --create-namespace");
        Jenkinsfile.ShouldContain("rollout status");
        Jenkinsfile.ShouldNotContain(":latest");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"stage\('([^']+)'\)")]
    private static partial System.Text.RegularExpressions.Regex StageName();

    [System.Text.RegularExpressions.GeneratedRegex(@"scripts/[a-z-]+\.sh")]
    private static partial System.Text.RegularExpressions.Regex ScriptPath();
}
