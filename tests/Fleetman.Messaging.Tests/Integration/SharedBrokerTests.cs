namespace Fleetman.Messaging.Tests.Integration;

[CollectionDefinition(Name)]
public sealed class SharedBrokerTests : ICollectionFixture<SharedBrokerFixture>
{
    public const string Name = "shared broker";
}
