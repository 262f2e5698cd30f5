import { vehicleHubServerMethods, type VehicleHubServer } from "./generated/vehicle-hub";

/** Invokes one of the hub methods that (un)subscribe to every point of one vehicle. */
export type FollowInvoker = (method: keyof Pick<VehicleHubServer, "Follow" | "Unfollow">, name: string) => Promise<unknown>;

/**
 * Keeps the hub's follow subscription equal to the selected vehicle: Follow on select, Unfollow on deselect or
 * change, and Follow again after a reconnect (a new connection starts with no subscriptions).
 */
export class FollowSync {
  private desired: string | null = null;
  private followed: string | null = null;
  private connected = false;

  constructor(
    private readonly invoke: FollowInvoker,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  get current(): string | null {
    return this.followed;
  }

  select(name: string | null): void {
    this.desired = name;
    this.sync();
  }

  /** A connection (first or new) is up. */
  connectedNow(): void {
    this.connected = true;
    this.followed = null;
    this.sync();
  }

  disconnected(): void {
    this.connected = false;
    this.followed = null;
  }

  private sync(): void {
    if (!this.connected) return;
    if (this.followed !== null && this.followed !== this.desired) {
      const old = this.followed;
      this.followed = null;
      this.invoke(vehicleHubServerMethods.Unfollow, old).catch(this.onError);
    }
    if (this.desired !== null && this.followed !== this.desired) {
      this.followed = this.desired;
      this.invoke(vehicleHubServerMethods.Follow, this.desired).catch(this.onError);
    }
  }
}

/** Delay before reconnect attempt `attempt` (0-based) once automatic reconnect gave up: 1 s doubling to 30 s, ±20 %. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}
