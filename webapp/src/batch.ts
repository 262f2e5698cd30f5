import type { Position } from "./types";

/** Runs `flush` once, soon: at the next animation frame, or after `maxDelayMs` when frames are paused (a hidden tab). */
export type Scheduler = (flush: () => void) => void;

export function frameScheduler(maxDelayMs = 250): Scheduler {
  return (flush) => {
    let done = false;
    const run = (): void => {
      if (done) return;
      done = true;
      flush();
    };
    requestAnimationFrame(run);
    setTimeout(run, maxDelayMs);
  };
}

/**
 * Collects positions from the hub and hands them on in one batch per flush, newest report per vehicle only,
 * so a burst of messages costs one round of map and list work and memory stays bounded by the fleet size.
 */
export class PositionBatcher {
  private pending = new Map<string, Position>();
  private scheduled = false;

  constructor(
    private readonly schedule: Scheduler,
    private readonly onFlush: (positions: Position[]) => void,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  add(positions: Iterable<Position>): void {
    for (const p of positions) {
      const held = this.pending.get(p.name);
      if (held === undefined || p.time >= held.time) this.pending.set(p.name, p);
    }
    if (this.pending.size > 0 && !this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Hands on everything pending now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.onFlush(batch);
  }
}
