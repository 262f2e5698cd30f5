import { LogLevel, type ILogger } from "@microsoft/signalr";

/**
 * How @microsoft/signalr (10.0) begins what it logs while a connection is lost or cannot be made: the api-gateway
 * restarting, a proxy between, the network gone. The page expects all of it, and its connection badge shows it.
 */
const connectionTrouble = [
  "Connection disconnected with error",
  "Failed to start the connection",
  "Failed to complete negotiation with the server",
  "Failed to start the transport",
  "Error from HTTP request",
  "Timeout from HTTP request",
  "(LongPolling transport) Unexpected response code",
];

/** Client errors that say the page is set up wrong (no such hub, not allowed), not that the server is away. */
const misconfigured = new Set([400, 401, 403, 404, 405, 410]);

/** Distinct messages remembered as printed; past this the memory starts again (a message can then print once more). */
const rememberedMax = 100;

/** Whether SignalR's message tells of a connection lost or not made, as happens whenever the server goes away. */
export function isConnectionTrouble(message: string): boolean {
  if (!connectionTrouble.some((start) => message.startsWith(start))) return false;
  const status = /Status code '(\d{3})'/.exec(message)?.[1];
  return status === undefined || !misconfigured.has(Number(status));
}

/** Where the logger prints: the page's console, or a test's. */
export type LogOutput = Pick<Console, "debug" | "warn" | "error">;

/**
 * SignalR's logging in the page's own voice (`fleetman: hub: …`). A lost or refused connection is expected (the
 * api-gateway restarts, the demo's network goes): a debug line, hidden from the console's default levels, instead
 * of SignalR's red errors on every reconnect attempt. Anything else (a handler that threw, a handshake the server
 * refused, a hub that is not there) is a warning or an error as SignalR ranks it, printed once per message so a
 * real fault stays visible without repeating with every retry.
 */
export class HubLogger implements ILogger {
  private readonly printed = new Set<string>();

  constructor(private readonly out: LogOutput = console) {}

  log(level: LogLevel, message: string): void {
    if (level < LogLevel.Warning || level === LogLevel.None) return;
    if (isConnectionTrouble(message)) {
      this.out.debug(`fleetman: hub: ${message}`);
      return;
    }
    if (this.printed.has(message)) return;
    if (this.printed.size >= rememberedMax) this.printed.clear();
    this.printed.add(message);
    if (level === LogLevel.Warning) this.out.warn(`fleetman: hub: ${message}`);
    else this.out.error(`fleetman: hub: ${message}`);
  }
}
