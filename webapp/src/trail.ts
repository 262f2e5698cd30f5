import type { LatLng } from "./types";

function same(a: LatLng | undefined, b: LatLng): boolean {
  return a !== undefined && a.lat === b.lat && a.lng === b.lng;
}

/** What the map has to do after a trail change. */
export type TrailChange = { kind: "none" } | { kind: "append"; point: LatLng } | { kind: "reset"; points: LatLng[] };

/** A trail point and the report time it came with (history points have none: -Infinity). */
interface TimedPoint {
  point: LatLng;
  time: number;
}

/** Where `time` belongs in `entries` (sorted by time): after every earlier one; -1 when one has that time already. */
function insertionIndex(entries: readonly TimedPoint[], time: number): number {
  let i = entries.length;
  while (i > 0 && (entries[i - 1]?.time ?? Number.NEGATIVE_INFINITY) > time) i--;
  return i > 0 && entries[i - 1]?.time === time ? -1 : i;
}

/**
 * The selected vehicle's history trail: the stored history (oldest first), extended with live points.
 * Live points that arrive before the history has loaded are held and added after it. A live point that arrives
 * after a newer one (the hub passes such late points on to followers) is placed by its time, not at the end.
 */
export class Trail {
  private entries: TimedPoint[] = [];
  private points: LatLng[] = [];
  private held: TimedPoint[] = [];
  private loadedFlag = false;

  constructor(
    readonly name: string,
    private readonly maxPoints: number,
  ) {}

  get loaded(): boolean {
    return this.loadedFlag;
  }

  get length(): number {
    return this.points.length;
  }

  latLngs(): readonly LatLng[] {
    return this.points;
  }

  /** The history arrived (or failed: pass []). */
  loadHistory(history: readonly LatLng[]): TrailChange {
    const entries: TimedPoint[] = history.map((point) => ({ point, time: Number.NEGATIVE_INFINITY }));
    // The history may already hold some of the live points that came in while it was loading.
    const recent = history.slice(-(this.held.length + 5));
    for (const h of this.held) {
      if (!recent.some((r) => same(r, h.point)) && !same(entries[entries.length - 1]?.point, h.point)) entries.push(h);
    }
    this.held = [];
    this.loadedFlag = true;
    this.set(entries);
    return { kind: "reset", points: this.points };
  }

  /** A live report for this vehicle at report time `time`; repeated reports and ones that did not move are ignored. */
  addLive(point: LatLng, time: number): TrailChange {
    const p = { lat: point.lat, lng: point.lng };
    if (!this.loadedFlag) {
      const at = insertionIndex(this.held, time);
      if (at >= 0 && !same(this.held[at - 1]?.point, p)) this.held.splice(at, 0, { point: p, time });
      if (this.held.length > this.maxPoints) this.held.shift();
      return { kind: "none" };
    }
    const at = insertionIndex(this.entries, time);
    if (at < 0 || same(this.entries[at - 1]?.point, p) || same(this.entries[at]?.point, p)) return { kind: "none" };
    if (at < this.entries.length) {
      // A late point: the line changes in the middle, so it is drawn again.
      this.entries.splice(at, 0, { point: p, time });
      this.set(this.entries);
      return { kind: "reset", points: this.points };
    }
    this.entries.push({ point: p, time });
    this.points.push(p);
    if (this.entries.length > this.maxPoints) {
      this.set(this.entries);
      return { kind: "reset", points: this.points };
    }
    return { kind: "append", point: p };
  }

  private set(entries: TimedPoint[]): void {
    this.entries = this.trim(entries);
    this.points = this.entries.map((e) => e.point);
  }

  /** Drops the oldest points, a tenth more than needed so trimming is rare. */
  private trim(entries: TimedPoint[]): TimedPoint[] {
    if (entries.length <= this.maxPoints) return entries;
    const keep = Math.max(1, Math.floor(this.maxPoints * 0.9));
    return entries.slice(entries.length - keep);
  }
}
