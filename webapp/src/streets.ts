import type { LatLng } from "./types";

/** One line of the offline street map: a street of the simulator's network, or a recorded track. */
export interface StreetLine {
  kind: "street" | "track";
  points: LatLng[];
}

function point(raw: unknown): LatLng | null {
  if (!Array.isArray(raw) || raw.length < 2) return null;
  const [lng, lat] = raw as unknown[];
  if (typeof lat !== "number" || typeof lng !== "number" || !Number.isFinite(lat) || !Number.isFinite(lng)) return null;
  if (lat < -90 || lat > 90 || lng < -180 || lng > 180) return null;
  return { lat, lng };
}

/**
 * `GET /api/streets`: a GeoJSON FeatureCollection of LineStrings, coordinates `[longitude, latitude]`, property
 * `kind` "street" or "track". What is not such a line (another geometry, a point out of range, fewer than two
 * points) is skipped; an unknown kind draws as a street.
 */
export function parseStreets(raw: unknown): StreetLine[] {
  if (typeof raw !== "object" || raw === null) return [];
  const features = (raw as { features?: unknown }).features;
  if (!Array.isArray(features)) return [];
  const lines: StreetLine[] = [];
  for (const feature of features) {
    if (typeof feature !== "object" || feature === null) continue;
    const f = feature as { geometry?: { type?: unknown; coordinates?: unknown }; properties?: { kind?: unknown } | null };
    if (f.geometry?.type !== "LineString" || !Array.isArray(f.geometry.coordinates)) continue;
    const points: LatLng[] = [];
    for (const c of f.geometry.coordinates) {
      const p = point(c);
      if (p !== null) points.push(p);
    }
    if (points.length < 2) continue;
    lines.push({ kind: f.properties?.kind === "track" ? "track" : "street", points });
  }
  return lines;
}

/** Web Mercator tile coordinates of the tile holding `at` at `zoom` (whole zoom levels). */
export function tileOf(at: LatLng, zoom: number): { x: number; y: number; z: number } {
  const z = Math.max(0, Math.round(zoom));
  const n = 2 ** z;
  const lat = (Math.max(-85.05112878, Math.min(85.05112878, at.lat)) * Math.PI) / 180;
  const x = Math.floor(((at.lng + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * n);
  return { x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)), z };
}

/** The URL of one tile from a Leaflet URL template (`{s}` the first subdomain, `{r}` none). */
export function tileUrl(template: string, tile: { x: number; y: number; z: number }): string {
  const values: Record<string, string> = { s: "a", x: String(tile.x), y: String(tile.y), z: String(tile.z), r: "" };
  return template.replace(/\{([a-z])\}/g, (whole, key: string) => values[key] ?? whole);
}
