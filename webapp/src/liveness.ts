import type { ConnectionState } from "./types";

/** What is known about the live connection at one moment. */
export interface LinkFacts {
  /** The SignalR connection's own state: connecting, connected ("live"), reconnecting, or given up ("offline"). */
  transport: ConnectionState;
  /** Whether the browser has a network (`navigator.onLine`). */
  online: boolean;
  /** Milliseconds since the last frame or ping arrived on the connection. */
  silentFor: number;
  /** The longest silence of a healthy connection (`liveWindow`). */
  windowMs: number;
}

/**
 * The longest a healthy connection stays silent: the server pings whenever it has sent nothing for its keep-alive
 * interval, so a connection that heard neither a frame nor a ping for that long (plus a margin for the network) is
 * not live, whatever the socket says.
 */
export function liveWindow(keepAliveSeconds: number, marginMs = 3000): number {
  return keepAliveSeconds * 1000 + marginMs;
}

/**
 * What the indicator shows: "offline" whenever the browser has no network; "reconnecting" when the connection is
 * up but has heard nothing within the window; otherwise the connection's own state.
 */
export function shownState(facts: LinkFacts): ConnectionState {
  if (!facts.online) return "offline";
  if (facts.transport === "live" && facts.silentFor > facts.windowMs) return "reconnecting";
  return facts.transport;
}
