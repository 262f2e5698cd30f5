namespace Fleetman.Images.Tests.System;

/// <summary>
/// One container started as a hardened pod runs it: a read-only root filesystem with a writable <c>/tmp</c> in memory,
/// a given non-root user, no Linux capabilities, no privilege escalation. Removed when disposed.
/// </summary>
internal sealed class Container : IAsyncDisposable
{
    private Container(string name, string image)
    {
        Name = name;
        Image = image;
    }

    public string Name { get; }

    public string Image { get; }

    /// <summary>
    /// The health command's answer that <see cref="StartHealthyAsync"/> waited for: the test checks that one instead of
    /// running the command again (each run is a .NET program starting in the container).
    /// </summary>
    public Docker.Result? Health { get; private set; }

    public static async Task<Container> StartAsync(string image, string user, IReadOnlyDictionary<string, string> environment, params string[] options)
    {
        var container = new Container("fleetman-image-test-" + Guid.NewGuid().ToString("N")[..10], image);
        List<string> arguments =
        [
            "run", "--detach", "--name", container.Name, "--read-only", "--tmpfs", "/tmp", "--user", user,
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true", .. options,
        ];
        foreach (var (key, value) in environment)
        {
            arguments.Add("--env");
            arguments.Add($"{key}={value}");
        }

        arguments.Add(image);
        var started = await Docker.RunAsync([.. arguments]);
        started.Succeeded.ShouldBeTrue($"docker run {image}: {started.Describe()}");
        return container;
    }

    /// <summary>
    /// What ASP.NET Core's host logs once the service listens (Microsoft.Hosting.Lifetime, at Information, which every
    /// service logs): before it, no health command can succeed.
    /// </summary>
    public const string HostStarted = "Application started.";

    /// <summary>
    /// Starts one as <see cref="StartAsync"/> does and waits until <paramref name="healthCommand"/> succeeds in it, as
    /// <see cref="WaitUntilAsync"/> does, once the service logged <see cref="HostStarted"/>; one that does not get there
    /// within <paramref name="within"/> is removed again. The health command is a .NET program of its own in the
    /// container: tried every half second from the start, those programs took much of the cores the services were
    /// starting on (three at a time, beside other tests); its log is read by the engine, no process in the container.
    /// </summary>
    public static async Task<Container> StartHealthyAsync(
        string image, string user, IReadOnlyDictionary<string, string> environment, TimeSpan within, string[] healthCommand)
    {
        var container = await StartAsync(image, user, environment);
        var healthy = false;
        try
        {
            var clock = Stopwatch.StartNew();
            await container.WaitForLogAsync(HostStarted, within);
            container.Health = await container.WaitUntilAsync(within - clock.Elapsed, healthCommand);
            healthy = true;
        }
        finally
        {
            if (!healthy)
            {
                await container.DisposeAsync();
            }
        }

        return container;
    }

    public Task<Docker.Result> ExecAsync(params string[] command) => Docker.RunAsync(["exec", Name, .. command]);

    /// <summary>
    /// How often a condition on the container is tried: each try is a process (a <c>docker</c> command, and for a health
    /// command a .NET program in the container), not an in-process check.
    /// </summary>
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs <paramref name="command"/> in the container until it succeeds; fails with the container's log otherwise, at once when it has stopped.</summary>
    public async Task<Docker.Result> WaitUntilAsync(TimeSpan within, params string[] command)
    {
        Docker.Result? last = null;
        await Eventually.Until(async () => (last = await ExecAsync(command)).Succeeded, within,
            async () => $"{Image}: `{string.Join(' ', command)}` did not succeed: {last?.Describe()}\n--- container log:\n{await LogsAsync()}",
            StoppedAsync, Every);
        return last!;
    }

    /// <summary>Why no condition on the container can hold any more (it has stopped), or null while it runs.</summary>
    public async Task<string?> StoppedAsync() => await IsRunningAsync() ? null : $"{Image} has stopped";

    /// <summary>
    /// Waits until the container's log (its output and error) holds <paramref name="text"/>; fails with the log
    /// otherwise, at once when the container stops. The log is followed as the engine writes it (<c>docker logs
    /// --follow</c>, which ends when the container does): one process for the whole wait, not one per try.
    /// </summary>
    public async Task WaitForLogAsync(string text, TimeSpan within)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["logs", "--follow", Name])
        {
            start.ArgumentList.Add(argument);
        }

        using var follow = new Process { StartInfo = start };
        var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Look(object sender, DataReceivedEventArgs line)
        {
            if (line.Data?.Contains(text, StringComparison.Ordinal) == true)
            {
                logged.TrySetResult();
            }
        }

        follow.OutputDataReceived += Look;
        follow.ErrorDataReceived += Look;
        follow.Start();
        follow.BeginOutputReadLine();
        follow.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            // docker logs --follow ends when the container stops; its exit is awaited with every line read.
            await Task.WhenAny(logged.Task, follow.WaitForExitAsync(timeout.Token));
        }
        finally
        {
            if (!follow.HasExited)
            {
                follow.Kill();
            }
        }

        if (!logged.Task.IsCompleted)
        {
            var why = timeout.IsCancellationRequested ? $"within {within.TotalSeconds:F0} s" : "before it stopped";
            throw new ShouldAssertException($"{Image}: did not log \"{text}\" {why}\n--- container log:\n{await LogsAsync()}");
        }
    }

    /// <summary>The host address a published container port is reachable at.</summary>
    public async Task<(string Host, int Port)> PublishedAsync(int containerPort)
    {
        var result = await Docker.RunAsync("port", Name, $"{containerPort}/tcp");
        result.Succeeded.ShouldBeTrue(result.Describe());
        var first = result.Output.Split('\n')[0].Trim();
        var colon = first.LastIndexOf(':');
        return (first[..colon], int.Parse(first[(colon + 1)..], global::System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<bool> IsRunningAsync() =>
        (await Docker.RunAsync("inspect", "--format", "{{.State.Running}}", Name)).Output == "true";

    public async Task<string> LogsAsync()
    {
        var logs = await Docker.RunAsync("logs", "--tail", "40", Name);
        return $"{logs.Output}\n{logs.Error}".Trim();
    }

    public async ValueTask DisposeAsync() => await Docker.RunAsync("rm", "--force", Name);
}
