namespace Fleetman.PositionSimulator.Tests.System;

/// <summary>
/// The position simulator as it runs in production: its own process (<c>dotnet Fleetman.PositionSimulator.dll</c>, from
/// the service's build output, with its appsettings.json), configured by environment variables, on Kestrel at a free
/// loopback port. Disposing it sends SIGTERM and waits for the exit.
/// </summary>
internal sealed class SimulatorProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SimulatorProcess(Process process, Uri address, QueueListener? listener, string? adminPassword)
    {
        _process = process;
        Listener = listener;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        if (adminPassword is { Length: > 0 })
        {
            // The control routes check the admin's credentials (as the edge forwards them).
            Http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(global::System.Text.Encoding.UTF8.GetBytes($"admin:{adminPassword}")));
        }

        Address = address;
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>A client that sends the admin's credentials when the simulator was given a password.</summary>
    public HttpClient Http { get; }

    public Uri Address { get; }

    /// <summary>What arrived on the simulator's queue, when started with a listener (which also keeps the shared broker clean).</summary>
    public QueueListener? Listener { get; }

    /// <summary>Every line the service wrote (JSON log lines on stdout).</summary>
    public IReadOnlyCollection<string> Output => _output;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the service and waits until <c>/healthz/live</c> answers. With <paramref name="listenWith"/>, its queue
    /// (<c>Messaging__Destinations__PositionReported</c>) is consumed from before the start until after the process ended.
    /// </summary>
    public static async Task<SimulatorProcess> StartAsync(IReadOnlyDictionary<string, string> environment, BrokerInstance? listenWith = null)
    {
        var listener = listenWith is null ? null : await QueueListener.StartAsync(listenWith, environment["Messaging__Destinations__PositionReported"]);
        var simulator = Launch(environment, listener);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (simulator.HasExited)
            {
                var exitCode = simulator.ExitCode;
                await simulator.DisposeAsync();
                throw new InvalidOperationException($"The simulator exited with {exitCode}:\n{string.Join('\n', simulator.Output)}");
            }

            try
            {
                using var live = await simulator.Http.GetAsync(new Uri("/healthz/live", UriKind.Relative));
                if (live.IsSuccessStatusCode)
                {
                    return simulator;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                await simulator.DisposeAsync();
                throw new TimeoutException($"The simulator did not answer within 30 s:\n{string.Join('\n', simulator.Output)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Starts the service without waiting for it (for settings that stop it at start).</summary>
    public static SimulatorProcess Launch(IReadOnlyDictionary<string, string> environment, QueueListener? listener = null)
    {
        var output = Path.Combine(Repository.Root, "services", "position-simulator", OutputFolder());
        var assembly = Path.Combine(output, "Fleetman.PositionSimulator.dll");
        File.Exists(assembly).ShouldBeTrue($"the simulator is built at {assembly}");

        var port = BrokerInstance.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = output, // the content root: appsettings.json
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new SimulatorProcess(process, new Uri($"http://127.0.0.1:{port}"), listener, environment.GetValueOrDefault("Admin__Password"));
    }

    public async Task<SimulatorStatus> StatusAsync() =>
        (await Http.GetFromJsonAsync<SimulatorStatus>(new Uri("/simulator/status", UriKind.Relative), Json)).ShouldNotBeNull();

    /// <summary>Polls the status until <paramref name="condition"/> holds; fails with <paramref name="what"/> and the last status after 30 s.</summary>
    public async Task<SimulatorStatus> WaitForStatusAsync(Func<SimulatorStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var status = await StatusAsync();
            if (condition(status))
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within 30 s: {what}. Last status: {status}");
            }

            await Task.Delay(50);
        }
    }

    public async Task<SimulatorStatus> PostAsync(string command)
    {
        using var response = await Http.PostAsync(new Uri($"/simulator/{command}", UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SimulatorStatus>(Json)).ShouldNotBeNull();
    }

    /// <summary>Waits for the process to end on its own (e.g. refused settings).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await TerminateAsync(TimeSpan.FromSeconds(20));
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        if (Listener is not null)
        {
            await Listener.DisposeAsync();
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary><c>bin/Release/net10.0</c> or whatever this test assembly was built as.</summary>
    private static string OutputFolder() =>
        Path.GetRelativePath(Path.Combine(Repository.Root, "tests", "Fleetman.PositionSimulator.Tests"), AppContext.BaseDirectory);
}
