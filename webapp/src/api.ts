import { parseFleetHistoryPoint, parseHistoryPoint, parseList, parseRestVehicle, parseVehicleHistoryPoint } from "./parse";
import type { HistoryQuery } from "./replay-reader";
import { HttpError, parseRetryAfter } from "./retrying";
import { parseStreets, type StreetLine } from "./streets";
import type { LatLng, Position } from "./types";

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { headers: { accept: "application/json" }, signal: controller.signal, cache: "no-store" });
    if (!response.ok) throw new HttpError(url, response.status, parseRetryAfter(response.headers.get("retry-after"), Date.now()));
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /api/vehicles/` → the newest position of every vehicle. */
export async function fetchVehicles(apiBase: string, timeoutMs = 10_000): Promise<Position[]> {
  const now = Date.now();
  return parseList(await getJson(`${apiBase}/api/vehicles/`, timeoutMs), (item) => parseRestVehicle(item, now));
}

/** `GET /api/history/{name}` → the vehicle's stored track, oldest first. */
export async function fetchHistory(apiBase: string, name: string, timeoutMs = 15_000): Promise<LatLng[]> {
  return parseList(await getJson(`${apiBase}/api/history/${encodeURIComponent(name)}`, timeoutMs), parseHistoryPoint);
}

function windowQuery(query: HistoryQuery): string {
  const from = new Date(query.from).toISOString();
  const to = new Date(query.to).toISOString();
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=${query.limit}`;
}

/** `GET /api/history?from&to&limit` → the whole fleet's stored reports in the window, time order, the first `limit`. */
export async function fetchFleetHistory(apiBase: string, query: HistoryQuery, timeoutMs = 20_000): Promise<Position[]> {
  return parseList(await getJson(`${apiBase}/api/history?${windowQuery(query)}`, timeoutMs), parseFleetHistoryPoint);
}

/** `GET /api/vehicles/{name}/history?from&to&limit` → one vehicle's stored reports in the window, the last `limit`. */
export async function fetchVehicleHistory(apiBase: string, name: string, query: HistoryQuery, timeoutMs = 20_000): Promise<Position[]> {
  const url = `${apiBase}/api/vehicles/${encodeURIComponent(name)}/history?${windowQuery(query)}`;
  return parseList(await getJson(url, timeoutMs), (item) => parseVehicleHistoryPoint(item, name));
}

/** `GET /api/streets` → the offline street map's lines. */
export async function fetchStreets(apiBase: string, timeoutMs = 15_000): Promise<StreetLine[]> {
  return parseStreets(await getJson(`${apiBase}/api/streets`, timeoutMs));
}
