import { fetchVehicles } from "./api";
import { frameScheduler } from "./batch";
import type { AppConfig } from "./config";
import type { FleetEvent } from "./events";
import { retryDelay } from "./follow";
import type { HubClient, HubHandlers } from "./hub";
import { describeFailure, failureDelay, type RetryStatus } from "./retrying";
import type { ServerClock } from "./state";
import type { ConnectionState, Position } from "./types";

export interface FeedHandlers {
  /**
   * Reports, from the hub or from REST, in any order; newest-wins is the store's job. `complete` when they are the
   * whole fleet (a snapshot or the REST list): a vehicle not among them has left it.
   */
  received(positions: Position[], complete: boolean): void;
  /** Vehicles that left the fleet. */
  removed(names: string[]): void;
  /** New fleet events from the hub. */
  events?(events: FleetEvent[]): void;
  connectionChanged(state: ConnectionState, retryAt: number | null): void;
  /** Reading the REST list failed and is being retried (or, null, it stopped failing). */
  restStatus(status: RetryStatus | null): void;
}

/** What the page asks of the hub, whether its client has loaded yet or not. */
export interface HubControl {
  /** The vehicle the hub sends every point of, or null. */
  readonly following: string | null;
  /** The vehicle to Follow (kept until the client has loaded and connected). */
  select(name: string | null): void;
  /** Try now instead of waiting for the next retry (the user asked). */
  retryNow(): void;
}

/** The longest the hub waits for the first REST answer before its client is loaded anyway (a slow or failing list). */
const hubAfterRestAtMostMs = 2000;

/**
 * Where positions come from: `GET /api/vehicles/` first (the first paint needs nothing else), then the hub (a
 * snapshot on every connect, then batches); the REST list again when no snapshot came within 3 s of connecting and
 * every `restPollSeconds` while the hub is not live. Live batches also tell the server's clock.
 *
 * The SignalR client is a chunk of its own (`import("./hub")`), loaded once the first REST answer has been handed on
 * and drawn: the page's first script is smaller by the client, and the first fleet is parsed once, not twice (the
 * hub's snapshot that follows only moves what moved since; the store ignores reports no newer than its own).
 */
export class PositionFeed implements HubControl {
  private client: HubClient | null = null;
  private loading = false;
  private loadFailures = 0;
  private loadTimer: ReturnType<typeof setTimeout> | undefined;
  private wanted: string | null = null;
  private connection: ConnectionState = "connecting";
  private lastSnapshotAt = 0;
  private restFailures = 0;
  private restStatus: RetryStatus | null = null;
  private readonly hubHandlers: HubHandlers;
  /** The first REST list, asked for when the feed is made (before the map is), handed on from `start`. */
  private firstList: Promise<Position[]> | null;

  constructor(
    private readonly config: AppConfig,
    clock: ServerClock,
    private readonly handlers: FeedHandlers,
  ) {
    this.hubHandlers = {
      snapshot: (positions) => {
        this.lastSnapshotAt = Date.now();
        handlers.received(positions, true);
      },
      positions: (positions) => {
        let newest = Number.NEGATIVE_INFINITY;
        for (const p of positions) if (p.time > newest) newest = p.time;
        clock.observe(Date.now(), newest);
        handlers.received(positions, false);
      },
      vehiclesRemoved: (names) => handlers.removed(names),
      fleetEvents: (events) => handlers.events?.(events),
      state: (state, detail) => this.connectionChanged(state, detail.retryAt),
    };
    this.firstList = fetchVehicles(config.apiBase);
    // Its failure is handled in start (pollRest); this only keeps it from counting as unhandled before then.
    this.firstList.catch(() => {});
  }

  get connectionState(): ConnectionState {
    return this.connection;
  }

  get following(): string | null {
    return this.client?.following ?? null;
  }

  select(name: string | null): void {
    this.wanted = name;
    this.client?.select(name);
  }

  retryNow(): void {
    if (this.client !== null) {
      this.client.retryNow();
    } else if (!this.loading) {
      clearTimeout(this.loadTimer);
      void this.loadHub();
    }
  }

  start(): void {
    const firstList = this.pollRest(this.firstList ?? undefined);
    this.firstList = null;
    // Two frames after the first list: the batch applies it at the next frame and the markers are drawn at the one
    // after (`animation.ts`), so the client's script and the hub's first messages do not compete with the first
    // paint; at the latest hubAfterRestAtMostMs after start, when the list is slow or fails.
    const afterFirstList = Promise.race([firstList, new Promise<void>((done) => setTimeout(done, hubAfterRestAtMostMs))]);
    const nextFrame = frameScheduler();
    void afterFirstList.then(() => nextFrame(() => nextFrame(() => setTimeout(() => void this.loadHub(), 0))));
    if (this.config.restPollSeconds > 0) {
      setInterval(() => {
        if (this.connection !== "live") void this.pollRest();
      }, this.config.restPollSeconds * 1000);
    }
  }

  /** Loads the SignalR client's chunk and connects; a failed load (offline, a new release) is retried with backoff. */
  private async loadHub(): Promise<void> {
    if (this.client !== null || this.loading) return;
    this.loading = true;
    this.loadTimer = undefined;
    try {
      const { HubClient } = await import("./hub");
      this.client = new HubClient(this.config.hubUrl, this.config.hubKeepAliveSeconds, this.hubHandlers);
    } catch (error) {
      console.warn(`fleetman: the hub client did not load: ${error instanceof Error ? error.message : String(error)}`);
      const delay = retryDelay(this.loadFailures++);
      this.loadTimer = setTimeout(() => void this.loadHub(), delay);
      this.connectionChanged("offline", Date.now() + delay);
      return;
    } finally {
      this.loading = false;
    }
    this.client.select(this.wanted);
    this.client.start();
  }

  private connectionChanged(state: ConnectionState, retryAt: number | null): void {
    this.connection = state;
    this.handlers.connectionChanged(state, retryAt);
    if (state === "live" && this.restStatus !== null) {
      // Live again: the REST list is not needed, nor is its failure news.
      this.restFailures = 0;
      this.restStatus = null;
      this.handlers.restStatus(null);
    }
    if (state === "live") {
      // The server sends a snapshot on every connect; if none came, read the REST API instead.
      const liveAt = Date.now();
      setTimeout(() => {
        if (this.connection === "live" && this.lastSnapshotAt < liveAt - 2000) void this.pollRest();
      }, 3000);
    }
  }

  /** Reads the REST list, unless a failure's backoff says wait; failures say so (`restStatus`) and back off. */
  private async pollRest(asked?: Promise<Position[]>): Promise<void> {
    if (this.restStatus !== null && Date.now() < this.restStatus.retryAt) return;
    try {
      this.handlers.received(await (asked ?? fetchVehicles(this.config.apiBase)), true);
      this.restFailures = 0;
      if (this.restStatus !== null) {
        this.restStatus = null;
        this.handlers.restStatus(null);
      }
    } catch (error) {
      const problem = describeFailure(error);
      if (this.restFailures === 0) console.warn(`fleetman: GET /api/vehicles/ failed (${problem}); retrying with backoff`);
      this.restStatus = { problem, retryAt: Date.now() + failureDelay(this.restFailures++, error) };
      this.handlers.restStatus(this.restStatus);
    }
  }
}
