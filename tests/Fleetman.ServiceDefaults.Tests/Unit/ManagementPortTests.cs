namespace Fleetman.ServiceDefaults.Tests.Unit;

public sealed class ManagementPortTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:9090")]
    [InlineData("http://+:8080", "http://+:9090")]
    [InlineData("http://*:8080/", "http://*:9090")]
    [InlineData("http://[::1]:8080", "http://[::1]:9090")]
    [InlineData("http://localhost", "http://localhost:9090")]
    public void The_management_port_listens_on_the_host_of_the_services_first_address(string url, string expected) =>
        ManagementOptions.WithPort(url, 9090).ShouldBe(expected);

    [Fact]
    public void Container_ports_become_addresses_with_the_management_port_added()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["http_ports"] = "8080" }).Build();
        ManagementOptions.AddListenAddress(configuration, 9090);
        configuration["urls"].ShouldBe("http://*:8080;http://*:9090");
    }
}
