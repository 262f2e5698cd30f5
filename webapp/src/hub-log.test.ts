import { LogLevel } from "@microsoft/signalr";
import { describe, expect, it } from "vitest";
import { HubLogger, isConnectionTrouble } from "./hub-log";

/** What the page's console received, by level. */
function recorder() {
  const lines = { debug: [] as string[], warn: [] as string[], error: [] as string[] };
  const out = {
    debug: (line: string) => lines.debug.push(line),
    warn: (line: string) => lines.warn.push(line),
    error: (line: string) => lines.error.push(line),
  };
  return { lines, logger: new HubLogger(out) };
}

// Worded as @microsoft/signalr 10.0 words them (HttpConnection.ts, FetchHttpClient.ts).
const badGateway =
  "Failed to complete negotiation with the server: Error: {\"title\":\"Bad Gateway\",\"status\":502}: Status code '502'";
const lost = [
  "Connection disconnected with error 'Error: WebSocket closed with status code: 1006 (no reason given).'.",
  badGateway,
  `Failed to start the connection: Error: ${badGateway}`,
  "Failed to start the transport 'WebSockets': Error: WebSocket failed to connect.",
  "Error from HTTP request. TypeError: Failed to fetch.",
  "Timeout from HTTP request.",
  "(LongPolling transport) Unexpected response code: 502.",
];

describe("HubLogger", () => {
  it("prints a lost or refused connection as a debug line, not as an error or a warning", () => {
    const { lines, logger } = recorder();
    // SignalR ranks the HTTP client's lines warnings and the connection's errors.
    for (const message of lost) logger.log(/^(Error|Timeout) from HTTP/.test(message) ? LogLevel.Warning : LogLevel.Error, message);

    expect(lines.error).toEqual([]);
    expect(lines.warn).toEqual([]);
    expect(lines.debug).toEqual(lost.map((m) => `fleetman: hub: ${m}`));
  });

  it("prints any other error once however often it comes, and each different one", () => {
    const { lines, logger } = recorder();
    const threw = "A callback for the method 'positions' threw error 'TypeError: x is undefined'.";
    logger.log(LogLevel.Error, threw);
    logger.log(LogLevel.Error, threw);
    logger.log(LogLevel.Critical, "Server returned handshake error: nope");

    expect(lines.error).toEqual([`fleetman: hub: ${threw}`, "fleetman: hub: Server returned handshake error: nope"]);
  });

  it("prints a warning once as a warning and drops SignalR's information and debug lines", () => {
    const { lines, logger } = recorder();
    logger.log(LogLevel.Warning, "No client method with the name 'other' found.");
    logger.log(LogLevel.Warning, "No client method with the name 'other' found.");
    logger.log(LogLevel.Information, "Connection reconnecting because of error 'Error: gone'.");
    logger.log(LogLevel.Debug, "Starting connection with transfer format 'Text'.");

    expect(lines.warn).toEqual(["fleetman: hub: No client method with the name 'other' found."]);
    expect(lines.debug).toEqual([]);
    expect(lines.error).toEqual([]);
  });
});

describe("isConnectionTrouble", () => {
  it("is not a hub the server does not have or refuses: the page is set up wrong", () => {
    expect(isConnectionTrouble("Failed to complete negotiation with the server: Error: Not Found: Status code '404' Either this is not a SignalR endpoint or there is a proxy blocking the connection.")).toBe(false);
    expect(isConnectionTrouble("Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'")).toBe(false);
  });

  it("is a server away, overloaded or limiting the page", () => {
    expect(isConnectionTrouble(badGateway)).toBe(true);
    expect(isConnectionTrouble("Failed to complete negotiation with the server: Error: Too Many Requests: Status code '429'")).toBe(true);
    expect(isConnectionTrouble("Failed to complete negotiation with the server: Error: Service Unavailable: Status code '503'")).toBe(true);
  });
});
