/** The api-gateway's OpenAPI document. */
export const document: Record<string, unknown>;
/** The hub's path and method names, from the document. */
export const hub: { path: string; snapshot: string; positions: string; vehiclesRemoved: string; follow: string; unfollow: string };
export interface MockVehicle {
  name: string;
  silent: boolean;
  history: { lat: number; lng: number }[];
  reports: unknown[];
  last: unknown;
}
export function createFleet(count: number, seed?: number): MockVehicle[];
export function step(v: MockVehicle, seconds: number, now: number): void;
export function hubPosition(v: MockVehicle): unknown;
export function restVehicle(v: MockVehicle): unknown;
export function history(v: MockVehicle): unknown;
export function unknownVehicle(name: string): unknown;
export function streets(vehicles: MockVehicle[]): unknown;
export function fleetHistory(vehicles: MockVehicle[], from: number, to: number, limit: number): unknown[];
export function vehicleHistory(v: MockVehicle, from: number, to: number, limit: number): unknown[];
export function badWindow(errors: Record<string, string[]>): unknown;
