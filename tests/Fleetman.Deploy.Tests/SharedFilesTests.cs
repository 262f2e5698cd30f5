namespace Fleetman.Deploy.Tests;

/// <summary>
/// Files both deployments need (the broker's configuration, alert rules, the dashboard) are written once, under k8s/:
/// kustomize refuses files outside its folder, Helm reads the content of a linked file, so the chart's files are
/// symbolic links to them.
/// </summary>
public sealed class SharedFilesTests
{
    [Fact]
    public void Every_file_of_the_chart_is_a_link_to_its_one_original_under_k8s()
    {
        var k8s = Path.Combine(Repository.Root, "k8s") + Path.DirectorySeparatorChar;
        var chartFiles = Directory.GetFiles(Path.Combine(Repository.Root, "helm", "fleetman", "files"), "*", SearchOption.AllDirectories);

        chartFiles.ShouldNotBeEmpty();
        foreach (var file in chartFiles)
        {
            var link = new FileInfo(file).LinkTarget;
            link.ShouldNotBeNull($"{file} is a copy: make it a link to its original under k8s/ (ln -sfn ../../../../k8s/... {file})");
            Path.IsPathRooted(link).ShouldBeFalse($"{file} links to the absolute path {link}, which no other checkout has");
            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, link));
            target.StartsWith(k8s, StringComparison.Ordinal).ShouldBeTrue($"{file} links to {target}, outside k8s/");
            File.Exists(target).ShouldBeTrue($"{file} links to {target}, which does not exist");
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
