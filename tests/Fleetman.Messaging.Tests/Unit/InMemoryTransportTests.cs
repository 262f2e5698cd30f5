using Fleetman.Messaging.InMemory;

namespace Fleetman.Messaging.Tests.Unit;

/// <summary>The transport contract on the in-memory transport: every "connection" of a test is the same in-process broker.</summary>
public sealed class InMemoryTransportTests : TransportContractTests
{
    private readonly InMemoryTransport _broker = new();

    protected override bool DeadLettersCarryTheConsumersReason => true;

    internal override Task<IMessageTransport> ConnectAsync() => Task.FromResult<IMessageTransport>(_broker);
}
