namespace Fleetman.Messaging.Tests.Integration;

/// <summary>The transport contract on STOMP against the real ActiveMQ: each connection is a client of its own.</summary>
[Collection(SharedBrokerTests.Name)]
public sealed class StompTransportTests(SharedBrokerFixture fixture) : TransportContractTests
{
    // A STOMP NACK carries no reason: ActiveMQ dead-letters the message with a cause of its own.
    protected override bool DeadLettersCarryTheConsumersReason => false;

    internal override async Task<IMessageTransport> ConnectAsync()
    {
        var client = await fixture.Broker.ConnectClientAsync();
        Own(client);
        return client;
    }
}
