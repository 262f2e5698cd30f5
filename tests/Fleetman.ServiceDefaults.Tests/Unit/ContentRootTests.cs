namespace Fleetman.ServiceDefaults.Tests.Unit;

/// <summary>Changes the process-wide working directory, so it runs in the collection whose tests run alone.</summary>
[Collection(ConsoleRedirection.Name)]
public sealed class ContentRootTests
{
    [Fact]
    public void A_service_reads_its_own_appsettings_even_when_started_from_another_folder()
    {
        var original = Environment.CurrentDirectory;
        var elsewhere = Directory.CreateTempSubdirectory("fleetman-cwd-").FullName;
        try
        {
            Environment.CurrentDirectory = elsewhere; // as ./fleetman and the tests start services: from the repository root

            var builder = FleetmanService.CreateBuilder([]);

            builder.Configuration["ContentRootProbe"].ShouldBe("read from the service's own folder");
        }
        finally
        {
            Environment.CurrentDirectory = original;
            Directory.Delete(elsewhere);
        }
    }
}
