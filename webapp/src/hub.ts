import {
  HubConnectionBuilder,
  HubConnectionState,
  JsonHubProtocol,
  type HubConnection,
  type HubMessage,
  type IHubProtocol,
  type ILogger,
} from "@microsoft/signalr";
import { parseFleetEvents, type FleetEvent } from "./events";
import { FollowSync, retryDelay } from "./follow";
import { vehicleHubClientMethods } from "./generated/vehicle-hub";
import { HubLogger } from "./hub-log";
import { liveWindow, shownState } from "./liveness";
import { parseHubPosition, parseList, parseNames } from "./parse";
import type { ConnectionState, Position } from "./types";

/** What the hub's messages become (parsed), and the connection's shown state. */
export interface HubHandlers {
  snapshot(positions: Position[]): void;
  positions(positions: Position[]): void;
  /** Vehicles that left the fleet: gone from the map, the list and the counts. */
  vehiclesRemoved(names: string[]): void;
  /** New fleet events (each announced once). */
  fleetEvents?(events: FleetEvent[]): void;
  state(state: ConnectionState, detail: { retryAt: number | null }): void;
}

const parseAll = (raw: unknown): Position[] => {
  const now = Date.now();
  return parseList(raw, (item) => parseHubPosition(item, now));
};

/**
 * The JSON hub protocol, telling when anything (a frame or the server's keep-alive ping) arrived: the connection is
 * live only while something does. Every message from the server passes through `parseMessages`.
 */
class HeardProtocol implements IHubProtocol {
  private readonly inner = new JsonHubProtocol();
  readonly name = this.inner.name;
  readonly version = this.inner.version;
  readonly transferFormat = this.inner.transferFormat;

  constructor(private readonly heard: () => void) {}

  parseMessages(input: string | ArrayBuffer, logger: ILogger): HubMessage[] {
    this.heard();
    return this.inner.parseMessages(input as string, logger);
  }

  writeMessage(message: HubMessage): string | ArrayBuffer {
    return this.inner.writeMessage(message);
  }
}

/**
 * The SignalR connection to `/hubs/vehicles`: automatic reconnect, then a retry loop with backoff once that
 * gives up (or when the first start fails), and the follow subscription for the selected vehicle. The state it
 * shows is the truth (`liveness.ts`): offline while the browser has no network, reconnecting once nothing arrived
 * within the server's keep-alive; a connection that went silent is started again, as is one that lived through
 * the browser being offline (what it missed comes back with the new connection's snapshot).
 */
export class HubClient {
  private readonly connection: HubConnection;
  private readonly follow: FollowSync;
  private readonly windowMs: number;
  private transport: ConnectionState = "connecting";
  private shown: ConnectionState = "connecting";
  private retryAt: number | null = null;
  private lastHeard = performance.now();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private restartPending = false;

  constructor(
    url: string,
    keepAliveSeconds: number,
    private readonly handlers: HubHandlers,
  ) {
    this.windowMs = liveWindow(keepAliveSeconds);
    this.connection = new HubConnectionBuilder()
      .withUrl(url)
      .withHubProtocol(new HeardProtocol(() => this.heard()))
      .withAutomaticReconnect([0, 2000, 5000, 10000, 20000, 30000])
      .configureLogging(new HubLogger())
      .build();
    this.follow = new FollowSync(
      (method, name) => this.connection.invoke(method, name),
      (error) => console.warn("fleetman: follow failed", error),
    );
    // What arrives is untrusted: parsed and checked, whatever the generated signatures say.
    this.connection.on(vehicleHubClientMethods.snapshot, (raw: unknown) => handlers.snapshot(parseAll(raw)));
    this.connection.on(vehicleHubClientMethods.positions, (raw: unknown) => handlers.positions(parseAll(raw)));
    this.connection.on(vehicleHubClientMethods.vehiclesRemoved, (raw: unknown) => handlers.vehiclesRemoved(parseNames(raw)));
    this.connection.on(vehicleHubClientMethods.fleetEvents, (raw: unknown) => handlers.fleetEvents?.(parseFleetEvents(raw)));
    this.connection.onreconnecting(() => {
      this.follow.disconnected();
      this.setTransport("reconnecting");
    });
    this.connection.onreconnected(() => {
      this.attempt = 0;
      this.heard();
      this.setTransport("live");
      this.follow.connectedNow();
    });
    this.connection.onclose(() => {
      this.follow.disconnected();
      if (this.restartPending) {
        this.restartPending = false;
        void this.connect();
      } else if (!this.stopped) {
        this.scheduleRetry();
      }
    });
  }

  get state(): ConnectionState {
    return this.shown;
  }

  /** The vehicle the hub sends every point of, or null. */
  get following(): string | null {
    return this.follow.current;
  }

  start(): void {
    this.stopped = false;
    window.addEventListener("offline", () => this.check());
    window.addEventListener("online", () => {
      this.check();
      this.restart();
    });
    setInterval(() => this.check(), 500);
    void this.connect();
  }

  /** Try now instead of waiting for the next retry (the user asked). */
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

  /** A new connection now, whatever state this one is in (except one already starting). */
  private restart(): void {
    if (this.stopped) return;
    switch (this.connection.state) {
      case HubConnectionState.Disconnected:
        this.retryNow();
        return;
      case HubConnectionState.Connected:
      case HubConnectionState.Reconnecting:
        this.restartPending = true;
        void this.connection.stop();
        return;
      default:
        // Starting or stopping already: a new connection follows either way.
        return;
    }
  }

  private heard(): void {
    this.lastHeard = performance.now();
    if (this.shown !== this.transport) this.check();
  }

  /** Shows the state the facts give; a connection silent for longer than the keep-alive is started again. */
  private check(announce = false): void {
    const silentFor = performance.now() - this.lastHeard;
    const shown = shownState({ transport: this.transport, online: navigator.onLine, silentFor, windowMs: this.windowMs });
    if (shown !== this.shown || announce) {
      this.shown = shown;
      this.handlers.state(shown, { retryAt: shown === "offline" && navigator.onLine ? this.retryAt : null });
    }
    if (navigator.onLine && this.transport === "live" && silentFor > this.windowMs && !this.restartPending) this.restart();
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    this.setTransport(this.transport === "offline" ? "offline" : "connecting");
    try {
      await this.connection.start();
    } catch (error) {
      if (navigator.onLine) console.warn(`fleetman: hub connection failed: ${error instanceof Error ? error.message : String(error)}`);
      this.scheduleRetry();
      return;
    }
    this.attempt = 0;
    this.heard();
    this.setTransport("live");
    this.follow.connectedNow();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = retryDelay(this.attempt++);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.setTransport("offline", Date.now() + delay);
  }

  private setTransport(state: ConnectionState, retryAt: number | null = null): void {
    this.transport = state;
    this.retryAt = retryAt;
    // A new retry time is news even when the shown state stays the same.
    this.check(true);
  }
}
