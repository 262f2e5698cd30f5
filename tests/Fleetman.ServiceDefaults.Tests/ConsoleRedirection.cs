namespace Fleetman.ServiceDefaults.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleRedirection
{
    /// <summary>Tests that redirect Console.Out, which is process-wide: they run alone.</summary>
    public const string Name = "Console";
}
