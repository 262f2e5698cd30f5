namespace Fleetman.Testing;

public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fleetman.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Fleetman.sln above {AppContext.BaseDirectory}.");
    }
}
