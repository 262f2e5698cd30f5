namespace Fleetman.PositionSimulator.Tests.System;

[CollectionDefinition(Name)]
public sealed class SharedBrokerTests : ICollectionFixture<SharedBrokerFixture>
{
    public const string Name = "shared broker";
}

internal static class SimulatorEnvironment
{
    /// <summary>The admin password every test simulator is given; <see cref="SimulatorProcess.Http"/> sends it.</summary>
    public const string AdminPassword = "correct horse battery staple";

    /// <summary>The broker settings of <paramref name="broker"/> (from <c>infra.sh env</c>) plus the simulator's own, as environment variables.</summary>
    public static async Task<Dictionary<string, string>> ForAsync(BrokerInstance broker, string queue, int vehicles, int intervalMilliseconds, params (string Name, string Value)[] more)
    {
        var environment = (await broker.EnvironmentAsync())
            .Where(setting => setting.Key.StartsWith("Broker__", StringComparison.Ordinal))
            .ToDictionary();
        environment["Messaging__Destinations__PositionReported"] = queue;
        environment["Admin__Password"] = AdminPassword;
        environment["Simulator__Vehicles"] = vehicles.ToString(CultureInfo.InvariantCulture);
        environment["Simulator__ReportIntervalMilliseconds"] = intervalMilliseconds.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }

        return environment;
    }
}
