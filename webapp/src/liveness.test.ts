import { describe, expect, it } from "vitest";
import { liveWindow, shownState, type LinkFacts } from "./liveness";

const live: LinkFacts = { transport: "live", online: true, silentFor: 0, windowMs: liveWindow(15) };

describe("shownState", () => {
  it("is live while frames or pings arrive within the server's keep-alive", () => {
    expect(shownState(live)).toBe("live");
    expect(shownState({ ...live, silentFor: 15_000 })).toBe("live");
  });

  it("is reconnecting once the connection has heard nothing for longer than the keep-alive and its margin", () => {
    expect(shownState({ ...live, silentFor: liveWindow(15) + 1 })).toBe("reconnecting");
  });

  it("is offline whenever the browser has no network, whatever the connection says", () => {
    for (const transport of ["live", "connecting", "reconnecting", "offline"] as const) {
      expect(shownState({ ...live, transport, online: false })).toBe("offline");
    }
  });

  it("is the connection's own state when it is not connected", () => {
    expect(shownState({ ...live, transport: "reconnecting" })).toBe("reconnecting");
    expect(shownState({ ...live, transport: "connecting", silentFor: 60_000 })).toBe("connecting");
  });
});

describe("liveWindow", () => {
  it("is the keep-alive interval plus a margin for the network", () => {
    expect(liveWindow(15)).toBe(18_000);
    expect(liveWindow(2, 500)).toBe(2_500);
  });
});
