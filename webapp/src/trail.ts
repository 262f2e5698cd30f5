import type { LatLng } from "./types";

function same(a: LatLng | undefined, b: LatLng): boolean {
  return a !== undefined && a.lat === b.lat && a.lng === b.lng;
}

/** What the map has to do after a trail change. */
export type TrailChange = { kind: "none" } | { kind: "append"; point: LatLng } | { kind: "reset"; points: LatLng[] };

/**
 * The selected vehicle's history trail: the stored history (oldest first), extended with live points.
 * Live points that arrive before the history has loaded are held and added after it.
 */
export class Trail {
  private points: LatLng[] = [];
  private held: LatLng[] = [];
  private loadedFlag = false;
  private lastTime = Number.NEGATIVE_INFINITY;

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
    const points = history.slice();
    // The history may already hold some of the live points that came in while it was loading.
    const recent = points.slice(-(this.held.length + 5));
    for (const p of this.held) {
      if (!recent.some((r) => same(r, p)) && !same(points[points.length - 1], p)) points.push(p);
    }
    this.held = [];
    this.loadedFlag = true;
    this.points = this.trim(points);
    return { kind: "reset", points: this.points };
  }

  /** A live report for this vehicle at report time `time`; older or repeated reports are ignored. */
  addLive(point: LatLng, time: number): TrailChange {
    if (!(time > this.lastTime)) return { kind: "none" };
    this.lastTime = time;
    const p = { lat: point.lat, lng: point.lng };
    if (!this.loadedFlag) {
      if (!same(this.held[this.held.length - 1], p)) this.held.push(p);
      if (this.held.length > this.maxPoints) this.held.shift();
      return { kind: "none" };
    }
    if (same(this.points[this.points.length - 1], p)) return { kind: "none" };
    this.points.push(p);
    if (this.points.length > this.maxPoints) {
      this.points = this.trim(this.points);
      return { kind: "reset", points: this.points };
    }
    return { kind: "append", point: p };
  }

  /** Drops the oldest points, a tenth more than needed so trimming is rare. */
  private trim(points: LatLng[]): LatLng[] {
    if (points.length <= this.maxPoints) return points;
    const keep = Math.max(1, Math.floor(this.maxPoints * 0.9));
    return points.slice(points.length - keep);
  }
}
