using DotNet.Testcontainers.Builders;
using MongoDB.Driver;
using Testcontainers.MongoDb;

namespace Fleetman.PositionStore.Tests.Integration;

/// <summary>
/// The MongoDB server of this test run and the databases the tests made on it. <c>FLEETMAN_TEST_MONGO</c> (a connection
/// string) names one; without it a throwaway container is started, where Docker can start one. Otherwise the tests are
/// skipped with <see cref="SkipReason"/>.
/// </summary>
public sealed class MongoTestRun : IAsyncLifetime
{
    /// <summary>The version the deployments run. A standalone server is enough: the store uses no transactions or change
    /// streams, and a majority write concern is met by the one member.</summary>
    public const string Image = "mongo:8.0.4";

    // Starting from a local image takes seconds; a pull that cannot reach the registry fails at once. The bound is for a
    // registry that does not answer at all, so the run never waits for minutes before it can say why it skips.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _prefix = $"fleetman_test_{Guid.NewGuid():N}"[..26];
    private MongoDbContainer? _container;
    private MongoClient? _client;
    private int _databases;

    public string? ConnectionString { get; private set; }

    /// <summary>Why the MongoDB tests cannot run here; null when they can.</summary>
    public string? SkipReason { get; private set; }

    public MongoClient Client => _client ??= new MongoClient(ConnectionString);

    public string NextDatabaseName() => $"{_prefix}_{Interlocked.Increment(ref _databases)}";

    public Task DropAsync(string database) => Client.DropDatabaseAsync(database);

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("FLEETMAN_TEST_MONGO") is { Length: > 0 } configured)
        {
            ConnectionString = configured;
            return;
        }

        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            _container = new MongoDbBuilder(Image).Build();
            await _container.StartAsync(timeout.Token);
            ConnectionString = _container.GetConnectionString();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SkipReason = $"FLEETMAN_TEST_MONGO is not set and Docker could not start a {Image} container: {Describe(ex, timeout)}";
            await DisposeContainerAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_client is not null && _container is null)
        {
            // A server of its own: a test that failed half-way may have left its database behind.
            var names = await (await _client.ListDatabaseNamesAsync()).ToListAsync();
            foreach (var name in names.Where(name => name.StartsWith(_prefix, StringComparison.Ordinal)))
            {
                await _client.DropDatabaseAsync(name);
            }
        }

        _client?.Dispose();
        await DisposeContainerAsync();
    }

    private async Task DisposeContainerAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
            _container = null;
        }
    }

    private static string Describe(Exception ex, CancellationTokenSource timeout)
    {
        if (timeout.IsCancellationRequested)
        {
            return $"it was not up within {StartTimeout.TotalSeconds:0} s (is the image being pulled from a registry that does not answer?)";
        }

        if (ex is DockerUnavailableException)
        {
            // Also what an engine older than the API version Testcontainers asks for looks like (Debian's docker.io 20.10
            // answers API 1.41 and refuses newer clients).
            return $"no Docker engine Testcontainers can use here: none answers, or it is too old for Testcontainers ({ex.Message.Split('\n')[0].Trim()})";
        }

        var messages = string.Join(" ", Chain(ex).Select(e => e.Message).Distinct());
        // Docker's answer to a pull it cannot make names the registry; say plainly what it means.
        return messages.Contains("registry", StringComparison.OrdinalIgnoreCase) || messages.Contains("pull", StringComparison.OrdinalIgnoreCase)
            ? $"an image it needs is not on this machine and cannot be pulled here ({messages})"
            : messages;
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
