namespace Fleetman.Deploy.Tests;

/// <summary>
/// k8s/course/create-secrets.sh, the one source of the course's credentials: run against a kubectl stand-in that
/// records what the script hands to kubectl (no cluster needed), and read for passwords written into it.
/// </summary>
public sealed partial class CourseSecretsScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(Course.Root, "create-secrets.sh");

    private static readonly string[] Keys = ["queue-username", "queue-password", "admin-password", "redis-password", "mongodb-username", "mongodb-password"];

    /// <summary>
    /// Answers as a cluster without the Secret would, and keeps each --from-file value (the script deletes its files
    /// on exit) and each manifest it is given on stdin.
    /// </summary>
    private const string Kubectl = """
        #!/usr/bin/env bash
        printf '%s\n' "$*" >>"$STUB/calls"
        case " $* " in
          *" version "*) exit 0 ;;
          *" get namespace "*) exit 0 ;;
          *" get secret "*) exit 1 ;;
          *" create secret generic "*)
            for arg in "$@"; do
              case $arg in
                --from-file=*) kv=${arg#--from-file=}; cp "${kv#*=}" "$STUB/value.${kv%%=*}" ;;
                --from-literal=*) kv=${arg#--from-literal=}; printf '%s' "${kv#*=}" >"$STUB/value.${kv%%=*}" ;;
              esac
            done
            exit 0 ;;
          *" -f - "*) cat >>"$STUB/stdin"; exit 0 ;;
        esac
        exit 0
        """;

    private readonly string work = Directory.CreateTempSubdirectory("course-secrets-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public void Creates_fleetman_credentials_with_every_key_and_new_random_passwords_on_every_run()
    {
        var first = Run("first");
        var second = Run("second", "--namespace", "playground");

        File.ReadAllText(Path.Combine(work, "first", "calls")).ShouldContain("-n default create secret generic fleetman-credentials");
        File.ReadAllText(Path.Combine(work, "second", "calls")).ShouldContain("-n playground create secret generic fleetman-credentials");
        first.Keys.ShouldBeSubsetOf(second.Keys);
        Keys.ShouldBeSubsetOf(first.Keys, "the keys the manifests read");
        first["queue-username"].ShouldBe("fleetman");
        first["mongodb-username"].ShouldBe("root");

        // Every other key is a secret (the passwords, the replica set's key file): random, new on every run.
        var secrets = first.Keys.Where(key => !key.EndsWith("-username", StringComparison.Ordinal)).ToList();
        foreach (var key in secrets)
        {
            first[key].Length.ShouldBeGreaterThanOrEqualTo(32, $"{key} is short");
            second[key].ShouldNotBe(first[key], $"{key} is the same on two runs: a default, not a random value");
            if (key.EndsWith("-password", StringComparison.Ordinal))
            {
                Hex().IsMatch(first[key]).ShouldBeTrue($"{key} is not hex, which connection strings take unescaped: {first[key]}");
            }
        }

        secrets.Select(key => first[key]).ShouldBeUnique("two keys got the same value");
    }

    [Fact]
    public void Makes_every_key_the_course_s_manifests_read_from_fleetman_credentials()
    {
        var made = Run("keys").Keys.ToHashSet();

        var read = (from chapter in Course.Chapters()
                    from workload in chapter.Workloads
                    from container in workload.AllContainers
                    from variable in container.Env ?? new List<V1EnvVar>()
                    let reference = variable.ValueFrom?.SecretKeyRef
                    where reference?.Name == "fleetman-credentials"
                    select (reference.Key, Where: $"{chapter.Id}: {workload} container {container.Name} variable {variable.Name}")).ToList();

        read.ShouldNotBeEmpty();
        read.Where(item => !made.Contains(item.Key)).Select(item => $"{item.Where} reads key {item.Key}").ShouldBeEmpty("keys create-secrets.sh does not make");
    }

    [Fact]
    public void Writes_no_password_into_the_script()
    {
        var code = File.ReadAllLines(Script).Where(line => !line.TrimStart().StartsWith('#'));

        code.Where(line => LiteralPassword().IsMatch(line)).ShouldBeEmpty("a password written into create-secrets.sh");
        File.ReadAllText(Script).ShouldContain("/dev/urandom");
    }

    [Fact]
    public void Is_shellcheck_clean()
    {
        // scripts/test.sh installs shellcheck; without it this test cannot tell, so it fails rather than pass.
        var result = ExternalTool.Run("shellcheck", ["--external-sources", Script], Repository.Root);

        result.ExitCode.ShouldBe(0, result.Output);
    }

    private Dictionary<string, string> Run(string name, params string[] arguments)
    {
        var stub = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        var kubectl = Path.Combine(stub, "kubectl");
        File.WriteAllText(kubectl, Kubectl.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(kubectl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var result = ExternalTool.Run(Script, arguments, Repository.Root, new Dictionary<string, string> { ["KUBECTL"] = kubectl, ["STUB"] = stub });

        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldNotContain("password=", Case.Insensitive, "the script prints a value");
        return Directory.GetFiles(stub, "value.*").ToDictionary(file => Path.GetFileName(file)["value.".Length..], File.ReadAllText);
    }

    [GeneratedRegex("^[0-9a-f]+$")]
    private static partial Regex Hex();

    /// <summary>password=..., passwd: ... with a value that is not a $variable or $(command).</summary>
    [GeneratedRegex(@"(password|passwd)[\w-]*\s*[=:]\s*[""']?(?![""'$\s])\S", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralPassword();
}
