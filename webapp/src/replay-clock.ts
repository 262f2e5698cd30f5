/** A replay's time window, epoch milliseconds, both ends included. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** The speeds a replay plays at: replay milliseconds per wall-clock millisecond. */
export const replaySpeeds = [1, 2, 5, 10, 30, 60] as const;

/**
 * A replay's play head: where in the window it is, playing or paused, at a speed. Wall time comes from `wall`
 * (monotonic milliseconds), so the clock is pure and tests drive it. The head never runs past what is loaded (it
 * waits there, as a video waits for its buffer) nor past the window's end (where it pauses).
 */
export class ReplayClock {
  private anchorHead: number;
  private anchorWall: number;
  private playingNow = false;
  private speedNow = 1;

  constructor(
    readonly window: TimeWindow,
    private readonly wall: () => number,
  ) {
    this.anchorHead = window.from;
    this.anchorWall = wall();
  }

  get playing(): boolean {
    return this.playingNow;
  }

  get speed(): number {
    return this.speedNow;
  }

  /** Whether the head reached the window's end. */
  get ended(): boolean {
    return this.anchorHead >= this.window.to;
  }

  /**
   * The play head now, held at `loadedUntil` (everything up to it is loaded) and at the window's end, where the
   * clock pauses. A head already past `loadedUntil` (a seek ahead of the data) stays where it is.
   */
  head(loadedUntil = Number.POSITIVE_INFINITY): number {
    if (!this.playingNow) return this.anchorHead;
    const now = this.wall();
    const head = this.anchorHead + (now - this.anchorWall) * this.speedNow;
    const cap = Math.max(this.anchorHead, Math.min(loadedUntil, this.window.to));
    if (head < cap) return head;
    this.anchorHead = cap;
    this.anchorWall = now;
    if (cap >= this.window.to) this.playingNow = false;
    return cap;
  }

  /** Plays from the head (from the start again once it reached the end). */
  play(): void {
    if (this.ended) this.anchorHead = this.window.from;
    this.anchorWall = this.wall();
    this.playingNow = true;
  }

  pause(): void {
    this.anchorHead = this.head();
    this.anchorWall = this.wall();
    this.playingNow = false;
  }

  setSpeed(speed: number): void {
    this.anchorHead = this.head();
    this.anchorWall = this.wall();
    this.speedNow = speed;
  }

  /** Moves the head to `time`, kept within the window. */
  seek(time: number): void {
    this.anchorHead = Math.min(this.window.to, Math.max(this.window.from, time));
    this.anchorWall = this.wall();
  }
}

/** The window presets the replay control offers, in minutes back from now. */
export const replayPresets = [
  { label: "Last 15 min", minutes: 15 },
  { label: "Last 1 h", minutes: 60 },
  { label: "Last 6 h", minutes: 360 },
  { label: "Last 24 h", minutes: 1440 },
] as const;

/** The window of the last `minutes` up to `now`, in whole seconds (what the from and to inputs show). */
export function lastMinutes(minutes: number, now: number): TimeWindow {
  const to = Math.floor(now / 1000) * 1000;
  return { from: to - minutes * 60_000, to };
}

const two = (n: number): string => String(n).padStart(2, "0");

/** A time as a `datetime-local` input's value, `YYYY-MM-DDTHH:mm:ss` in the browser's time zone. */
export function toLocalInput(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A `datetime-local` input's value as epoch milliseconds; NaN when it is not one. */
export function fromLocalInput(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, Number.isNaN(s!) ? 0 : s!, Number.isNaN(ms!) ? 0 : ms!).getTime();
}

/** A window the user typed: a clear reason when it is not one, else null. */
export function windowProblem(window: TimeWindow, now: number): string | null {
  if (Number.isNaN(window.from) || Number.isNaN(window.to)) return "Enter a start and an end time.";
  if (window.from >= window.to) return "The start must be before the end.";
  if (window.from > now) return "The start is in the future: nothing is stored yet.";
  return null;
}
