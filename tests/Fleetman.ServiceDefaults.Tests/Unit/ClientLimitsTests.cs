namespace Fleetman.ServiceDefaults.Tests.Unit;

public sealed class ClientLimitsTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void A_client_is_its_IPv4_address_or_its_IPv6_slash_64(string address, string expected) =>
        ClientLimits.ClientKey(IPAddress.Parse(address)).ShouldBe(expected);

    [Fact]
    public void A_request_without_an_address_is_one_client_named_unknown() =>
        ClientLimits.ClientKey((IPAddress?)null).ShouldBe("unknown");

    [Fact]
    public void A_proxy_list_takes_addresses_and_networks_separated_by_commas_or_spaces_and_names_what_is_neither()
    {
        var (networks, invalid) = ClientLimits.ParseNetworks(" 10.0.0.0/8, 127.0.0.1 ::1  fc00::/7,not-a-network 300.1.1.1");

        networks.Select(network => network.ToString()).ShouldBe(["10.0.0.0/8", "127.0.0.1/32", "::1/128", "fc00::/7"]);
        invalid.ShouldBe(["not-a-network", "300.1.1.1"]);
        ClientLimits.InvalidNetworkMessage("300.1.1.1").ShouldContain("'300.1.1.1'");
    }

    [Fact]
    public void An_empty_proxy_list_trusts_nobody()
    {
        ClientLimits.ParseNetworks(null).Networks.ShouldBeEmpty();
        ClientLimits.ParseNetworks(" , ").Networks.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(100, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]
    [InlineData(9100, 10)]
    public void Retry_after_is_whole_seconds_rounded_up_and_never_zero(int milliseconds, int seconds) =>
        ClientLimits.RetryAfterSeconds(TimeSpan.FromMilliseconds(milliseconds)).ShouldBe(seconds);

    [Theory]
    [InlineData(0, "The field PerSecond must be between 1 and 100000.")]
    [InlineData(1, null)]
    [InlineData(100_000, null)]
    [InlineData(100_001, "The field PerSecond must be between 1 and 100000.")]
    public void A_per_client_limit_is_from_1_to_the_one_ceiling_of_every_such_setting(int value, string? problem)
    {
        var limited = new LimitedClient { PerSecond = value };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
            limited, new System.ComponentModel.DataAnnotations.ValidationContext(limited), results, validateAllProperties: true);

        results.Select(result => result.ErrorMessage).ShouldBe(problem is null ? [] : [problem]);
    }

    private sealed class LimitedClient
    {
        [PerClientLimit]
        public int PerSecond { get; set; }
    }
}
