import type { components } from "./generated/api-gateway";
import type { LatLng, Position } from "./types";

// The shapes the api-gateway promises (generated from its OpenAPI document). What arrives is still checked field by
// field: these types name the fields to read, so a field renamed in the contract fails the type check here.
type Schemas = components["schemas"];
/** A hub position: `snapshot` and `positions` send arrays of them. */
export type LivePosition = Schemas["LivePosition"];
/** A vehicle of `GET /api/vehicles/` (the original Fleetman's shape). */
export type VehiclePositionResponse = Schemas["VehiclePositionResponse"];
/** A point of `GET /api/history/{name}`. */
export type HistoryPointResponse = Schemas["HistoryPointResponse"];
/** A report of `GET /api/history?from&to&limit` (the whole fleet's, for a replay). */
export type FleetHistoryPointResponse = Schemas["FleetHistoryPointResponse"];
/** A report of `GET /api/vehicles/{name}/history?from&to&limit`. */
export type DetailedHistoryPointResponse = Schemas["DetailedHistoryPointResponse"];

/** Untrusted JSON that may have the fields of `T`, each of any type. */
type Untrusted<T> = { readonly [K in keyof T]?: unknown };

function fields<T>(raw: unknown): Untrusted<T> | null {
  return typeof raw === "object" && raw !== null ? (raw as Untrusted<T>) : null;
}

/** Parses a time given as ISO-8601 text or epoch milliseconds; NaN when it is neither. */
export function parseTime(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === "string" && value.length > 0) return Date.parse(value);
  return Number.NaN;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function isLatitude(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= -90 && value <= 90;
}

function isLongitude(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= -180 && value <= 180;
}

/**
 * A hub position `{name, lat, lng, time, speed, heading}`; null when it is unusable
 * (no name, or coordinates missing or out of range). A missing or unreadable time becomes `fallbackTime`.
 */
export function parseHubPosition(raw: unknown, fallbackTime: number): Position | null {
  const r = fields<LivePosition>(raw);
  if (r === null) return null;
  if (typeof r.name !== "string" || r.name.length === 0) return null;
  if (!isLatitude(r.lat) || !isLongitude(r.lng)) return null;
  const time = parseTime(r.time);
  return {
    name: r.name,
    lat: r.lat,
    lng: r.lng,
    time: Number.isNaN(time) ? fallbackTime : time,
    speed: finiteOrNull(r.speed),
    heading: finiteOrNull(r.heading),
  };
}

/**
 * A REST vehicle `{name, lat, longitude, timestamp, speed}` (the original Fleetman shape) as a position; the hub's
 * `lng`, `time` and `heading` are read too when they are there instead.
 */
export function parseRestVehicle(raw: unknown, fallbackTime: number): Position | null {
  const r = fields<VehiclePositionResponse & Pick<LivePosition, "lng" | "time" | "heading">>(raw);
  if (r === null) return null;
  const asHub: Untrusted<LivePosition> = {
    name: r.name,
    lat: r.lat,
    lng: r.longitude ?? r.lng,
    time: r.timestamp ?? r.time,
    speed: r.speed,
    heading: r.heading,
  };
  return parseHubPosition(asHub, fallbackTime);
}

/** Parses an array with `parse`, dropping unusable items; a non-array gives []. */
export function parseList<T>(raw: unknown, parse: (item: unknown) => T | null): T[] {
  if (!Array.isArray(raw)) return [];
  const out: T[] = [];
  for (const item of raw) {
    const parsed = parse(item);
    if (parsed !== null) out.push(parsed);
  }
  return out;
}

/** A history point `{lat, lng}`. */
export function parseHistoryPoint(raw: unknown): LatLng | null {
  const r = fields<HistoryPointResponse>(raw);
  return r !== null && isLatitude(r.lat) && isLongitude(r.lng) ? { lat: r.lat, lng: r.lng } : null;
}

/** The names of `vehiclesRemoved`: the non-empty strings of an array. */
export function parseNames(raw: unknown): string[] {
  return parseList(raw, (item) => (typeof item === "string" && item.length > 0 ? item : null));
}

/** A stored report of the fleet's history `{name, lat, lng, time, speed, heading}`; null without a name, a place or a time. */
export function parseFleetHistoryPoint(raw: unknown): Position | null {
  const r = fields<FleetHistoryPointResponse>(raw);
  if (r === null) return null;
  const p = parseHubPosition({ name: r.name, lat: r.lat, lng: r.lng, time: r.time, speed: r.speed, heading: r.heading }, Number.NaN);
  return p === null || Number.isNaN(p.time) ? null : p;
}

/** A stored report of one vehicle's history `{lat, lng, time, speed, heading}`, as `name`'s. */
export function parseVehicleHistoryPoint(raw: unknown, name: string): Position | null {
  const r = fields<DetailedHistoryPointResponse>(raw);
  return r === null ? null : parseFleetHistoryPoint({ name, lat: r.lat, lng: r.lng, time: r.time, speed: r.speed, heading: r.heading });
}
