import { defaultMotionPolicy, motionDuration, nextInterval, positionAt, type Motion, type MotionPolicy } from "./interpolate";
import type { LatLng, Position, SortKey, SortOrder } from "./types";

/** What the page knows about one vehicle. */
export interface Vehicle {
  name: string;
  /** The newest report (by report time). */
  latest: Position;
  /** Where its marker moves from and to. */
  motion: Motion;
  /** Monotonic time the newest report arrived. */
  arrivedAt: number;
  /** Smoothed interval between its reports, monotonic ms; undefined until two close reports. */
  interval: number | undefined;
  /** Not heard from for the stale time (offline vehicles are stale too). */
  stale: boolean;
  /** Not heard from for the offline time. */
  offline: boolean;
}

/** What the fleet filter counts: each vehicle is in exactly one. */
export type Freshness = "moving" | "stopped" | "stale" | "offline";

/** Below this a vehicle counts as stopped (GPS jitter reads as a walking pace). */
export const movingMph = 1;

export function freshnessOf(vehicle: Pick<Vehicle, "latest" | "stale" | "offline">): Freshness {
  if (vehicle.offline) return "offline";
  if (vehicle.stale) return "stale";
  const speed = vehicle.latest.speed;
  return speed !== null && speed >= movingMph ? "moving" : "stopped";
}

export type FreshnessCounts = Record<Freshness, number>;

export function countByFreshness(vehicles: Iterable<Vehicle>): FreshnessCounts {
  const counts: FreshnessCounts = { moving: 0, stopped: 0, stale: 0, offline: 0 };
  for (const vehicle of vehicles) counts[freshnessOf(vehicle)]++;
  return counts;
}

/** Vehicles by name. Newest report wins: a report no newer than the one held is ignored. */
export class VehicleStore {
  private readonly vehicles = new Map<string, Vehicle>();

  constructor(private readonly policy: MotionPolicy = defaultMotionPolicy) {}

  get size(): number {
    return this.vehicles.size;
  }

  get(name: string): Vehicle | undefined {
    return this.vehicles.get(name);
  }

  all(): IterableIterator<Vehicle> {
    return this.vehicles.values();
  }

  /**
   * Applies a report that arrived at monotonic time `now`. Returns the vehicle when the report was
   * newer than what was held (its marker should move), or null when it was ignored.
   */
  apply(position: Position, now: number): Vehicle | null {
    const existing = this.vehicles.get(position.name);
    const to: LatLng = { lat: position.lat, lng: position.lng };
    if (existing === undefined) {
      const vehicle: Vehicle = {
        name: position.name,
        latest: position,
        motion: { from: to, to, start: now, duration: 0 },
        arrivedAt: now,
        interval: undefined,
        stale: false,
        offline: false,
      };
      this.vehicles.set(position.name, vehicle);
      return vehicle;
    }
    if (!(position.time > existing.latest.time)) return null;
    const from = positionAt(existing.motion, now);
    existing.interval = nextInterval(existing.interval, now - existing.arrivedAt, this.policy);
    existing.motion = { from, to, start: now, duration: motionDuration(existing.interval, from, to, this.policy) };
    existing.latest = position;
    existing.arrivedAt = now;
    existing.stale = false;
    existing.offline = false;
    return existing;
  }

  /** Forgets a vehicle (it left the fleet); false when it was not known. */
  remove(name: string): boolean {
    return this.vehicles.delete(name);
  }

  /** The names of the vehicles not in `names` (the whole fleet as the server knows it): they have left it. */
  missingFrom(names: ReadonlySet<string>): string[] {
    const gone: string[] = [];
    for (const name of this.vehicles.keys()) if (!names.has(name)) gone.push(name);
    return gone;
  }

  /** Where the vehicle's marker is at monotonic time `now`. */
  displayed(name: string, now: number): LatLng | undefined {
    const vehicle = this.vehicles.get(name);
    return vehicle === undefined ? undefined : positionAt(vehicle.motion, now);
  }

  /**
   * Marks each vehicle stale when its newest report is older than `staleMs` at server time `serverNow`, and offline
   * when older than `offlineMs`: each from its own last report. Returns the vehicles whose staleness changed.
   */
  updateStaleness(serverNow: number, staleMs: number, offlineMs = Number.POSITIVE_INFINITY): Vehicle[] {
    const changed: Vehicle[] = [];
    for (const vehicle of this.vehicles.values()) {
      const stale = isStale(vehicle.latest, serverNow, staleMs);
      const offline = isStale(vehicle.latest, serverNow, offlineMs);
      if (stale !== vehicle.stale || offline !== vehicle.offline) {
        vehicle.stale = stale;
        vehicle.offline = offline;
        changed.push(vehicle);
      }
    }
    return changed;
  }
}

export function isStale(position: Position, serverNow: number, staleMs: number): boolean {
  return serverNow - position.time > staleMs;
}

/**
 * Estimates the server's clock from live reports, so that staleness and "last seen" do not depend on the
 * browser's clock being right. The offset is the smallest (arrival - report time) over the last `window`
 * live batches: network and pipeline delay only ever add to it.
 */
export class ServerClock {
  private readonly samples: number[] = [];
  private offsetMs = 0;

  constructor(private readonly window = 30) {}

  /** A live batch arrived at client time `clientNow`, its newest report stamped `newestTime`. */
  observe(clientNow: number, newestTime: number): void {
    if (!Number.isFinite(newestTime)) return;
    this.samples.push(clientNow - newestTime);
    if (this.samples.length > this.window) this.samples.shift();
    this.offsetMs = Math.min(...this.samples);
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Server time now, given the client's `Date.now()`. */
  now(clientNow: number): number {
    return clientNow - this.offsetMs;
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Comparator for `order`; unknown speeds sort last either way, ties go by name. */
export function vehicleComparator(order: SortOrder): (a: Vehicle, b: Vehicle) => number {
  const sign = order.direction === "asc" ? 1 : -1;
  switch (order.key) {
    case "name":
      return (a, b) => sign * compareNames(a.name, b.name);
    case "lastSeen":
      return (a, b) => sign * (a.latest.time - b.latest.time) || compareNames(a.name, b.name);
    case "speed":
      return (a, b) => {
        const sa = a.latest.speed;
        const sb = b.latest.speed;
        if (sa === null || sb === null) {
          if (sa !== sb) return sa === null ? 1 : -1;
          return compareNames(a.name, b.name);
        }
        return sign * (sa - sb) || compareNames(a.name, b.name);
      };
  }
}

/** What the map and the list show: the search, and whether stale and offline vehicles are shown. */
export interface VehicleFilter {
  query: string;
  showStale: boolean;
}

/** Whether a vehicle passes the filter (`matchesQuery` for a query already trimmed and lower-cased). */
export function isShown(vehicle: Pick<Vehicle, "name" | "stale">, query: string, showStale: boolean): boolean {
  return (showStale || !vehicle.stale) && (query === "" || vehicle.name.toLocaleLowerCase().includes(query));
}

/** A query as `isShown` takes it. */
export const normalQuery = (query: string): string => query.trim().toLocaleLowerCase();

/** The filtered, sorted rows of the vehicle list. */
export function listRows(vehicles: Iterable<Vehicle>, filter: VehicleFilter, order: SortOrder): Vehicle[] {
  const q = normalQuery(filter.query);
  const out: Vehicle[] = [];
  for (const vehicle of vehicles) if (isShown(vehicle, q, filter.showStale)) out.push(vehicle);
  return out.sort(vehicleComparator(order));
}

const defaultDirections: Record<SortKey, SortOrder["direction"]> = { name: "asc", lastSeen: "desc", speed: "desc" };

/** Clicking a column header: the same column flips direction, another starts at its natural direction. */
export function nextSortOrder(current: SortOrder, clicked: SortKey): SortOrder {
  if (current.key === clicked) return { key: clicked, direction: current.direction === "asc" ? "desc" : "asc" };
  return { key: clicked, direction: defaultDirections[clicked] };
}

/**
 * `rows` in the order `previous` had them (names), those new to it after, in their own order: the list keeps its
 * order while the user points at it or moves through it, and only the values in the rows change.
 */
export function keepOrder(previous: readonly string[], rows: readonly Vehicle[]): Vehicle[] {
  const at = new Map<string, number>();
  previous.forEach((name, i) => at.set(name, i));
  const kept: Vehicle[] = [];
  const added: Vehicle[] = [];
  for (const row of rows) (at.has(row.name) ? kept : added).push(row);
  kept.sort((a, b) => at.get(a.name)! - at.get(b.name)!);
  return kept.concat(added);
}
