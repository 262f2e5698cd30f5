// What the mock backend (scripts/mock-server.mjs) serves, in the api-gateway's shapes: simulated vehicles round
// Sheffield and the JSON made from them. src/contract.test.ts checks every shape against the api-gateway's OpenAPI
// document (openapi/api-gateway.json), so the mock cannot drift from the real backend.
import { readFileSync } from "node:fs";

/** The api-gateway's OpenAPI document, with its hub under `x-signalr-hubs`. */
export const document = JSON.parse(readFileSync(new URL("../openapi/api-gateway.json", import.meta.url), "utf8"));

const vehicleHub = document["x-signalr-hubs"]?.vehicles ?? {};
function method(group, name) {
  if (vehicleHub[group]?.[name] === undefined) throw new Error(`openapi/api-gateway.json has no hub method ${group}.${name}: the mock is behind the contract`);
  return name;
}

/** The hub's path and the methods the mock plays, by their names in the document (a missing one fails at start). */
export const hub = {
  path: vehicleHub.path,
  snapshot: method("clientMethods", "snapshot"),
  positions: method("clientMethods", "positions"),
  vehiclesRemoved: method("clientMethods", "vehiclesRemoved"),
  follow: method("serverMethods", "Follow"),
  unfollow: method("serverMethods", "Unfollow"),
};

const centre = { lat: 53.375564, lng: -1.506785 };
const mPerDegLat = 111_320;
const mPerDegLng = 111_320 * Math.cos((centre.lat * Math.PI) / 180);
const historyKept = 600;
/** Reports kept for a replay (`GET /api/history`): an hour at one a second. */
const reportsKept = 3600;

/** `count` vehicles, each driving round its own circle at its own speed; the same fleet for the same seed. */
export function createFleet(count, seed = 42) {
  let s = seed;
  const rng = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, (_, i) => ({
    name: count <= 40 ? (["City Truck", "Village Truck", "Huddersfield Truck", "Leeds Truck", "Derby Truck"][i] ?? `truck-${i + 1}`) : `truck-${i + 1}`,
    cx: centre.lat + (rng() - 0.5) * 0.08,
    cy: centre.lng + (rng() - 0.5) * 0.14,
    radius: 150 + rng() * 700,
    angle: rng() * Math.PI * 2,
    mph: 8 + rng() * 50,
    dir: rng() < 0.5 ? 1 : -1,
    silent: false,
    history: [],
    reports: [],
    last: null,
  }));
}

/** Drives `v` on for `seconds` and reports at `now` (epoch ms): its hub position becomes `v.last`. */
export function step(v, seconds, now) {
  const metres = v.mph * 0.44704 * seconds;
  v.angle += (v.dir * metres) / v.radius;
  const lat = v.cx + (Math.sin(v.angle) * v.radius) / mPerDegLat;
  const lng = v.cy + (Math.cos(v.angle) * v.radius) / mPerDegLng;
  const tangent = v.angle + (v.dir * Math.PI) / 2;
  const heading = ((Math.atan2(Math.cos(tangent), Math.sin(tangent)) * 180) / Math.PI + 360) % 360;
  const moved = v.history.length > 0;
  v.last = {
    name: v.name,
    lat: +lat.toFixed(6),
    lng: +lng.toFixed(6),
    time: new Date(now).toISOString(),
    speed: moved ? +v.mph.toFixed(2) : null,
    heading: moved ? +heading.toFixed(1) : null,
  };
  v.history.push({ lat: v.last.lat, lng: v.last.lng });
  if (v.history.length > historyKept) v.history.shift();
  v.reports.push(v.last);
  if (v.reports.length > reportsKept) v.reports.shift();
}

/** A hub position (`LivePosition`): what `snapshot` and `positions` carry. */
export const hubPosition = (v) => v.last;

/** A vehicle of `GET /api/vehicles/` (`VehiclePositionResponse`, the original Fleetman's shape). */
export const restVehicle = (v) => ({ name: v.name, lat: v.last.lat, longitude: v.last.lng, timestamp: v.last.time, speed: v.last.speed });

/** `GET /api/history/{name}`: `HistoryPointResponse[]`, oldest first. */
export const history = (v) => v.history;

const inWindow = (p, from, to) => {
  const t = Date.parse(p.time);
  return t >= from && t <= to;
};

/**
 * `GET /api/history?from&to&limit`: `FleetHistoryPointResponse[]`, every vehicle's reports in the window (epoch ms,
 * both included) in time order (then by name), the first `limit`.
 */
export function fleetHistory(vehicles, from, to, limit) {
  const all = vehicles.flatMap((v) => v.reports.filter((p) => inWindow(p, from, to)));
  all.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return all.slice(0, limit).map(({ name, lat, lng, time, speed, heading }) => ({ name, lat, lng, time, speed, heading }));
}

/** `GET /api/vehicles/{name}/history?from&to&limit`: `DetailedHistoryPointResponse[]`, oldest first, the last `limit`. */
export function vehicleHistory(v, from, to, limit) {
  return v.reports.filter((p) => inWindow(p, from, to)).slice(-limit).map(({ lat, lng, time, speed, heading }) => ({ lat, lng, time, speed, heading }));
}

/** The 400 problem (`HttpValidationProblemDetails`) for a history window that is not one, as the tracker words it. */
export const badWindow = (errors) => ({
  type: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
  title: "The history request has invalid parameters.",
  status: 400,
  errors,
});

/** The 404 problem (`ProblemDetails`) for a vehicle that never reported, as the api-gateway words it. */
export const unknownVehicle = (name) => ({
  type: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
  title: "Unknown vehicle",
  status: 404,
  detail: `No vehicle named '${name}' has reported a position.`,
});

/**
 * `GET /api/streets`: the offline street map as GeoJSON (coordinates `[longitude, latitude]`): a street grid round
 * the centre, and each vehicle's circle as a track.
 */
export function streets(vehicles) {
  const line = (kind, coordinates) => ({ type: "Feature", properties: { kind }, geometry: { type: "LineString", coordinates } });
  const features = [];
  const half = 0.05;
  for (let k = -10; k <= 10; k++) {
    const lat = +(centre.lat + (k * half) / 10).toFixed(6);
    const lng = +(centre.lng + (k * half * 1.6) / 10).toFixed(6);
    features.push(line("street", [[+(centre.lng - half * 1.6).toFixed(6), lat], [+(centre.lng + half * 1.6).toFixed(6), lat]]));
    features.push(line("street", [[lng, +(centre.lat - half).toFixed(6)], [lng, +(centre.lat + half).toFixed(6)]]));
  }
  for (const v of vehicles) {
    const ring = [];
    for (let a = 0; a <= 36; a++) {
      const angle = (a / 36) * Math.PI * 2;
      ring.push([+(v.cy + (Math.cos(angle) * v.radius) / mPerDegLng).toFixed(6), +(v.cx + (Math.sin(angle) * v.radius) / mPerDegLat).toFixed(6)]);
    }
    features.push(line("track", ring));
  }
  return { type: "FeatureCollection", features };
}
