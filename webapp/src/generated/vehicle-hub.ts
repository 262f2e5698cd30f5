// Generated from openapi/api-gateway.json (x-signalr-hubs) by scripts/generate-contract.mjs: do not edit, run `npm run generate`.
import type { components } from "./api-gateway";

/** Where the vehicle hub is. */
export const vehicleHubPath = "/hubs/vehicles";

/** The hub pings a connection it has sent nothing for this long (the api-gateway's Hub__KeepAliveSeconds default). */
export const vehicleHubKeepAliveSeconds = 2;

/** Server → client methods, by their names on the wire. */
export const vehicleHubClientMethods = {
  snapshot: "snapshot",
  positions: "positions",
  vehiclesRemoved: "vehiclesRemoved",
  fleetEvents: "fleetEvents",
} as const;

/** Client → server methods, by their names on the wire. */
export const vehicleHubServerMethods = {
  Follow: "Follow",
  Unfollow: "Unfollow",
} as const;

/** What the hub sends: one handler per server → client method. */
export interface VehicleHubClient {
  snapshot(positions: components["schemas"]["LivePosition"][]): void;
  positions(positions: components["schemas"]["LivePosition"][]): void;
  vehiclesRemoved(names: string[]): void;
  fleetEvents(events: components["schemas"]["FleetEventResponse"][]): void;
}

/** What a browser may invoke on the hub. */
export interface VehicleHubServer {
  Follow(name: string): void;
  Unfollow(name: string): void;
}
