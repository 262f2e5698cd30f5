import { fetchVehicles } from "./api";
import type { AppConfig } from "./config";
import { HubClient } from "./hub";
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
  connectionChanged(state: ConnectionState, retryAt: number | null): void;
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
    if (state === "live") {
      // The server sends a snapshot on every connect; if none came, read the REST API instead.
      const liveAt = Date.now();
      setTimeout(() => {
        if (this.connection === "live" && this.lastSnapshotAt < liveAt - 2000) void this.pollRest();
      }, 3000);
    }
  }

  private async pollRest(): Promise<void> {
    try {
      this.handlers.received(await fetchVehicles(this.config.apiBase), true);
    } catch (error) {
      console.warn("fleetman: GET /api/vehicles/ failed", error);
    }
  }
}
