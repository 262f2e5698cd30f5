using Fleetman.Testing;

namespace Fleetman.Messaging.Tests;

[CollectionDefinition(Name)]
public sealed class SharedBrokerTests : ICollectionFixture<SharedBrokerFixture>
{
    public const string Name = "shared broker";
}
