import { describeFailure, failureDelay, HttpError, type RetryStatus } from "./retrying";
import type { Position } from "./types";

/** One history request: reports from `from` to `to` (epoch ms, both included), at most `limit`. */
export interface HistoryQuery {
  from: number;
  to: number;
  limit: number;
}

/** Answers a history query with reports in time order. */
export type HistoryFetch = (query: HistoryQuery) => Promise<Position[]>;

/** What one answer added: its new reports, and the time up to which every report is now read. */
export interface PageRead {
  reports: Position[];
  until: number;
}

/** How a history route is read page by page. */
export interface Pager {
  /** The next request, or null when the window is read. */
  next(): HistoryQuery | null;
  /** The answer to the last `next()`; null when it must be asked again (smaller). */
  accept(reports: Position[]): PageRead | null;
}

/**
 * The whole fleet's history (`GET /api/history`): the first `limit` reports from `from` on, in time order. Each
 * page starts at the last time the one before ended with (reports at that time may not all have fitted), and the
 * reports already read at that time are dropped.
 */
export class FleetPager implements Pager {
  private cursor: number;
  private atCursor = new Set<string>();
  private done = false;

  constructor(
    from: number,
    private readonly to: number,
    private readonly limit: number,
  ) {
    this.cursor = from;
  }

  next(): HistoryQuery | null {
    return this.done ? null : { from: this.cursor, to: this.to, limit: this.limit };
  }

  accept(reports: Position[]): PageRead {
    const sorted = [...reports].sort((a, b) => a.time - b.time);
    const fresh = sorted.filter((p) => p.time >= this.cursor && p.time <= this.to && !(p.time === this.cursor && this.atCursor.has(p.name)));
    const last = sorted[sorted.length - 1];
    if (reports.length < this.limit || last === undefined) {
      this.done = true;
      return { reports: fresh, until: this.to };
    }
    if (last.time === this.cursor && fresh.length === 0) {
      // More than a page of reports in one millisecond: the rest of that millisecond cannot be asked for.
      this.cursor = last.time + 1;
      this.atCursor = new Set();
      return { reports: [], until: last.time };
    }
    if (last.time !== this.cursor) this.atCursor = new Set();
    this.cursor = last.time;
    for (const p of sorted) if (p.time === last.time) this.atCursor.add(p.name);
    return { reports: fresh, until: last.time - 1 };
  }
}

/**
 * One vehicle's history (`GET /api/vehicles/{name}/history`), which answers the most recent `limit` reports of a
 * range: read in time slices, a slice that comes back full is asked again at half the length (to `minSliceMs`), and
 * slices grow again while they come back under a quarter full.
 */
export class VehiclePager implements Pager {
  private cursor: number;
  private sliceEnd = 0;

  constructor(
    from: number,
    private readonly to: number,
    private readonly limit: number,
    private sliceMs = 10 * 60_000,
    private readonly minSliceMs = 1000,
  ) {
    this.cursor = from;
  }

  next(): HistoryQuery | null {
    if (this.cursor > this.to) return null;
    this.sliceEnd = Math.min(this.to, this.cursor + this.sliceMs - 1);
    return { from: this.cursor, to: this.sliceEnd, limit: this.limit };
  }

  accept(reports: Position[]): PageRead | null {
    if (reports.length >= this.limit && this.sliceMs > this.minSliceMs && this.sliceEnd > this.cursor) {
      this.sliceMs = Math.max(this.minSliceMs, Math.floor(this.sliceMs / 2));
      return null;
    }
    if (reports.length < this.limit / 4) this.sliceMs *= 2;
    const until = this.sliceEnd;
    const from = this.cursor;
    this.cursor = until + 1;
    const inSlice = reports.filter((p) => p.time >= from && p.time <= until).sort((a, b) => a.time - b.time);
    return { reports: inSlice, until };
  }
}

/** Whether a failed request is worth trying again: no answer, too many requests, or the server failing. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof HttpError)) return true;
  return error.status === 429 || error.status === 408 || error.status >= 500;
}

export interface ReaderTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  /** Epoch milliseconds. */
  now(): number;
  random(): number;
}

const browserTimers: ReaderTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
  random: () => Math.random(),
};

/**
 * Reads a replay's history ahead of the play head, one request at a time, and only when asked (`want`): so it reads
 * no further ahead than the player wants and stops while the player holds enough. A failure that may pass (no answer,
 * 429, 5xx) is tried again with the page's backoff, never sooner than the server's Retry-After; one that will not (a
 * bad window, an unknown vehicle) stops the reading and says why.
 */
export class HistoryReader {
  private loaded: number;
  private busy = false;
  private retryTimer: unknown = undefined;
  private attempt = 0;
  private stopped = false;
  private retryStatus: RetryStatus | null = null;
  private failure: string | null = null;
  private done = false;

  constructor(
    private readonly pager: Pager,
    private readonly fetch: HistoryFetch,
    start: number,
    private readonly sink: (reports: Position[]) => void,
    private readonly changed: () => void,
    private readonly timers: ReaderTimers = browserTimers,
  ) {
    this.loaded = start - 1;
  }

  /** Every report at or before this time has been read. */
  get loadedUntil(): number {
    return this.loaded;
  }

  /** The whole window is read. */
  get complete(): boolean {
    return this.done;
  }

  /** Why reading waits to try again, and when; or null. */
  get status(): RetryStatus | null {
    return this.retryStatus;
  }

  /** Why reading stopped for good (a failure that trying again would not mend); or null. */
  get failed(): string | null {
    return this.failure;
  }

  get reading(): boolean {
    return this.busy;
  }

  /** Reads on if what is read does not reach `until` and there is `room` for more. */
  want(until: number, room: boolean): void {
    if (this.stopped || this.busy || this.done || this.failure !== null || this.retryTimer !== undefined) return;
    if (this.loaded >= until || !room) return;
    const query = this.pager.next();
    if (query === null) {
      this.done = true;
      return;
    }
    this.busy = true;
    this.fetch(query).then(
      (reports) => this.answered(reports),
      (error: unknown) => this.refused(error),
    );
  }

  /** Stops reading: answers still on the way are dropped. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private answered(reports: Position[]): void {
    if (this.stopped) return;
    this.busy = false;
    this.attempt = 0;
    this.retryStatus = null;
    const page = this.pager.accept(reports);
    if (page !== null) {
      this.sink(page.reports);
      this.loaded = Math.max(this.loaded, page.until);
      if (this.pager.next() === null) this.done = true;
    }
    this.changed();
  }

  private refused(error: unknown): void {
    if (this.stopped) return;
    this.busy = false;
    const problem = describeFailure(error);
    if (!isRetryable(error)) {
      this.failure = problem;
      this.changed();
      return;
    }
    const delay = failureDelay(this.attempt++, error, () => this.timers.random());
    this.retryStatus = { problem, retryAt: this.timers.now() + delay };
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.changed();
    }, delay);
    this.changed();
  }
}
