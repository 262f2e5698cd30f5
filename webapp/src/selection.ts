import { fetchHistory } from "./api";
import type { AnimationFocus } from "./animation";
import type { AppConfig } from "./config";
import type { MapView } from "./map";
import { describeFailure, failureDelay, type RetryStatus } from "./retrying";
import type { VehicleStore } from "./state";
import { Trail, type TrailChange } from "./trail";
import type { Position } from "./types";

export interface SelectOptions {
  /** Fly the map to it (default true). */
  fly?: boolean;
  /** Scroll the list to its row. */
  reveal?: boolean;
  /** How the page address records it: a new history entry (default), in place, or not at all (back/forward). */
  history?: "push" | "replace" | "none";
}

/** What the selection needs from the rest of the page. */
export interface SelectionHost {
  /** Ask the hub for every point of this vehicle (null: of none). */
  follow(name: string | null): void;
  /** The selection changed: list, labels, panel and animation catch up. */
  selectionChanged(name: string | null, options: SelectOptions): void;
  /** The Follow toggle changed. */
  followingChanged(): void;
  /** Loading the history failed and is being retried (`historyStatus`), or stopped failing. */
  historyChanged(): void;
}

/**
 * The selected vehicle: its highlighted marker, its history trail (`GET /api/history/{name}`, then every live point),
 * the hub's Follow of it, and the Follow toggle that keeps it centred.
 */
export class Selection implements AnimationFocus {
  private name: string | null = null;
  private followingFlag = false;
  private trail: Trail | null = null;
  private historyRetry: RetryStatus | null = null;
  private historyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: VehicleStore,
    private readonly map: MapView,
    private readonly config: AppConfig,
    private readonly host: SelectionHost,
  ) {}

  get selected(): string | null {
    return this.name;
  }

  get following(): boolean {
    return this.followingFlag;
  }

  /** Why the selected vehicle's history is not drawn yet and when it is tried again, or null. */
  get historyStatus(): RetryStatus | null {
    return this.historyRetry;
  }

  /** Selects a vehicle (or none): highlight, Follow on the hub, history trail, fly to it. */
  select(name: string | null, options: SelectOptions = {}): void {
    if (name !== null && this.store.get(name) === undefined) return;
    const previous = this.name;
    if (previous === name) return;
    this.name = name;
    if (previous !== null) this.map.setMarkerStyle(previous, false, this.store.get(previous)?.stale ?? false);
    this.host.follow(name);
    this.map.clearTrail();
    this.trail = null;
    clearTimeout(this.historyTimer);
    if (this.historyRetry !== null) {
      this.historyRetry = null;
      this.host.historyChanged();
    }
    if (name !== null) {
      const vehicle = this.store.get(name)!;
      this.map.setMarkerStyle(name, true, vehicle.stale);
      const trail = new Trail(name, this.config.maxTrailPoints);
      this.trail = trail;
      trail.addLive(vehicle.latest, vehicle.latest.time);
      this.loadHistory(trail, 0);
      if (options.fly !== false) this.map.flyTo(this.store.displayed(name, performance.now())!, this.config.selectZoom);
    }
    this.host.selectionChanged(name, options);
  }

  setFollowing(on: boolean): void {
    this.followingFlag = on;
    this.host.followingChanged();
  }

  /** Every report of the selected vehicle goes to its trail at once (the markers get batches). */
  addLive(positions: readonly Position[]): void {
    const trail = this.trail;
    if (trail === null) return;
    for (const p of positions) if (p.name === trail.name) this.draw(trail.addLive(p, p.time));
  }

  /** Loads the trail's history; a failure says so (`historyStatus`) and tries again with backoff while selected. */
  private loadHistory(trail: Trail, attempt: number): void {
    fetchHistory(this.config.apiBase, trail.name).then(
      (history) => {
        if (this.trail !== trail) return;
        this.draw(trail.loadHistory(history));
        if (this.historyRetry !== null) {
          this.historyRetry = null;
          this.host.historyChanged();
        }
      },
      (error: unknown) => {
        if (this.trail !== trail) return;
        const delay = failureDelay(attempt, error);
        const problem = describeFailure(error);
        if (attempt === 0) console.warn(`fleetman: history of ${trail.name} failed (${problem}); retrying with backoff`);
        this.historyRetry = { problem, retryAt: Date.now() + delay };
        this.host.historyChanged();
        this.historyTimer = setTimeout(() => {
          if (this.trail === trail) this.loadHistory(trail, attempt + 1);
        }, delay);
      },
    );
  }

  private draw(change: TrailChange): void {
    if (change.kind === "append") this.map.extendTrail(change.point);
    else if (change.kind === "reset") this.map.setTrail(change.points);
  }
}
