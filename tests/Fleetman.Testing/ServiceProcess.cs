using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Fleetman.Testing;

/// <summary>
/// A Fleetman service started as a real process from its build output (or a published launcher), on a free loopback port, with its output
/// in a log file under the test run's folder. It can be stopped gracefully (SIGTERM), killed (SIGKILL) and started again.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    // Every service process still running, killed when the test process ends: a fixture whose start failed half way
    // is never disposed, and its services would otherwise outlive the test run, holding ports, broker connections
    // (taking messages from shared queues) and CPU from the assemblies after it.
    private static readonly global::System.Collections.Concurrent.ConcurrentDictionary<Process, byte> Running = new();

    static ServiceProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Keys)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
        }
    };

    private readonly string[] _command;
    private readonly Dictionary<string, string?> _environment;
    private Process? _process;

    private readonly string _readinessPath;

    private ServiceProcess(string name, string[] command, Dictionary<string, string?> environment, string logFile, string readinessPath)
    {
        _readinessPath = readinessPath;
        Name = name;
        _command = command;
        _environment = environment;
        LogFile = logFile;
        Port = BrokerInstance.FreePort();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Name { get; }

    public int Port { get; }

    public HttpClient Http { get; }

    public string LogFile { get; }

    public int? ProcessId => _process is { HasExited: false } ? _process.Id : null;

    /// <summary>
    /// Whether it runs its own launcher or executable (a self-contained publish, trimmed or Native AOT as its image
    /// ships it) rather than <c>dotnet</c>.
    /// </summary>
    public bool RunsItsLauncher => _command[0] != "dotnet";

    /// <summary>
    /// Whether it runs a Native AOT executable (<see cref="IsNativeAotExecutable"/>).
    /// </summary>
    public bool IsNativeAot => RunsItsLauncher && IsNativeAotExecutable(_command[0]);

    /// <summary>
    /// Where the benchmarks publish the AOT and trimmed services, which they run as their images do (<c>scripts/build-images.sh
    /// --publish-only</c>: <c>artifacts/publish/&lt;name&gt;/</c>, self-contained with a launcher); unset for the tests,
    /// which run the build output. A framework-dependent image runs the same code as the build output.
    /// </summary>
    public const string PublishedVariable = "FLEETMAN_PUBLISHED_SERVICES";

    /// <summary>
    /// The runtime settings the trimmed services' images set (<c>ENV DOTNET_…</c> in <c>services/Dockerfile</c>'s
    /// runtime-trimmed stage, such as the GC's gen-0 budget, which the runtime takes from its environment only), as
    /// <c>NAME=value</c> words separated by spaces: the benchmarks export them (<c>scripts/lib/shipped-services.sh</c>
    /// reads them from the Dockerfile) so that every service they start by its trimmed launcher runs with them (a
    /// Native AOT executable without: its image's stage sets none); unset for the tests. A setting the caller gives
    /// itself wins.
    /// </summary>
    public const string ShippedEnvironmentVariable = "FLEETMAN_SHIPPED_ENVIRONMENT";

    /// <summary>
    /// Starts <c>services/{folder}</c>'s build output (same configuration as the tests) and waits until
    /// <paramref name="readinessPath"/> answers 200 (<c>/healthz/live</c> for a service started without its dependencies).
    /// </summary>
    public static Task<ServiceProcess> StartAsync(
        string folder, string assembly, IDictionary<string, string?> environment, TimeSpan? readyWithin = null, string readinessPath = "/healthz/ready") =>
        StartProjectAsync(Path.Combine("services", folder), assembly, environment, readyWithin, readinessPath);

    /// <summary>
    /// Like <see cref="StartAsync(string, string, IDictionary{string, string?}, TimeSpan?, string)"/>, for a project
    /// anywhere in the repository: <paramref name="projectFolder"/> is relative to its root (<c>gateway</c>).
    /// </summary>
    public static async Task<ServiceProcess> StartProjectAsync(
        string projectFolder, string assembly, IDictionary<string, string?> environment, TimeSpan? readyWithin = null, string readinessPath = "/healthz/ready")
    {
        var name = Path.GetFileName(projectFolder);
        if (Published(name, assembly) is { } published)
        {
            return await StartCommandAsync(name, published, WithShippedEnvironment(environment, published[0]), readyWithin, readinessPath);
        }

        var dll = BuildOutput(projectFolder, assembly);
        File.Exists(dll).ShouldBeTrue($"{assembly} is built at {dll}");
        return await StartCommandAsync(name, ["dotnet", dll], environment, readyWithin, readinessPath);
    }

    /// <summary>
    /// With <see cref="PublishedVariable"/> set, the launcher of a service published there self-contained; null for any
    /// other (or without the variable), which runs from the build output.
    /// </summary>
    private static string[]? Published(string name, string assembly) =>
        Environment.GetEnvironmentVariable(PublishedVariable) is { Length: > 0 } root && Path.Combine(root, name, assembly) is var launcher && File.Exists(launcher)
            ? [launcher]
            : null;

    /// <summary>
    /// Like <see cref="StartAsync(string, string, IDictionary{string, string?}, TimeSpan?, string)"/>, for a published
    /// service's own launcher (a self-contained publish, as a trimmed image runs it): <paramref name="launcher"/> is its path.
    /// </summary>
    public static Task<ServiceProcess> StartLauncherAsync(
        string name, string launcher, IDictionary<string, string?> environment, TimeSpan? readyWithin = null, string readinessPath = "/healthz/ready")
    {
        File.Exists(launcher).ShouldBeTrue($"{name}'s launcher is published at {launcher}");
        return StartCommandAsync(name, [launcher], WithShippedEnvironment(environment, launcher), readyWithin, readinessPath);
    }

    private static async Task<ServiceProcess> StartCommandAsync(
        string name, string[] command, IDictionary<string, string?> environment, TimeSpan? readyWithin, string readinessPath)
    {
        var logs = Path.Combine(Repository.Root, ".fleetman", "test-logs");
        Directory.CreateDirectory(logs);
        var service = new ServiceProcess(name, command, new(environment), Path.Combine(logs, $"{name}-{Guid.NewGuid():N}.log"), readinessPath);
        try
        {
            await service.StartAsync(readyWithin ?? DefaultReadiness);
        }
        catch
        {
            // Nobody holds a service that did not start, so nobody would stop it: left running, it would keep its
            // broker connections (taking messages from a shared queue) and its share of the cores for the rest of the run.
            await service.KillAsync();
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>A self-contained publish's executable with no assembly beside it (a trimmed launcher has its own there).</summary>
    private static bool IsNativeAotExecutable(string launcher) => !File.Exists(launcher + ".dll");

    /// <summary>
    /// <paramref name="environment"/> with the trimmed images' runtime settings (<see cref="ShippedEnvironmentVariable"/>)
    /// for a trimmed <paramref name="launcher"/>; none for a Native AOT executable, whose image sets none.
    /// </summary>
    private static Dictionary<string, string?> WithShippedEnvironment(IDictionary<string, string?> environment, string launcher)
    {
        var all = new Dictionary<string, string?>(environment);
        if (IsNativeAotExecutable(launcher))
        {
            return all;
        }

        var shipped = Environment.GetEnvironmentVariable(ShippedEnvironmentVariable) ?? "";
        foreach (var setting in shipped.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = setting.IndexOf('=', StringComparison.Ordinal) is > 0 and var at
                ? (setting[..at], setting[(at + 1)..])
                : throw new InvalidOperationException($"{ShippedEnvironmentVariable} holds '{setting}', not NAME=value");
            all.TryAdd(key, value);
        }

        return all;
    }

    /// <summary>
    /// How long a service may take to be ready unless a test says otherwise: about 1 s on a quiet machine, but up to
    /// ~30 s measured while the test assemblies beside it start their own services on the same two cores.
    /// </summary>
    public static TimeSpan DefaultReadiness { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The assembly built from <paramref name="projectFolder"/> (relative to the repository's root), in the tests' configuration.</summary>
    public static string BuildOutput(string projectFolder, string assembly)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        return Path.Combine(Repository.Root, projectFolder, "bin", configuration, "net10.0", assembly + ".dll");
    }

    /// <summary>
    /// A runtime setting the service ships with: <c>configProperties</c> of the runtimeconfig.json beside its built
    /// assembly, which the build and the trimmed publish write from the project's <c>RuntimeHostConfigurationOption</c>s.
    /// </summary>
    public static JsonElement ShippedRuntimeSetting(string projectFolder, string assembly, string name)
    {
        var runtimeConfig = Path.ChangeExtension(BuildOutput(projectFolder, assembly), ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        return json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").GetProperty(name).Clone();
    }

    public async Task StartAsync(TimeSpan readyWithin)
    {
        var start = new ProcessStartInfo(_command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in _command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{Port}");
        start.WorkingDirectory = Repository.Root;
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var log = new StreamWriter(LogFile, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => Write(log, line.Data);
        process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            Running.TryRemove(process, out _);
            Write(log, $"--- process exited with code {process.ExitCode}");
        };
        Running.TryAdd(process, 0);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilReadyAsync(readyWithin);
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>
    /// Polls the readiness path until it answers 200; fails after <paramref name="within"/> with the log's tail, or as
    /// soon as the process exits (with its exit code and the lines that say why).
    /// </summary>
    public Task WaitUntilReadyAsync(TimeSpan within) =>
        Eventually.Until(
            async () =>
            {
                try
                {
                    using var response = await Http.GetAsync(new Uri(_readinessPath, UriKind.Relative));
                    return response.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // not listening yet, or too busy starting to answer within the client's timeout: ask again until the deadline
                    return false;
                }
            },
            within,
            () => Task.FromResult($"{Name} ready ({_readinessPath} answering 200):\n{Tail()}"),
            ExitedAsync,
            every: TimeSpan.FromMilliseconds(50));

    /// <summary>Why the process will never be ready (it exited, with this code), or null while it runs.</summary>
    private async Task<string?> ExitedAsync()
    {
        if (_process is not { HasExited: true } process)
        {
            return null;
        }

        // Waits (briefly) until the redirected output has been read to its end: the lines that say why it exited can
        // still be on their way to the log when the exit is seen.
        using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await process.WaitForExitAsync(drained.Token);
        }
        catch (OperationCanceledException)
        {
            // a child kept the pipes open: report what arrived
        }

        return $"{Name} exited with code {process.ExitCode}";
    }

    /// <summary>SIGKILL: the process dies at once, nothing flushed, nothing acked.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the service finishes in-flight work and exits.</summary>
    public async Task StopAsync(TimeSpan? within = null)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async Task<T> GetJsonAsync<T>(string path) =>
        (await Http.GetFromJsonAsync<T>(new Uri(path, UriKind.Relative), JsonSerializerOptions.Web))!;

    public string Tail(int lines = 40)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        Http.Dispose();
    }
}
