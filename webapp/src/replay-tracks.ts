import { defaultMotionPolicy, distanceMeters, interpolate, type MotionPolicy } from "./interpolate";
import type { LatLng, Position } from "./types";

interface Track {
  /** Reports in time order. */
  points: Position[];
  /** The report at or before the play head (-1: the head is before the first). */
  index: number;
  /** The report the marker was last drawn for (-2: never drawn, -1: hidden). */
  drawn: number;
}

/** Where to draw one vehicle at the play head: the position, and the report it comes from (or null: not drawn). */
export type ReplayDraw = (name: string, at: LatLng | null, report: Position | null) => void;

/**
 * Every replayed vehicle's reports, read ahead of the play head, and where each vehicle is at the head: between its
 * report before and its report after, as the live map moves a marker between reports (a gap longer than the motion
 * policy's `maxGapMs`, or a jump longer than its `maxJumpMeters`, holds the marker at the earlier report). What is
 * behind the head is dropped (`trimBefore`), all but each vehicle's report at the head, so memory stays bounded.
 */
export class ReplayTracks {
  private readonly tracks = new Map<string, Track>();
  private count = 0;

  constructor(private readonly policy: MotionPolicy = defaultMotionPolicy) {}

  /** Reports held. */
  get size(): number {
    return this.count;
  }

  get vehicles(): number {
    return this.tracks.size;
  }

  /** Adds reports read in time order; one no newer than a vehicle's last is a duplicate and dropped. */
  add(reports: Iterable<Position>): void {
    for (const p of reports) {
      let track = this.tracks.get(p.name);
      if (track === undefined) {
        track = { points: [], index: -1, drawn: -2 };
        this.tracks.set(p.name, track);
      }
      const last = track.points[track.points.length - 1];
      if (last !== undefined && p.time <= last.time) continue;
      track.points.push(p);
      this.count++;
    }
  }

  clear(): void {
    this.tracks.clear();
    this.count = 0;
  }

  /** The next frame draws every vehicle again (the selection or the view changed). */
  redrawAll(): void {
    for (const track of this.tracks.values()) track.drawn = -2;
  }

  /** Where `name` is at `head`, or null when it had not reported by then. */
  positionAt(name: string, head: number): LatLng | null {
    const track = this.tracks.get(name);
    if (track === undefined) return null;
    const i = this.indexAt(track, head);
    return i < 0 ? null : this.between(track.points, i, head);
  }

  /** The report `name` is drawn from at `head` (the last at or before it), or null. */
  reportAt(name: string, head: number): Position | null {
    const track = this.tracks.get(name);
    if (track === undefined) return null;
    const i = this.indexAt(track, head);
    return i < 0 ? null : track.points[i]!;
  }

  /**
   * One frame at `head`: each vehicle that `wanted` (in view, or selected) is placed between its reports; the others
   * only when the report they are at changes (they land on it, as live markers off-screen do), so a frame costs
   * little for vehicles nobody sees.
   */
  frame(head: number, wanted: (name: string, a: LatLng, b: LatLng) => boolean, draw: ReplayDraw): void {
    for (const [name, track] of this.tracks) {
      const i = this.indexAt(track, head);
      if (i < 0) {
        if (track.drawn !== -1) draw(name, null, null);
        track.drawn = -1;
        continue;
      }
      const report = track.points[i]!;
      const next = track.points[i + 1] ?? report;
      if (!wanted(name, report, next)) {
        if (track.drawn !== i) draw(name, { lat: report.lat, lng: report.lng }, report);
      } else {
        draw(name, this.between(track.points, i, head), report);
      }
      track.drawn = i;
    }
  }

  /** Drops every report before `time` but each vehicle's last one at or before it (where it is at `time`). */
  trimBefore(time: number): void {
    for (const track of this.tracks.values()) {
      const keep = this.lastAtOrBefore(track.points, time);
      if (keep <= 0) continue;
      track.points.splice(0, keep);
      this.count -= keep;
      track.index = Math.max(-1, track.index - keep);
      track.drawn = track.drawn >= 0 ? Math.max(0, track.drawn - keep) : track.drawn;
    }
  }

  /** The index of the report at or before `head`; moves on from the last one found (a playing head goes forward). */
  private indexAt(track: Track, head: number): number {
    const points = track.points;
    let i = track.index;
    if (i >= 0 && points[i]!.time > head) i = this.lastAtOrBefore(points, head);
    else while (i + 1 < points.length && points[i + 1]!.time <= head) i++;
    track.index = i;
    return i;
  }

  private lastAtOrBefore(points: readonly Position[], time: number): number {
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]!.time <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private between(points: readonly Position[], i: number, head: number): LatLng {
    const a = points[i]!;
    const b = points[i + 1];
    if (b === undefined || head <= a.time) return { lat: a.lat, lng: a.lng };
    const gap = b.time - a.time;
    if (gap > this.policy.maxGapMs || distanceMeters(a, b) > this.policy.maxJumpMeters) return { lat: a.lat, lng: a.lng };
    return interpolate(a, b, (head - a.time) / gap);
  }
}
