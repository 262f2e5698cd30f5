using Fleetman.TestSelection;

// Usage: Fleetman.TestSelection --filter EXPRESSION ASSEMBLY...
//        Fleetman.TestSelection --list ASSEMBLY...   (each test found: fully qualified name, a tab, display name)
// For each built test assembly, one line: "run", or "skip" when the filter can select none of its tests; a tab, the
// assembly's path, a tab, and why. scripts/test.sh starts only the assemblies to run: each one started costs seconds
// and CPU-seconds even when it has no test to run. A filter that cannot be read runs everything, so that dotnet test
// itself says what is wrong with it.
if (args is ["--list", .. var listed])
{
    foreach (var test in listed.SelectMany(path => TestCatalog.Read(path).Tests))
    {
        Console.WriteLine($"{test.FullyQualifiedName}\t{test.DisplayName}");
    }

    return 0;
}

if (args.Length < 3 || args[0] != "--filter")
{
    await Console.Error.WriteLineAsync("usage: Fleetman.TestSelection --filter EXPRESSION ASSEMBLY... | --list ASSEMBLY...");
    return 2;
}

TestFilter? filter = null;
string? unreadable = null;
try
{
    filter = TestFilter.Parse(args[1]);
}
catch (FormatException e)
{
    unreadable = e.Message;
}

foreach (var path in args.Skip(2))
{
    var verdict = filter is null
        ? new Verdict(true, $"the filter cannot be read here ({unreadable}): dotnet test says what is wrong with it")
        : Selection.Decide(filter, TestCatalog.Read(path));
    Console.WriteLine($"{(verdict.Run ? "run" : "skip")}\t{path}\t{verdict.Why}");
}

return 0;
