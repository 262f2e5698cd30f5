import { isDone, positionAt } from "./interpolate";
import type { MapView } from "./map";
import type { VehicleStore } from "./state";

/** What the animation needs to know about the selection, read each frame. */
export interface AnimationFocus {
  /** The selected vehicle, always moved (even off-screen), or null. */
  readonly selected: string | null;
  /** Whether the map keeps the selected vehicle centred. */
  readonly following: boolean;
}

/**
 * Moves the markers between reports, one `requestAnimationFrame` at a time, and keeps the followed vehicle centred.
 * Frames are requested only while something moves.
 */
export class MarkerAnimation {
  private readonly moving = new Set<string>();
  private frame = 0;
  private pausedNow = false;

  constructor(
    private readonly store: VehicleStore,
    private readonly map: MapView,
    private readonly focus: AnimationFocus,
  ) {}

  /** A vehicle's move started (it is drawn between reports until the move ends). */
  started(name: string): void {
    this.moving.add(name);
  }

  /** A vehicle jumped: it no longer moves between reports. */
  stopped(name: string): void {
    this.moving.delete(name);
  }

  /** While paused (a replay is shown) no marker moves and the map is not kept on the followed vehicle. */
  set paused(paused: boolean) {
    this.pausedNow = paused;
    if (paused) this.moving.clear();
  }

  request(): void {
    if (this.frame === 0 && !this.pausedNow) this.frame = requestAnimationFrame(() => this.animate());
  }

  /** One animation frame: move every marker that is between two reports; keep the followed vehicle centred. */
  private animate(): void {
    this.frame = 0;
    if (this.pausedNow) return;
    const now = performance.now();
    const selected = this.focus.selected;
    if (this.moving.size > 0) {
      const view = this.map.paddedBounds(0.3);
      for (const name of this.moving) {
        const vehicle = this.store.get(name);
        if (vehicle === undefined) {
          this.moving.delete(name);
          continue;
        }
        const { motion } = vehicle;
        if (isDone(motion, now)) {
          this.map.moveMarker(name, motion.to);
          this.moving.delete(name);
          continue;
        }
        // Off-screen markers skip the in-between frames and land when their move ends.
        const at = positionAt(motion, now);
        if (view.contains(at) || view.contains(motion.to) || name === selected) this.map.moveMarker(name, at);
      }
    }
    const following = this.focus.following && selected !== null;
    if (following) {
      const at = this.store.displayed(selected, now);
      if (at !== undefined) this.map.centreOn(at);
    }
    if (this.moving.size > 0 || following) this.request();
  }
}
