using System.Security.Cryptography;

namespace Fleetman.Testing.Jms;

/// <summary>
/// The original Fleetman's side of the queue: <c>JmsMapClient.java</c>, a JMS client over OpenWire with the broker's
/// own client jar, compiled once per run with <c>javac</c> and started with <c>java</c> for each call. It sends a
/// MapMessage as the original position-simulator does and receives one as the original position-tracker does.
/// </summary>
public sealed class JmsMapClient
{
    private const string ClientJars = "/usr/share/activemq/lib";
    private static readonly string[] Jars = ["activemq-client.jar", "geronimo-jms_1.1_spec.jar", "geronimo-j2ee-management-1.1-spec.jar", "hawtbuf.jar", "slf4j-api.jar"];
    private const string QuietLogging = "/usr/share/java/slf4j-nop.jar";
    private static readonly SemaphoreSlim Compiling = new(1, 1);
    private static string? _classes;

    private readonly string _url;
    private readonly string _username;
    private readonly string _password;

    private JmsMapClient(string url, string username, string password)
    {
        _url = url;
        _username = username;
        _password = password;
    }

    /// <summary>A client of <paramref name="broker"/>'s OpenWire port, with the broker's credentials.</summary>
    public static async Task<JmsMapClient> ForAsync(BrokerInstance broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var environment = await broker.EnvironmentAsync();
        return new($"tcp://{environment["Broker__Host"]}:{broker.OpenWirePort}", environment["Broker__Username"], environment["Broker__Password"]);
    }

    /// <summary>Sends one persistent MapMessage of these string entries to the queue; completes once the broker has it.</summary>
    public async Task SendAsync(string queue, IReadOnlyDictionary<string, string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var result = await RunAsync(["send", _url, queue, .. entries.Select(e => $"{e.Key}={e.Value}")], TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"The JMS client could not send to {queue} ({result.ExitCode}): {result.Errors}");
        }
    }

    /// <summary>
    /// Receives one message from the queue, waiting up to <paramref name="timeout"/>: its entries as the original tracker
    /// reads them, and what it parses from them (<c>parsed.time</c> in Unix milliseconds, <c>parsed.lat</c>, <c>parsed.long</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing arrived, it was not a MapMessage, or the tracker could not parse it.</exception>
    public async Task<ReceivedMap> ReceiveAsync(string queue, TimeSpan timeout)
    {
        var result = await RunAsync(["receive", _url, queue, ((long)timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout + TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
        {
            var why = result.ExitCode switch
            {
                3 => $"nothing arrived within {timeout.TotalSeconds:0} s",
                4 => $"a message that is not a MapMessage arrived ({result.Output.Trim()})",
                _ => $"the client failed ({result.ExitCode}): {result.Errors}",
            };
            throw new InvalidOperationException($"No map message from {queue}: {why}");
        }

        var entries = new Dictionary<string, string>();
        var types = new Dictionary<string, string>();
        var parsed = new Dictionary<string, string>();
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var (key, rest) = (line[..equals], line[(equals + 1)..]);
            if (key.StartsWith("parsed.", StringComparison.Ordinal))
            {
                parsed[key["parsed.".Length..]] = rest;
                continue;
            }

            var tab = rest.LastIndexOf('\t');
            entries[key] = rest[..tab];
            types[key] = rest[(tab + 1)..];
        }

        return new ReceivedMap(entries, types, parsed);
    }

    private async Task<ToolResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var classes = await CompileAsync();
        // The credentials go in the environment, not on the command line, where every process could read them.
        var credentials = new Dictionary<string, string> { ["JMS_USERNAME"] = _username, ["JMS_PASSWORD"] = _password };
        return await ToolRun.RunAsync("java", ["-cp", ClassPath(classes), "JmsMapClient", .. arguments], credentials, timeout: timeout);
    }

    private static async Task<string> CompileAsync()
    {
        await Compiling.WaitAsync();
        try
        {
            if (_classes is not null)
            {
                return _classes;
            }

            var source = Path.Combine(Repository.Root, "tests", "Fleetman.Testing", "Jms", "JmsMapClient.java");
            var hash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(source)))[..12];
            var classes = Path.Combine(Path.GetTempPath(), "fleetman-jms-client-" + hash);
            if (!Directory.Exists(classes))
            {
                // Compiled aside and moved in whole: test assemblies running at the same time never see half a folder.
                var scratch = Directory.CreateTempSubdirectory("fleetman-jms-client-").FullName;
                var result = await ToolRun.RunAsync("javac", ["-d", scratch, "-cp", ClassPath(null), source], timeout: TimeSpan.FromMinutes(2));
                if (result.ExitCode != 0)
                {
                    throw new InvalidOperationException($"javac failed ({result.ExitCode}): {result.Errors}{result.Output}");
                }

                try
                {
                    Directory.Move(scratch, classes);
                }
                catch (IOException) when (Directory.Exists(classes))
                {
                    Directory.Delete(scratch, recursive: true); // another run was first
                }
            }

            return _classes = classes;
        }
        finally
        {
            Compiling.Release();
        }
    }

    private static string ClassPath(string? classes)
    {
        var missing = Jars.Where(jar => !File.Exists(Path.Combine(ClientJars, jar))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The broker's client jars are missing from {ClientJars} ({string.Join(", ", missing)}): scripts/infra.sh start installs ActiveMQ.");
        }

        var path = Jars.Select(jar => Path.Combine(ClientJars, jar)).ToList();

        // slf4j-nop, when there, keeps the client's "no logger" warning out of the output.
        if (File.Exists(QuietLogging))
        {
            path.Add(QuietLogging);
        }

        if (classes is not null)
        {
            path.Add(classes);
        }

        return string.Join(':', path);
    }
}

/// <summary>A MapMessage as the original position-tracker receives it.</summary>
/// <param name="Entries">The map's entries as strings.</param>
/// <param name="Types">The Java type of each entry's value (<c>String</c> for every entry the original sends).</param>
/// <param name="Parsed">What the original tracker parses: <c>time</c> (Unix milliseconds), <c>lat</c>, <c>long</c>.</param>
public sealed record ReceivedMap(IReadOnlyDictionary<string, string> Entries, IReadOnlyDictionary<string, string> Types, IReadOnlyDictionary<string, string> Parsed);
