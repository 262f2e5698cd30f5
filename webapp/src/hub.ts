import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from "@microsoft/signalr";
import { FollowSync, retryDelay } from "./follow";
import { vehicleHubClientMethods, type VehicleHubClient } from "./generated/vehicle-hub";
import { parseHubPosition, parseList } from "./parse";
import type { ConnectionState, Position } from "./types";

/** One handler per method the hub calls (as parsed positions), and one for the connection's state. */
type PositionMethod = "snapshot" | "positions";

export type HubHandlers = { [M in PositionMethod & keyof VehicleHubClient]: (positions: Position[]) => void } & {
  state(state: ConnectionState, detail: { retryAt: number | null }): void;
};

const parseAll = (raw: unknown): Position[] => {
  const now = Date.now();
  return parseList(raw, (item) => parseHubPosition(item, now));
};

/**
 * The SignalR connection to `/hubs/vehicles`: automatic reconnect, then a retry loop with backoff once that
 * gives up (or when the first start fails), and the follow subscription for the selected vehicle.
 */
export class HubClient {
  private readonly connection: HubConnection;
  private readonly follow: FollowSync;
  private stateValue: ConnectionState = "connecting";
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    url: string,
    private readonly handlers: HubHandlers,
  ) {
    this.connection = new HubConnectionBuilder()
      .withUrl(url)
      .withAutomaticReconnect([0, 2000, 5000, 10000, 20000, 30000])
      .configureLogging(LogLevel.Warning)
      .build();
    this.follow = new FollowSync(
      (method, name) => this.connection.invoke(method, name),
      (error) => console.warn("fleetman: follow failed", error),
    );
    // What arrives is untrusted: parsed and checked, whatever the generated signatures say.
    for (const method of [vehicleHubClientMethods.snapshot, vehicleHubClientMethods.positions] as const) {
      this.connection.on(method, (raw: unknown) => handlers[method](parseAll(raw)));
    }
    this.connection.onreconnecting(() => {
      this.follow.disconnected();
      this.setState("reconnecting");
    });
    this.connection.onreconnected(() => {
      this.attempt = 0;
      this.setState("live");
      this.follow.connectedNow();
    });
    this.connection.onclose(() => {
      this.follow.disconnected();
      if (!this.stopped) this.scheduleRetry();
    });
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The vehicle the hub sends every point of, or null. */
  get following(): string | null {
    return this.follow.current;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Try now instead of waiting for the next retry (the network came back, or the user asked). */
  retryNow(): void {
    if (this.stopped || this.connection.state !== HubConnectionState.Disconnected) return;
    clearTimeout(this.retryTimer);
    void this.connect();
  }

  select(name: string | null): void {
    this.follow.select(name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.connection.stop();
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stateValue !== "offline") this.setState("connecting");
    else this.handlers.state("offline", { retryAt: null });
    try {
      await this.connection.start();
    } catch (error) {
      console.warn(`fleetman: hub connection failed: ${error instanceof Error ? error.message : String(error)}`);
      this.scheduleRetry();
      return;
    }
    this.attempt = 0;
    this.setState("live");
    this.follow.connectedNow();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = retryDelay(this.attempt++);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.stateValue = "offline";
    this.handlers.state("offline", { retryAt: Date.now() + delay });
  }

  private setState(state: ConnectionState): void {
    this.stateValue = state;
    this.handlers.state(state, { retryAt: null });
  }
}
