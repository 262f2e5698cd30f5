import { describe, expect, it } from "vitest";
import { countByFreshness, freshnessOf, isStale, keepOrder, listRows, nextSortOrder, ServerClock, vehicleComparator, VehicleStore, type Vehicle } from "./state";
import type { Position } from "./types";

const T0 = Date.parse("2026-01-01T12:00:00Z");

function pos(name: string, time: number, lat = 53.38, lng = -1.47, speed: number | null = 20): Position {
  return { name, lat, lng, time, speed, heading: 90 };
}

describe("VehicleStore", () => {
  it("adds a vehicle on its first report, placed at once (no animation)", () => {
    const store = new VehicleStore();
    const v = store.apply(pos("truck-1", T0), 1000);
    expect(v).not.toBeNull();
    expect(store.size).toBe(1);
    expect(v!.motion.duration).toBe(0);
    expect(store.displayed("truck-1", 1000)).toEqual({ lat: 53.38, lng: -1.47 });
  });

  it("keeps the newest report by report time, whatever the arrival order", () => {
    const store = new VehicleStore();
    store.apply(pos("a", T0 + 2000, 53.2), 0);
    expect(store.apply(pos("a", T0 + 1000, 53.1), 10)).toBeNull();
    expect(store.apply(pos("a", T0 + 2000, 53.9), 20)).toBeNull();
    expect(store.get("a")!.latest.lat).toBe(53.2);
    expect(store.apply(pos("a", T0 + 3000, 53.3), 30)).not.toBeNull();
    expect(store.get("a")!.latest.lat).toBe(53.3);
  });

  it("animates from where the marker is to the new report over the report interval", () => {
    const store = new VehicleStore();
    store.apply(pos("a", T0, 53.0, -1.0), 0);
    // A second report 1 s later: the gap says reports come every second.
    const v = store.apply(pos("a", T0 + 1000, 53.001, -1.0), 1000)!;
    expect(v.motion.duration).toBe(1000);
    expect(v.motion.from).toEqual({ lat: 53.0, lng: -1.0 });
    expect(store.displayed("a", 1500)!.lat).toBeCloseTo(53.0005, 7);
    // Mid-move, a new report starts the next move from the marker's current place: no jump back.
    const w = store.apply(pos("a", T0 + 2000, 53.002, -1.0), 1500)!;
    expect(w.motion.from.lat).toBeCloseTo(53.0005, 7);
    expect(w.motion.duration).toBeCloseTo(850, 5); // 1000 smoothed toward the 500 ms gap
  });

  it("jumps instead of animating after a long silence or a long move", () => {
    const store = new VehicleStore();
    store.apply(pos("a", T0, 53.0, -1.0), 0);
    expect(store.apply(pos("a", T0 + 60_000, 53.001, -1.0), 60_000)!.motion.duration).toBe(0);
    store.apply(pos("a", T0 + 61_000, 53.002, -1.0), 61_000);
    expect(store.apply(pos("a", T0 + 62_000, 54.0, -1.0), 62_000)!.motion.duration).toBe(0);
  });

  it("marks vehicles stale after the threshold and fresh again on a new report", () => {
    const store = new VehicleStore();
    store.apply(pos("old", T0), 0);
    store.apply(pos("new", T0 + 25_000), 0);
    const changed = store.updateStaleness(T0 + 31_000, 30_000);
    expect(changed.map((v) => v.name)).toEqual(["old"]);
    expect(store.get("old")!.stale).toBe(true);
    expect(store.get("new")!.stale).toBe(false);
    expect(store.updateStaleness(T0 + 31_000, 30_000)).toEqual([]);
    store.apply(pos("old", T0 + 31_000), 100);
    expect(store.get("old")!.stale).toBe(false);
  });

  it("isStale compares report time with server time", () => {
    expect(isStale(pos("a", T0), T0 + 30_000, 30_000)).toBe(false);
    expect(isStale(pos("a", T0), T0 + 30_001, 30_000)).toBe(true);
  });
});

describe("ServerClock", () => {
  it("starts at the browser's clock", () => {
    expect(new ServerClock().now(T0)).toBe(T0);
  });

  it("corrects a browser clock that is ahead, using the least-delayed live batch", () => {
    const clock = new ServerClock();
    // Browser 60 s ahead; batches arrive 300 ms and 100 ms after their newest report.
    clock.observe(T0 + 60_300, T0);
    clock.observe(T0 + 61_100, T0 + 1000);
    expect(clock.offset).toBe(60_100);
    expect(clock.now(T0 + 70_100)).toBe(T0 + 10_000);
  });

  it("forgets samples older than its window", () => {
    const clock = new ServerClock(2);
    clock.observe(1000, 0);
    clock.observe(2500, 2000);
    clock.observe(3500, 3000);
    expect(clock.offset).toBe(500);
    clock.observe(Number.NaN, Number.NaN);
    expect(clock.offset).toBe(500);
  });
});

function vehicles(): Vehicle[] {
  const store = new VehicleStore();
  store.apply(pos("truck-10", T0 + 3000, 53, -1, 30), 0);
  store.apply(pos("truck-2", T0 + 1000, 53, -1, null), 0);
  store.apply(pos("Van-1", T0 + 2000, 53, -1, 55.4), 0);
  store.apply(pos("truck-1", T0 + 2000, 53, -1, 12), 0);
  return [...store.all()];
}

const names = (vs: Vehicle[]): string[] => vs.map((v) => v.name);

describe("sorting and search", () => {
  it("sorts names naturally and case-insensitively", () => {
    expect(names(vehicles().sort(vehicleComparator({ key: "name", direction: "asc" })))).toEqual(["truck-1", "truck-2", "truck-10", "Van-1"]);
    expect(names(vehicles().sort(vehicleComparator({ key: "name", direction: "desc" })))).toEqual(["Van-1", "truck-10", "truck-2", "truck-1"]);
  });

  it("sorts by last seen, ties by name", () => {
    expect(names(vehicles().sort(vehicleComparator({ key: "lastSeen", direction: "desc" })))).toEqual(["truck-10", "truck-1", "Van-1", "truck-2"]);
    expect(names(vehicles().sort(vehicleComparator({ key: "lastSeen", direction: "asc" })))).toEqual(["truck-2", "truck-1", "Van-1", "truck-10"]);
  });

  it("sorts by speed with unknown speeds last in both directions", () => {
    expect(names(vehicles().sort(vehicleComparator({ key: "speed", direction: "desc" })))).toEqual(["Van-1", "truck-10", "truck-1", "truck-2"]);
    expect(names(vehicles().sort(vehicleComparator({ key: "speed", direction: "asc" })))).toEqual(["truck-1", "truck-10", "Van-1", "truck-2"]);
  });

  const byName = { key: "name", direction: "asc" } as const;
  const search = (query: string) => ({ query, showStale: true });

  it("filters by a trimmed, case-insensitive substring of the name", () => {
    expect(names(listRows(vehicles(), search("  VAN "), byName))).toEqual(["Van-1"]);
    expect(names(listRows(vehicles(), search("truck-1"), byName))).toEqual(["truck-1", "truck-10"]);
    expect(listRows(vehicles(), search(""), byName)).toHaveLength(4);
    expect(listRows(vehicles(), search("bus"), byName)).toEqual([]);
  });

  it("listRows filters then sorts", () => {
    expect(names(listRows(vehicles(), search("truck"), { key: "speed", direction: "desc" }))).toEqual(["truck-10", "truck-1", "truck-2"]);
  });

  it("hides stale and offline vehicles when asked", () => {
    const all = vehicles();
    all[0]!.stale = true;
    expect(names(listRows(all, { query: "", showStale: false }, byName))).toEqual(["truck-1", "truck-2", "Van-1"]);
    expect(listRows(all, { query: "", showStale: true }, byName)).toHaveLength(4);
  });

  it("a header click flips its column or starts another at its natural direction", () => {
    expect(nextSortOrder({ key: "name", direction: "asc" }, "name")).toEqual({ key: "name", direction: "desc" });
    expect(nextSortOrder({ key: "name", direction: "desc" }, "name")).toEqual({ key: "name", direction: "asc" });
    expect(nextSortOrder({ key: "name", direction: "asc" }, "speed")).toEqual({ key: "speed", direction: "desc" });
    expect(nextSortOrder({ key: "speed", direction: "asc" }, "lastSeen")).toEqual({ key: "lastSeen", direction: "desc" });
  });

  // How fast it is belongs to the benchmarks (no timed tests); this checks the answer at a large fleet's size.
  it("sorts and filters a fleet of 10,000 vehicles", () => {
    const store = new VehicleStore();
    for (let i = 0; i < 10_000; i++) store.apply(pos(`vehicle-${i}`, T0 + ((i * 7919) % 10_000), 53, -1, (i * 31) % 80), 0);
    const rows = listRows(store.all(), { query: "vehicle-1", showStale: true }, { key: "speed", direction: "desc" });
    expect(rows.length).toBe(1111);
    expect(rows.every((row) => row.name.includes("vehicle-1"))).toBe(true);
    expect(rows[0]!.latest.speed).toBe(79);
    expect(rows.every((row, i) => i === 0 || (rows[i - 1]!.latest.speed ?? 0) >= (row.latest.speed ?? 0))).toBe(true);
  });
});

describe("a fleet that changes size", () => {
  it("forgets a vehicle that left, and tells which vehicles are missing from the whole fleet", () => {
    const store = new VehicleStore();
    for (const name of ["a", "b", "c"]) store.apply(pos(name, T0), 0);
    expect(store.missingFrom(new Set(["a", "c", "d"]))).toEqual(["b"]);
    expect(store.remove("b")).toBe(true);
    expect(store.remove("b")).toBe(false);
    expect([...store.all()].map((v) => v.name)).toEqual(["a", "c"]);
  });
});

describe("freshness", () => {
  it("is each vehicle's own: moving, stopped, stale or offline from its last report and speed", () => {
    const store = new VehicleStore();
    store.apply(pos("moving", T0, 53, -1, 30), 0);
    store.apply(pos("stopped", T0, 53, -1, 0), 0);
    store.apply(pos("unknown-speed", T0, 53, -1, null), 0);
    store.apply(pos("stale", T0 - 40_000), 0);
    store.apply(pos("offline", T0 - 200_000), 0);
    const changed = store.updateStaleness(T0, 30_000, 120_000);
    expect(changed.map((v) => v.name).sort()).toEqual(["offline", "stale"]);
    expect(Object.fromEntries([...store.all()].map((v) => [v.name, freshnessOf(v)]))).toEqual({
      moving: "moving",
      stopped: "stopped",
      "unknown-speed": "stopped",
      stale: "stale",
      offline: "offline",
    });
    expect(countByFreshness(store.all())).toEqual({ moving: 1, stopped: 2, stale: 1, offline: 1 });
  });

  it("turns fresh again with a new report", () => {
    const store = new VehicleStore();
    store.apply(pos("a", T0 - 200_000), 0);
    store.updateStaleness(T0, 30_000, 120_000);
    store.apply(pos("a", T0), 10);
    expect(freshnessOf(store.get("a")!)).toBe("moving");
  });
});

describe("a list that holds still", () => {
  it("keeps the previous order, with new rows after and gone rows dropped", () => {
    const store = new VehicleStore();
    for (const name of ["a", "b", "c", "d"]) store.apply(pos(name, T0), 0);
    const rows = [...store.all()].reverse(); // d c b a: the order a re-sort would give now
    expect(keepOrder(["b", "x", "a", "c"], rows).map((v) => v.name)).toEqual(["b", "a", "c", "d"]);
    expect(keepOrder([], rows).map((v) => v.name)).toEqual(["d", "c", "b", "a"]);
  });
});
