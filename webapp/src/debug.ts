import type { AppConfig } from "./config";
import type { MapView } from "./map";
import type { ReplayState } from "./replay";
import type { SelectOptions } from "./selection";
import type { VehicleStore } from "./state";
import type { ConnectionState } from "./types";

/** What the debug object reads: the page's App (main.ts hands it over; this module imports nothing of it). */
export interface DebugSource {
  readonly ready: boolean;
  readonly store: VehicleStore;
  readonly map: MapView;
  readonly hub: { readonly following: string | null };
  readonly selected: string | null;
  readonly following: boolean;
  readonly connectionState: ConnectionState;
  readonly config: AppConfig;
  /** Null until the replay's chunk has loaded (after the first paint). */
  readonly replay: {
    readonly state: ReplayState | null;
    positionOf(name: string): { lat: number; lng: number } | null;
    seek(time: number): void;
  } | null;
  select(name: string | null, options?: SelectOptions): void;
  setFollowing(on: boolean): void;
  labelledNames(): string[];
  renderedRowNames(): string[];
}

/** `window.fleetman`: a small read (and select) API for browser tests, since canvas markers have no elements. */
export interface FleetmanDebug {
  /** True once the page has started (config loaded, map up, hub connecting). */
  ready(): boolean;
  vehicleCount(): number;
  /** Markers on the map (shown or hidden by the filter). */
  markerCount(): number;
  vehicleNames(): string[];
  /** Newest report of a vehicle, or null. `time` is ISO-8601. */
  positionOf(name: string): { lat: number; lng: number; time: string; speed: number | null; heading: number | null; stale: boolean } | null;
  /** Where its marker is drawn now (between reports while it moves), or null. */
  displayedPositionOf(name: string): { lat: number; lng: number } | null;
  /** Page coordinates of its marker, to click it with a mouse. */
  screenPointOf(name: string): { x: number; y: number } | null;
  selected(): string | null;
  select(name: string | null): void;
  following(): boolean;
  setFollowing(on: boolean): void;
  /** The vehicle the hub was asked to Follow on the current connection, or null. */
  hubFollowing(): string | null;
  connectionState(): ConnectionState;
  isStale(name: string): boolean;
  trailLength(): number;
  labelledNames(): string[];
  /** What the map is drawn on: "probing" (trying the tiles), "tiles", "streets" (the offline street map) or "none". */
  basemap(): string;
  /** Lines of the offline street map drawn. */
  streetLines(): number;
  /** The map's attribution text. */
  attribution(): string;
  /** The vehicle whose card (hover or click) is open over its marker, or null. */
  cardOf(): string | null;
  /** Names of the list rows in the DOM (the list renders only the rows in view). */
  renderedRowNames(): string[];
  mapView(): { lat: number; lng: number; zoom: number };
  config(): AppConfig;
  /** The replay shown (window, play head, speed, what is loaded, what holds it up; times ISO-8601), or null when live. */
  replay(): ReplayState | null;
  /** Where a vehicle's replay marker is drawn, or null. */
  replayPositionOf(name: string): { lat: number; lng: number } | null;
  /** Moves the replay's play head to an ISO-8601 time, as the scrubber does. */
  replaySeek(time: string): void;
}

declare global {
  interface Window {
    fleetman?: FleetmanDebug;
    FLEETMAN_CONFIG?: unknown;
  }
}

export function exposeDebug(app: DebugSource): void {
  const debug: FleetmanDebug = {
    ready: () => app.ready,
    vehicleCount: () => app.store.size,
    markerCount: () => app.map.markerCount,
    vehicleNames: () => [...app.store.all()].map((v) => v.name).sort(),
    positionOf: (name) => {
      const v = app.store.get(name);
      if (v === undefined) return null;
      const p = v.latest;
      return { lat: p.lat, lng: p.lng, time: new Date(p.time).toISOString(), speed: p.speed, heading: p.heading, stale: v.stale };
    },
    displayedPositionOf: (name) => app.map.markerPosition(name) ?? null,
    screenPointOf: (name) => app.map.pagePointOf(name),
    selected: () => app.selected,
    select: (name) => app.select(name, { fly: true, reveal: true }),
    following: () => app.following,
    setFollowing: (on) => app.setFollowing(on),
    hubFollowing: () => app.hub.following,
    connectionState: () => app.connectionState,
    isStale: (name) => app.store.get(name)?.stale ?? false,
    trailLength: () => app.map.trailLength,
    labelledNames: () => app.labelledNames(),
    renderedRowNames: () => app.renderedRowNames(),
    cardOf: () => app.map.cardOf,
    basemap: () => app.map.basemap.kind,
    streetLines: () => app.map.basemap.streetLines,
    attribution: () => app.map.map.attributionControl.getContainer()?.textContent ?? "",
    mapView: () => {
      const c = app.map.map.getCenter();
      return { lat: c.lat, lng: c.lng, zoom: app.map.map.getZoom() };
    },
    config: () => app.config,
    replay: () => app.replay?.state ?? null,
    replayPositionOf: (name) => app.replay?.positionOf(name) ?? null,
    replaySeek: (time) => app.replay?.seek(Date.parse(time)),
  };
  window.fleetman = debug;
}
