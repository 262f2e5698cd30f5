import { vehicleHubKeepAliveSeconds, vehicleHubPath } from "./generated/vehicle-hub";
import type { LatLng } from "./types";

/** Runtime settings: defaults, then `config.json` beside index.html, then `window.FLEETMAN_CONFIG`. */
export interface AppConfig {
  /** Tile URL template; "" turns tiles off (plain background, no network). */
  tileUrl: string;
  tileAttribution: string;
  tileMaxZoom: number;
  /** Where the map starts before any vehicle is known. */
  center: LatLng;
  zoom: number;
  /** Fit the map to the fleet once, when the first vehicles arrive. */
  fitFleetOnStart: boolean;
  /** Zoom from which vehicle names are shown on the map (the selected one always is). */
  labelMinZoom: number;
  /** At most this many names on the map at once. */
  maxLabels: number;
  /** Zoom used when flying to a selected vehicle from further out. */
  selectZoom: number;
  /** A vehicle not heard from for this long is shown as stale. */
  staleAfterSeconds: number;
  /** A vehicle not heard from for this long is counted as offline (and still shown until the server retires it). */
  offlineAfterSeconds: number;
  /** Prefix for the REST API ("" means same origin, `/api/...`). */
  apiBase: string;
  /** The SignalR hub (the api-gateway's, through the edge). */
  hubUrl: string;
  /** The hub's keep-alive interval (the api-gateway's SignalR `KeepAliveInterval`): the longest a live connection is silent. */
  hubKeepAliveSeconds: number;
  /** While the hub is not live, poll `GET /api/vehicles/` this often (0 turns it off). */
  restPollSeconds: number;
  /** Longest history trail kept for the selected vehicle. */
  maxTrailPoints: number;
}

export const defaultConfig: AppConfig = {
  tileUrl: "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
  tileAttribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
  tileMaxZoom: 19,
  center: { lat: 53.375564, lng: -1.506785 },
  zoom: 13,
  fitFleetOnStart: true,
  labelMinZoom: 15,
  maxLabels: 150,
  selectZoom: 15,
  staleAfterSeconds: 30,
  offlineAfterSeconds: 120,
  apiBase: "",
  hubUrl: vehicleHubPath,
  hubKeepAliveSeconds: vehicleHubKeepAliveSeconds,
  restPollSeconds: 5,
  maxTrailPoints: 10000,
};

function num(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === "number" && Number.isFinite(value) && value >= min && value <= max ? value : fallback;
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

function latLng(value: unknown, fallback: LatLng): LatLng {
  if (Array.isArray(value) && value.length === 2) {
    return { lat: num(value[0], fallback.lat, -90, 90), lng: num(value[1], fallback.lng, -180, 180) };
  }
  if (typeof value === "object" && value !== null) {
    const v = value as Record<string, unknown>;
    return { lat: num(v.lat, fallback.lat, -90, 90), lng: num(v.lng, fallback.lng, -180, 180) };
  }
  return fallback;
}

/**
 * Overlays `raw` (parsed JSON of unknown shape) on `base`. Unknown keys are ignored and a value of the
 * wrong type or out of range keeps the base value, so a bad config file never breaks the page.
 */
export function mergeConfig(base: AppConfig, raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return base;
  const r = raw as Record<string, unknown>;
  return {
    tileUrl: str(r.tileUrl, base.tileUrl).trim(),
    tileAttribution: str(r.tileAttribution, base.tileAttribution),
    tileMaxZoom: num(r.tileMaxZoom, base.tileMaxZoom, 1, 24),
    center: latLng(r.center, base.center),
    zoom: num(r.zoom, base.zoom, 0, 24),
    fitFleetOnStart: bool(r.fitFleetOnStart, base.fitFleetOnStart),
    labelMinZoom: num(r.labelMinZoom, base.labelMinZoom, 0, 24),
    maxLabels: Math.floor(num(r.maxLabels, base.maxLabels, 0, 5000)),
    selectZoom: num(r.selectZoom, base.selectZoom, 0, 24),
    staleAfterSeconds: num(r.staleAfterSeconds, base.staleAfterSeconds, 1, 86400),
    offlineAfterSeconds: num(r.offlineAfterSeconds, base.offlineAfterSeconds, 1, 86400),
    apiBase: str(r.apiBase, base.apiBase).replace(/\/+$/, ""),
    hubUrl: str(r.hubUrl, base.hubUrl) || base.hubUrl,
    hubKeepAliveSeconds: num(r.hubKeepAliveSeconds, base.hubKeepAliveSeconds, 1, 3600),
    restPollSeconds: num(r.restPollSeconds, base.restPollSeconds, 0, 3600),
    maxTrailPoints: Math.floor(num(r.maxTrailPoints, base.maxTrailPoints, 2, 1_000_000)),
  };
}

/** Reads `config.json` beside the page (missing or unreadable: defaults) and `window.FLEETMAN_CONFIG`. */
export async function loadConfig(): Promise<AppConfig> {
  let config = defaultConfig;
  try {
    const response = await fetch("config.json", { cache: "no-store", headers: { accept: "application/json" } });
    if (response.ok) config = mergeConfig(config, await response.json());
  } catch {
    // No config file (or an HTML fallback page in its place): the defaults stand.
  }
  const inline = (window as unknown as { FLEETMAN_CONFIG?: unknown }).FLEETMAN_CONFIG;
  return mergeConfig(config, inline);
}
