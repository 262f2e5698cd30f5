namespace Fleetman.Messaging;
