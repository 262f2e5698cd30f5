import { frameScheduler, type Scheduler } from "./batch";

/**
 * The moment the first vehicles are on screen: what the first paint does not need (the offline street map, the
 * replay's control, the recent fleet events) waits for it, so it does not compete with their list's parse and their
 * markers for the main thread. `done` resolves two frames after `drawn()` (the batch applies the list at the next
 * frame and the markers are drawn at the one after), or `atMostMs` after the page started when no vehicle comes (an
 * empty fleet, a failing list).
 */
export class FirstPaint {
  readonly done: Promise<void>;
  private resolve: () => void = () => {};

  constructor(
    atMostMs = 2000,
    private readonly nextFrame: Scheduler = frameScheduler(),
  ) {
    this.done = new Promise<void>((resolve) => {
      this.resolve = resolve;
      setTimeout(resolve, atMostMs);
    });
  }

  /** The first vehicles were handed to the map. */
  drawn(): void {
    this.nextFrame(() => this.nextFrame(() => this.resolve()));
  }
}
