import { describe, expect, it } from "vitest";
import { describeEvent, EventFeedModel, parseFleetEvent, parseFleetEvents, type FleetEvent } from "./events";

const event = (id: string, second: number, overrides: Partial<FleetEvent> = {}): FleetEvent => ({
  id,
  vehicle: "Van",
  kind: "overspeed_started",
  time: Date.UTC(2026, 10, 22, 12, 0, second),
  speedKph: 61.6,
  geofence: null,
  limitKph: 50,
  ...overrides,
});

describe("fleet event feed", () => {
  it("keeps events newest first, each id once, however they arrive", () => {
    const feed = new EventFeedModel();
    feed.add([event("a", 1), event("c", 3)]);
    feed.add([event("b", 2), event("c", 3)]);

    expect(feed.list.map((e) => e.id)).toEqual(["c", "b", "a"]);
  });

  it("says whether anything changed, so a repeated event does not repaint", () => {
    const feed = new EventFeedModel();
    expect(feed.add([event("a", 1)])).toBe(true);
    expect(feed.add([event("a", 1)])).toBe(false);
    expect(feed.add([])).toBe(false);
  });

  it("is bounded: the oldest fall off, and an event older than all it keeps is not shown", () => {
    const feed = new EventFeedModel(3);
    feed.add([event("a", 1), event("b", 2), event("c", 3), event("d", 4)]);
    expect(feed.list.map((e) => e.id)).toEqual(["d", "c", "b"]);

    expect(feed.add([event("old", 0)])).toBe(false);
    expect(feed.list.map((e) => e.id)).toEqual(["d", "c", "b"]);
  });

  it("reads events as the server sends them and skips what is not one", () => {
    const raw = [
      { id: "x1", vehicle: "Van", kind: "geofence_entered", time: "2026-11-22T12:00:05Z", lat: 53.38, lng: -1.47, speedKph: null, geofence: "Depot", limitKph: null },
      { id: "x2", vehicle: "Van", kind: "teleported", time: "2026-11-22T12:00:05Z" },
      { id: "", vehicle: "Van", kind: "stopped", time: "2026-11-22T12:00:05Z" },
      { id: "x3", vehicle: "Van", kind: "stopped", time: "not a time" },
      42,
    ];

    expect(parseFleetEvents(raw)).toEqual([event("x1", 5, { kind: "geofence_entered", speedKph: null, geofence: "Depot", limitKph: null })]);
    expect(parseFleetEvent(null)).toBeNull();
  });

  it("describes each kind in words", () => {
    expect(describeEvent(event("a", 1)).text).toBe("Overspeed 38 mph (limit 31 mph)");
    expect(describeEvent(event("a", 1, { kind: "geofence_left", geofence: "Depot" })).text).toBe("Left Depot");
    expect(describeEvent(event("a", 1, { kind: "stopped" })).text).toBe("Stopped");
    expect(describeEvent(event("a", 1, { kind: "moving_again" })).text).toBe("Moving again");
  });
});
