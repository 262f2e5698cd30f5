using System.Net;
using System.Net.Sockets;
using Fleetman.Messaging;
using Fleetman.Messaging.Stomp;
using Microsoft.Extensions.Options;
using Xunit;

namespace Fleetman.Testing;

/// <summary>
/// A real ActiveMQ broker run by scripts/infra.sh: the shared one (default ports and state) or a private one with
/// its own state folder and ports, for tests that stop and kill it.
/// </summary>
public sealed class BrokerInstance : IAsyncDisposable
{
    private static readonly string[] ServiceVariables = ["Broker__Host", "Broker__Port", "Broker__Username", "Broker__Password", "ConnectionStrings__Redis"];

    private readonly Dictionary<string, string> _environment;

    private BrokerInstance(Dictionary<string, string> environment) => _environment = environment;

    public static BrokerInstance Shared() => new([]);

    /// <summary>A private broker, started; disposing it stops it and deletes its state.</summary>
    public static async Task<BrokerInstance> StartPrivateAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var broker = Private();
            try
            {
                await broker.StartAsync();
                return broker;
            }
            catch (InvalidOperationException e) when (attempt < 3 && PortTaken(e.Message))
            {
                // A process that is not a test's took one of its ports between the choice and the broker's bind: the
                // broker does not start there, so another instance on fresh ports does.
                await broker.DisposeAsync();
            }
        }
    }

    /// <summary>Whether infra.sh failed to start because a port was taken: before the start, or at the broker's bind.</summary>
    private static bool PortTaken(string failure) =>
        failure.Contains("is taken by a process", StringComparison.Ordinal) || failure.Contains("Address already in use", StringComparison.Ordinal);

    /// <summary>
    /// A private instance, not started: its own state folder and its own broker and Redis ports, so it can be stopped,
    /// killed and started again without touching the shared instance. Redis runs only if something starts it
    /// (<see cref="ServiceEnvironmentAsync"/>, <see cref="RedisConnectionStringAsync"/>).
    /// </summary>
    public static BrokerInstance Private()
    {
        var state = Path.Combine(Path.GetTempPath(), "fleetman-test-broker-" + Guid.NewGuid().ToString("N")[..8]);
        return new(new()
        {
            ["FLEETMAN_STATE_DIR"] = state,
            ["FLEETMAN_STOMP_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FLEETMAN_OPENWIRE_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FLEETMAN_REDIS_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FLEETMAN_ACTIVEMQ_JAVA_OPTS"] = QuickJvm,
        });
    }

    /// <summary>
    /// The JVM options of a private broker: the client compiler only, and the serial collector. A private broker lives
    /// for one test, a minute or two at a few hundred messages a second, while the server compiler's and G1's threads
    /// work for a long-running one: a broker's start alone took 3.9-4.0 CPU-seconds with the JVM's defaults and 2.1-2.3
    /// with these (docs/testing.md, "The chaos and browser tests' CPU"). What the broker does is the same; the shared
    /// broker, the local run and the benchmarks keep the defaults.
    /// </summary>
    private const string QuickJvm = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    public string? StateDirectory => _environment.GetValueOrDefault("FLEETMAN_STATE_DIR");

    /// <summary>The broker's OpenWire port, for JMS clients (infra.sh reads the same variable).</summary>
    public int OpenWirePort => int.Parse(
        _environment.GetValueOrDefault("FLEETMAN_OPENWIRE_PORT") ?? Environment.GetEnvironmentVariable("FLEETMAN_OPENWIRE_PORT") ?? "61616",
        System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (StateDirectory is { } state)
        {
            await InfraAsync("stop"); // the broker, and Redis if it was started
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    public Task StartAsync() => InfraAsync("start", "activemq");

    public Task StopAsync() => InfraAsync("stop", "activemq");

    /// <summary>SIGKILL: the broker dies without a clean shutdown.</summary>
    public Task KillAsync() => InfraAsync("kill", "activemq");

    /// <summary>Broker options read from <c>infra.sh env</c>, with quick reconnects for tests.</summary>
    public async Task<BrokerOptions> OptionsAsync()
    {
        var values = await EnvironmentAsync();

        return new BrokerOptions
        {
            Host = values["Broker__Host"],
            Port = int.Parse(values["Broker__Port"], System.Globalization.CultureInfo.InvariantCulture),
            Username = values["Broker__Username"],
            Password = values["Broker__Password"],
            ReconnectMinDelayMilliseconds = 100,
            ReconnectMaxDelayMilliseconds = 1_000,
            SendTimeoutSeconds = 60,
        };
    }

    /// <summary>A connection to this broker for tests and tools that act as a publisher, a listener or an inspector.</summary>
    public async Task<BrokerConnection> ConnectAsync() => new(await ConnectClientAsync());

    /// <summary>The library's STOMP client itself, for the messaging library's own tests.</summary>
    internal async Task<BrokerClient> ConnectClientAsync(Action<BrokerOptions>? configure = null)
    {
        var options = await OptionsAsync();
        configure?.Invoke(options);
        var client = new BrokerClient(Options.Create(options));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.WaitUntilConnectedAsync(timeout.Token);
        return client;
    }

    /// <summary>What <c>infra.sh env</c> exports: Broker__*, ConnectionStrings__Redis, FLEETMAN_INFRA_STATE.</summary>
    public async Task<IReadOnlyDictionary<string, string>> EnvironmentAsync()
    {
        var values = new Dictionary<string, string>();
        foreach (var line in (await InfraAsync("env")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var assignment = line.StartsWith("export ", StringComparison.Ordinal) ? line[7..] : line;
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[assignment[..equals]] = assignment[(equals + 1)..].Trim('\'', '"');
            }
        }

        return values;
    }

    /// <summary>
    /// Starts the broker and Redis (idempotent) and returns the environment a Fleetman service needs to reach them:
    /// Broker__Host/Port/Username/Password and ConnectionStrings__Redis.
    /// </summary>
    public async Task<Dictionary<string, string?>> ServiceEnvironmentAsync()
    {
        await InfraAsync("start");
        var infra = await EnvironmentAsync();
        return ServiceVariables.ToDictionary(name => name, name => (string?)infra[name]);
    }

    /// <summary>Starts Redis too (idempotent) and returns its connection string.</summary>
    public async Task<string> RedisConnectionStringAsync()
    {
        await InfraAsync("start", "redis");
        return (await EnvironmentAsync())["ConnectionStrings__Redis"];
    }

    public async Task<string> InfraAsync(params string[] arguments)
    {
        var run = await ToolRun.RunAsync("bash", [Path.Combine(Repository.Root, "scripts", "infra.sh"), .. arguments], _environment);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra.sh {string.Join(' ', arguments)} failed ({run.ExitCode}): {run.Errors}{run.Output}");
        }

        return run.Output;
    }

    /// <summary>
    /// A port free now and claimed for this test process until it ends, for a listener that binds it later (a broker,
    /// Redis, a service process: seconds after the choice). Below the kernel's ephemeral range (32768 and up on Linux),
    /// which every process's outgoing connections and port-0 listeners take their ports from: a port there that was
    /// free when chosen was taken more than once by another test assembly's connection before a private broker bound
    /// it. Below it, only another claim could take it, and the claim (<see cref="Claim"/>) rules that out across the
    /// run's test processes.
    /// </summary>
    public static int FreePort() => FreePortRange(1);

    /// <summary>
    /// The first of <paramref name="count"/> consecutive ports free now and claimed as <see cref="FreePort"/> claims
    /// one, for a script that numbers its ports from one base (<c>./fleetman</c>'s FLEETMAN_PORT_BASE).
    /// </summary>
    public static int FreePortRange(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(LowestPort, EphemeralPorts - count);
            var claims = new List<FileStream>();
            var listeners = new List<TcpListener>();
            try
            {
                for (var port = first; port < first + count; port++)
                {
                    claims.Add(Claim(port) ?? throw new IOException($"port {port} is claimed"));
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listeners.Add(listener);
                }

                lock (Claimed)
                {
                    Claimed.AddRange(claims);
                }

                claims.Clear();
                return first;
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // Claimed by another test process, or taken by a listener: another base.
            }
            finally
            {
                listeners.ForEach(listener => listener.Stop());
                claims.ForEach(claim => claim.Dispose());
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports between {LowestPort} and {EphemeralPorts - 1}");
    }

    private const int LowestPort = 20_000;

    private const int EphemeralPorts = 32_768;

    /// <summary>This process's claims, held open until it exits (the kernel then releases their locks).</summary>
    private static readonly List<FileStream> Claimed = [];

    /// <summary>This process's claim of <paramref name="port"/> in the folder every test process shares (<see cref="FileLock"/>), or null when another process holds it.</summary>
    private static FileStream? Claim(int port) =>
        FileLock.TryTake(Path.Combine(Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "fleetman-test-ports")).FullName, $"{port}.lock"));
}

/// <summary>Starts the shared broker once for every test that uses it (idempotent if it already runs).</summary>
public sealed class SharedBrokerFixture : IAsyncLifetime
{
    public BrokerInstance Broker { get; } = BrokerInstance.Shared();

    public Task InitializeAsync() => Broker.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask; // left running for the other test assemblies and the next run
}
