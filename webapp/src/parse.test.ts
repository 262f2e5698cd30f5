import { describe, expect, it } from "vitest";
import { parseFleetHistoryPoint, parseHistoryPoint, parseHubPosition, parseList, parseNames, parseRestVehicle, parseTime, parseVehicleHistoryPoint } from "./parse";

const NOW = 1_700_000_000_000;

describe("parsing the contract", () => {
  it("reads a hub position", () => {
    expect(parseHubPosition({ name: "truck-1", lat: 53.38, lng: -1.47, time: "2026-01-01T12:00:00Z", speed: 31.5, heading: 270 }, NOW)).toEqual({
      name: "truck-1",
      lat: 53.38,
      lng: -1.47,
      time: Date.parse("2026-01-01T12:00:00Z"),
      speed: 31.5,
      heading: 270,
    });
  });

  it("tolerates null speed and heading, unknown fields, and a missing time", () => {
    const p = parseHubPosition({ name: "a", lat: 1, lng: 2, speed: null, heading: null, extra: true }, NOW)!;
    expect(p.speed).toBeNull();
    expect(p.heading).toBeNull();
    expect(p.time).toBe(NOW);
  });

  it("rejects positions without a name or with bad coordinates", () => {
    expect(parseHubPosition({ lat: 1, lng: 2 }, NOW)).toBeNull();
    expect(parseHubPosition({ name: "", lat: 1, lng: 2 }, NOW)).toBeNull();
    expect(parseHubPosition({ name: "a", lat: 91, lng: 2 }, NOW)).toBeNull();
    expect(parseHubPosition({ name: "a", lat: "53", lng: 2 }, NOW)).toBeNull();
    expect(parseHubPosition(null, NOW)).toBeNull();
  });

  it("reads the original Fleetman REST shape (longitude, timestamp)", () => {
    expect(parseRestVehicle({ name: "City Truck", lat: 53.3, longitude: -1.5, timestamp: "2026-01-01T12:00:00.000+00:00", speed: null }, NOW)).toEqual({
      name: "City Truck",
      lat: 53.3,
      lng: -1.5,
      time: Date.parse("2026-01-01T12:00:00Z"),
      speed: null,
      heading: null,
    });
    expect(parseRestVehicle({ name: "a", lat: 1, longitude: 2, timestamp: NOW - 5 }, NOW)!.time).toBe(NOW - 5);
  });

  it("reads history points and skips bad items in lists", () => {
    expect(parseList([{ lat: 53.33507, lng: -1.53766 }, { lat: "x" }, 7, { lat: 53.33635, lng: -1.53682 }], parseHistoryPoint)).toEqual([
      { lat: 53.33507, lng: -1.53766 },
      { lat: 53.33635, lng: -1.53682 },
    ]);
    expect(parseList({ not: "an array" }, parseHistoryPoint)).toEqual([]);
  });

  it("parses times", () => {
    expect(parseTime("2026-01-01T00:00:00Z")).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime(5)).toBe(5);
    expect(parseTime("garbage")).toBeNaN();
    expect(parseTime(undefined)).toBeNaN();
  });

  it("reads the names of vehiclesRemoved, skipping what is not a name", () => {
    expect(parseNames(["truck-1", "", 7, null, "truck-2"])).toEqual(["truck-1", "truck-2"]);
    expect(parseNames({ names: ["truck-1"] })).toEqual([]);
  });
});

describe("stored history for a replay", () => {
  it("reads the fleet's reports and one vehicle's, skipping those without a place or a time", () => {
    const at = "2026-12-06T12:00:00.250Z";
    expect(parseFleetHistoryPoint({ name: "a", lat: 53.1, lng: -1.4, time: at, speed: null, heading: 90 })).toEqual({
      name: "a", lat: 53.1, lng: -1.4, time: Date.parse(at), speed: null, heading: 90,
    });
    expect(parseFleetHistoryPoint({ name: "a", lat: 53.1, lng: -1.4, time: "when?", speed: 1, heading: 1 })).toBeNull();
    expect(parseFleetHistoryPoint({ lat: 53.1, lng: -1.4, time: at })).toBeNull();
    expect(parseVehicleHistoryPoint({ lat: 53.1, lng: -1.4, time: at, speed: 12.5, heading: null }, "b")?.name).toBe("b");
    expect(parseVehicleHistoryPoint({ lat: 91, lng: -1.4, time: at }, "b")).toBeNull();
  });
});
