namespace Fleetman.ServiceDefaults;
