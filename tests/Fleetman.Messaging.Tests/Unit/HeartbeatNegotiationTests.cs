namespace Fleetman.Messaging.Tests.Unit;

public class HeartbeatNegotiationTests
{
    [Theory]
    [InlineData(10_000, "5000,20000", 20_000, 10_000)]
    [InlineData(10_000, "0,0", 0, 0)]
    [InlineData(0, "5000,5000", 0, 0)]
    [InlineData(1_000, "3000,0", 0, 3_000)]
    [InlineData(1_000, null, 0, 0)]
    public void Each_side_uses_the_larger_of_offer_and_wish(int client, string? server, int send, int receive)
    {
        var (sendInterval, receiveInterval) = StompConnection.NegotiateHeartbeats(client, server);

        sendInterval.TotalMilliseconds.ShouldBe(send);
        receiveInterval.TotalMilliseconds.ShouldBe(receive);
    }
}
