namespace Fleetman.Images.Tests.System;

/// <summary>
/// The test command's Docker engine (<c>scripts/lib/docker-session.sh</c>) when runs in two checkouts overlap: they
/// share the engine the first one started, the first to end leaves it to the other, and the last to end stops it.
/// Each "run" is a small script named test.sh that sources the session as the test command does, in a folder of its
/// own (a checkout); the engine is a real dockerd of its own (its socket, data and state in a scratch folder, its
/// network namespace its own, no iptables), so the engine the image tests use is never touched.
/// </summary>
public sealed class EngineSessionTests : IDisposable
{
    private const string RunScript = """
        #!/usr/bin/env bash
        set -euo pipefail
        cd "$1"
        source "$FLEETMAN_REPOSITORY/scripts/lib/docker-session.sh"
        docker_for_this_run
        echo "joined"
        # Stands for the run's tests: it ends when the test says so.
        until [[ -e leave ]]; do sleep 0.1; done
        """;

    private readonly string _scratch = Directory.CreateTempSubdirectory("fleetman-engine-session-").FullName;

    private string Socket => $"unix://{_scratch}/docker.sock";

    private string EnginePidFile => Path.Combine(_scratch, "docker.pid");

    [SkippableFact]
    public async Task Two_runs_share_one_engine_the_first_to_end_leaves_it_running_and_the_last_stops_it()
    {
        var dockerd = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(folder => Path.Combine(folder, "dockerd")).FirstOrDefault(File.Exists);
        Skip.If(dockerd is null, "dockerd is not installed on this machine");
        Skip.IfNot(Environment.UserName == "root", "a private dockerd needs root");
        Skip.If(Environment.GetEnvironmentVariable("FLEETMAN_SKIP_IMAGE_TESTS") is { Length: > 0 } skip && skip != "0", "FLEETMAN_SKIP_IMAGE_TESTS is set");

        // The engine the session starts by the name `dockerd`: the real one, on a socket and state of its own, in a
        // network namespace of its own. Never `--bridge=none` in the host's: an engine started so deletes the host's
        // docker0, and every container of the engine the image tests use then fails to start.
        var bin = Directory.CreateDirectory(Path.Combine(_scratch, "bin")).FullName;
        WriteExecutable(Path.Combine(bin, "dockerd"), $"""
            #!/bin/sh
            exec unshare --net {dockerd} --host {Socket} --data-root {_scratch}/data --exec-root {_scratch}/exec --pidfile {EnginePidFile} --iptables=false --ip6tables=false "$@"
            """);
        var script = Path.Combine(_scratch, "test.sh");
        WriteExecutable(script, RunScript);

        using var first = Run(script, "first-checkout");
        await Eventually.Until(() => first.Output.Contains("joined"), TimeSpan.FromSeconds(90), () => $"the first run did not join:\n{first.Output}");
        first.Output.ShouldContain("docker: started engine");
        var engine = int.Parse(File.ReadAllText(EnginePidFile).Trim(), CultureInfo.InvariantCulture);

        using var second = Run(script, "second-checkout");
        await Eventually.Until(() => second.Output.Contains("joined"), TimeSpan.FromSeconds(60), () => $"the second run did not join:\n{second.Output}");
        second.Output.ShouldContain("already running");

        await first.LeaveAsync();
        (await EngineAnswersAsync()).ShouldBeTrue($"the engine the second run uses was stopped when the first ended:\n{first.Output}");
        IsRunning(engine).ShouldBeTrue();

        await second.LeaveAsync();
        second.Output.ShouldContain("stopping the engine an earlier run started");
        IsRunning(engine).ShouldBeFalse("the last run to end stops the engine a run started");
    }

    public void Dispose()
    {
        // Whatever the outcome, no private engine is left behind.
        if (File.Exists(EnginePidFile) && int.TryParse(File.ReadAllText(EnginePidFile).Trim(), CultureInfo.InvariantCulture, out var pid) && IsRunning(pid))
        {
            using var engine = Process.GetProcessById(pid);
            engine.Kill();
            engine.WaitForExit(TimeSpan.FromSeconds(30));
        }

        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // The engine's overlay folders can outlive it by a moment; the scratch folder is in the temp folder.
        }
    }

    private SessionRun Run(string script, string checkout)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_scratch, checkout)).FullName;
        var start = new ProcessStartInfo("bash", [script, folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PATH"] = $"{Path.GetDirectoryName(EnginePidFile)}/bin:{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["DOCKER_HOST"] = Socket;
        start.Environment["XDG_RUNTIME_DIR"] = Directory.CreateDirectory(Path.Combine(_scratch, "run")).FullName;
        start.Environment["FLEETMAN_REPOSITORY"] = Repository.Root;
        return new SessionRun(Process.Start(start)!, folder);
    }

    private async Task<bool> EngineAnswersAsync()
    {
        var start = new ProcessStartInfo("docker", ["version", "--format", "{{.Server.Version}}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOCKER_HOST"] = Socket;
        using var docker = Process.Start(start)!;
        await docker.WaitForExitAsync();
        return docker.ExitCode == 0;
    }

    private static bool IsRunning(int pid) => File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("dockerd", StringComparison.Ordinal);

    private static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>One run of the session: its output so far, and a way to end it as a finished test run ends.</summary>
    private sealed class SessionRun : IDisposable
    {
        private readonly Process _process;
        private readonly string _folder;
        private readonly StringBuilder _output = new();

        public SessionRun(Process process, string folder)
        {
            _process = process;
            _folder = folder;
            _process.OutputDataReceived += (_, line) => Append(line.Data);
            _process.ErrorDataReceived += (_, line) => Append(line.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task LeaveAsync()
        {
            await File.WriteAllTextAsync(Path.Combine(_folder, "leave"), "");
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(cancel.Token);
            _process.WaitForExit();
            _process.ExitCode.ShouldBe(0, Output);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
