using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using YamlDotNet.RepresentationModel;

namespace Fleetman.Chaos.Tests.System;

/// <summary>
/// The project's monitoring as it runs in production, on loopback: a real Prometheus (Debian's prometheus) with the
/// project's alert rules, scraping the given targets; a real Alertmanager (prometheus-alertmanager) with the production
/// routing (helm/kube-prometheus-stack-values.yaml) whose Slack receiver posts to <see cref="Slack"/>, a Kestrel
/// endpoint that keeps what it is sent; and redis_exporter (prometheus-redis-exporter) beside Redis.
/// </summary>
/// <remarks>
/// What differs from production, to keep the test short: Prometheus scrapes and evaluates every second, every rule's
/// <c>for:</c> is rewritten to 5 s and every one-minute range (<c>[1m]</c>) to 15 s (the expressions are otherwise the
/// file's: same metrics, functions and thresholds; promtool's unit tests in fleetman-alerts.test.yml check the real
/// windows), and Alertmanager groups for 1 s and sends updates of a group every 2 s instead of every minute. The
/// one-minute range is the rate "no position stored" reads: with it, a stopped consumer's last samples kept the rate
/// above zero for a minute before the alert could even begin its <c>for:</c>; 15 s still spans 15 scrapes.
/// </remarks>
public sealed partial class LocalMonitoring : IAsyncDisposable
{
    private static readonly string RulesFile = Path.Combine(Repository.Root, "k8s", "components", "monitoring", "fleetman-alerts.yml");
    private static readonly string StackValues = Path.Combine(Repository.Root, "helm", "kube-prometheus-stack-values.yaml");

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fleetman-monitoring-");
    private readonly List<Process> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private WebApplication? _receiver;

    private LocalMonitoring()
    {
    }

    public Uri Prometheus { get; private set; } = null!;

    /// <summary>The JSON bodies Alertmanager posted to the Slack webhook, in arrival order.</summary>
    public ConcurrentQueue<JsonElement> Slack { get; } = new();

    /// <summary>Starts the stack; <paramref name="targets"/> maps each job to the host:port addresses it scrapes.</summary>
    public static async Task<LocalMonitoring> StartAsync(IReadOnlyDictionary<string, string[]> targets, string redisConnectionString)
    {
        var stack = new LocalMonitoring();
        try
        {
            await stack.StartAllAsync(targets, redisConnectionString);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(IReadOnlyDictionary<string, string[]> targets, string redisConnectionString)
    {
        var slackUrl = await StartSlackAsync();

        // The three start side by side and are waited for together (each takes seconds on a shared machine): Prometheus
        // needs only the others' addresses, and sends alerts to Alertmanager once it answers.
        // redis_exporter reads the password from its environment, not from its command line.
        var redis = redisConnectionString.Split(',');
        var exporterPort = BrokerInstance.FreePort();
        Start("prometheus-redis-exporter", ["-redis.addr", $"redis://{redis[0]}", "-web.listen-address", $"127.0.0.1:{exporterPort}"],
            new() { ["REDIS_PASSWORD"] = redis.Single(part => part.StartsWith("password=", StringComparison.Ordinal))["password=".Length..] });

        var alertmanagerPort = BrokerInstance.FreePort();
        var alertmanagerConfig = Path.Combine(_folder.FullName, "alertmanager.yml");
        await File.WriteAllTextAsync(alertmanagerConfig, AlertmanagerConfig(slackUrl));
        Start("prometheus-alertmanager",
        [
            $"--config.file={alertmanagerConfig}", $"--storage.path={Path.Combine(_folder.FullName, "alertmanager")}",
            $"--web.listen-address=127.0.0.1:{alertmanagerPort}", "--cluster.listen-address=",
        ]);

        var rules = Path.Combine(_folder.FullName, "fleetman-alerts.yml");
        var shortened = For().Replace(await File.ReadAllTextAsync(RulesFile), "${indent}for: 5s").Replace("[1m]", "[15s]", StringComparison.Ordinal);
        await File.WriteAllTextAsync(rules, shortened);
        var prometheusConfig = Path.Combine(_folder.FullName, "prometheus.yml");
        var jobs = new Dictionary<string, string[]>(targets) { ["redis"] = [$"127.0.0.1:{exporterPort}"] };
        await File.WriteAllTextAsync(prometheusConfig, PrometheusConfig(rules, alertmanagerPort, jobs));
        var prometheusPort = BrokerInstance.FreePort();
        Start("prometheus",
        [
            $"--config.file={prometheusConfig}", $"--storage.tsdb.path={Path.Combine(_folder.FullName, "prometheus")}",
            $"--web.listen-address=127.0.0.1:{prometheusPort}",
        ]);
        Prometheus = new Uri($"http://127.0.0.1:{prometheusPort}/");
        await Task.WhenAll(
            ReadyAsync(new Uri($"http://127.0.0.1:{exporterPort}/metrics"), "redis_exporter"),
            ReadyAsync(new Uri($"http://127.0.0.1:{alertmanagerPort}/-/ready"), "Alertmanager"),
            ReadyAsync(new Uri(Prometheus, "-/ready"), "Prometheus"));
    }

    /// <summary>The production routing (alertmanager.config of the stack's values), with the webhook URL file and short group timings.</summary>
    private string AlertmanagerConfig(string slackUrl)
    {
        var urlFile = Path.Combine(_folder.FullName, "slack-url");
        File.WriteAllText(urlFile, slackUrl);
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(StackValues)));
        var config = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["alertmanager"])["config"];
        var route = (YamlMappingNode)config["route"];
        route.Children[new YamlScalarNode("group_wait")] = new YamlScalarNode("1s");
        route.Children[new YamlScalarNode("group_interval")] = new YamlScalarNode("2s");
        var slack = ((YamlSequenceNode)config["receivers"]).Cast<YamlMappingNode>().Single(receiver => receiver["name"].ToString() == "slack");
        var target = (YamlMappingNode)((YamlSequenceNode)slack["slack_configs"]).Single();
        target.Children[new YamlScalarNode("api_url_file")] = new YamlScalarNode(urlFile);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(config)).Save(text, assignAnchors: false);
        return text.ToString();
    }

    private static string PrometheusConfig(string rules, int alertmanagerPort, IReadOnlyDictionary<string, string[]> jobs)
    {
        var scrape = string.Concat(jobs.Select(job => $"""
              - job_name: {job.Key}
                static_configs:
                  - targets: [{string.Join(", ", job.Value.Select(address => $"\"{address}\""))}]

            """));
        return $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {rules}
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ["127.0.0.1:{alertmanagerPort}"]
            scrape_configs:
            {scrape}
            """;
    }

    private async Task<string> StartSlackAsync()
    {
        var port = BrokerInstance.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapPost("/services/{**path}", async (HttpRequest request) =>
        {
            Slack.Enqueue(await JsonSerializer.DeserializeAsync<JsonElement>(request.Body));
            return Results.Text("ok");
        });
        await _receiver.StartAsync();
        return $"http://127.0.0.1:{port}/services/T000/B000/test";
    }

    /// <summary>The titles of every Slack message so far ("[FIRING] FleetmanNoPositionsStored", ...), from the <paramref name="first"/>th message on.</summary>
    public IReadOnlyList<string> SlackTitles(int first = 0) =>
        [.. Slack.Skip(first).SelectMany(message => message.GetProperty("attachments").EnumerateArray()).Select(attachment => attachment.GetProperty("title").GetString()!)];

    /// <summary>The result of an instant query: one entry per series.</summary>
    public async Task<JsonElement[]> QueryAsync(string expression)
    {
        var answer = await _http.GetFromJsonAsync<JsonElement>(new Uri(Prometheus, $"api/v1/query?query={Uri.EscapeDataString(expression)}"));
        answer.GetProperty("status").GetString().ShouldBe("success", expression);
        return [.. answer.GetProperty("data").GetProperty("result").EnumerateArray()];
    }

    /// <summary>The alerts Prometheus has firing now, by name.</summary>
    public async Task<IReadOnlyList<string>> FiringAsync()
    {
        var answer = await _http.GetFromJsonAsync<JsonElement>(new Uri(Prometheus, "api/v1/alerts"));
        return [.. answer.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Where(alert => alert.GetProperty("state").GetString() == "firing")
            .Select(alert => alert.GetProperty("labels").GetProperty("alertname").GetString()!)];
    }

    /// <summary>Every metric name Prometheus holds.</summary>
    public async Task<IReadOnlyList<string>> MetricNamesAsync()
    {
        var answer = await _http.GetFromJsonAsync<JsonElement>(new Uri(Prometheus, "api/v1/label/__name__/values"));
        return [.. answer.GetProperty("data").EnumerateArray().Select(name => name.GetString()!)];
    }

    private void Start(string program, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder.FullName };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (global::System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} cannot be run ({e.Message}): scripts/test.sh system installs it", e);
        }

        // Drained so a full pipe never blocks the tool; its output stays in the stack's folder for a failing run.
        var log = new StreamWriter(Path.Combine(_folder.FullName, program + ".log")) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => Write(log, line.Data);
        process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);

        static void Write(StreamWriter log, string? line)
        {
            if (line is not null)
            {
                lock (log)
                {
                    log.WriteLine(line);
                }
            }
        }
    }

    private async Task ReadyAsync(Uri probe, string what) =>
        await Eventually.Until(async () =>
        {
            try
            {
                return (await _http.GetAsync(probe)).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => Task.FromResult($"{what} does not answer {probe} (logs in {_folder.FullName})"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        _http.Dispose();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A log still being closed: the temporary folder is cleaned up with the machine's.
        }
    }

    [GeneratedRegex(@"^(?<indent>[ ]+)for: \S+$", RegexOptions.Multiline)]
    private static partial Regex For();
}
