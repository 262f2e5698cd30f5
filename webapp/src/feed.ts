import { fetchVehicles } from "./api";
import type { AppConfig } from "./config";
import type { FleetEvent } from "./events";
import { HubClient } from "./hub";
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

/**
 * Where positions come from: the hub (a snapshot on every connect, then batches), and `GET /api/vehicles/` when no
 * snapshot came within 3 s of connecting and every `restPollSeconds` while the hub is not live. Live batches also
 * tell the server's clock.
 */
export class PositionFeed {
  readonly hub: HubClient;
  private connection: ConnectionState = "connecting";
  private lastSnapshotAt = 0;
  private restFailures = 0;
  private restStatus: RetryStatus | null = null;

  constructor(
    private readonly config: AppConfig,
    clock: ServerClock,
    private readonly handlers: FeedHandlers,
  ) {
    this.hub = new HubClient(config.hubUrl, config.hubKeepAliveSeconds, {
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
    });
  }

  get connectionState(): ConnectionState {
    return this.connection;
  }

  start(): void {
    this.hub.start();
    void this.pollRest();
    if (this.config.restPollSeconds > 0) {
      setInterval(() => {
        if (this.connection !== "live") void this.pollRest();
      }, this.config.restPollSeconds * 1000);
    }
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
  private async pollRest(): Promise<void> {
    if (this.restStatus !== null && Date.now() < this.restStatus.retryAt) return;
    try {
      this.handlers.received(await fetchVehicles(this.config.apiBase), true);
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
