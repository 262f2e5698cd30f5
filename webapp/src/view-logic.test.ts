import { describe, expect, it } from "vitest";
import { formatAge, formatClock, formatHeading, formatSpeed } from "./format";
import { chooseLabels, defaultLabelOptions, diffSets } from "./labels";
import { cardFacts } from "./card";
import type { Vehicle } from "./state";
import { arrowHeading, colors, markerStyle, trailStyle } from "./style";
import { visibleRange } from "./virtual";

describe("formatting", () => {
  it("ages", () => {
    expect(formatAge(500)).toBe("now");
    expect(formatAge(12_400)).toBe("12 s ago");
    expect(formatAge(3 * 60_000 + 5000)).toBe("3 min ago");
    expect(formatAge(2 * 3_600_000)).toBe("2 h ago");
    expect(formatAge(5 * 86_400_000)).toBe("5 d ago");
  });

  it("clock time HH:mm:ss", () => {
    expect(formatClock(new Date(2026, 0, 1, 9, 5, 7).getTime())).toBe("09:05:07");
  });

  it("speed as whole mph", () => {
    expect(formatSpeed(31.5)).toBe("32");
    expect(formatSpeed(0.4)).toBe("0");
    expect(formatSpeed(null)).toBe("–");
  });

  it("heading as compass point and degrees", () => {
    expect(formatHeading(0)).toBe("N 0°");
    expect(formatHeading(44)).toBe("NE 44°");
    expect(formatHeading(359.6)).toBe("N 0°");
    expect(formatHeading(-90)).toBe("W 270°");
    expect(formatHeading(null)).toBe("–");
  });
});

describe("map labels", () => {
  const opts = (zoom: number, max = 100) => ({ ...defaultLabelOptions, zoom, minZoom: 15, max });
  const at = (name: string, x: number, y: number) => ({ name, x, y });
  const none = new Set<string>();

  it("shows only the selected vehicle's name when zoomed out", () => {
    expect([...chooseLabels([at("a", 0, 0), at("b", 500, 0)], at("c", 900, 0), none, opts(12))]).toEqual(["c"]);
    expect([...chooseLabels([at("a", 0, 0), at("b", 500, 0)], null, none, opts(12))]).toEqual([]);
  });

  it("shows names in view up to the cap when zoomed in, plus the selected one", () => {
    const spread = [at("a", 0, 0), at("b", 0, 100), at("c", 0, 200), at("d", 0, 300)];
    expect([...chooseLabels(spread, null, none, opts(16, 2))]).toEqual(["a", "b"]);
    expect([...chooseLabels(spread, at("z", 0, 400), none, opts(16, 2))]).toEqual(["z", "a", "b"]);
    expect([...chooseLabels(spread, spread[1]!, none, opts(16, 2))]).toEqual(["b", "a", "c"]);
  });

  it("leaves out labels that would overlap one already placed", () => {
    // "a" and "b" share a row 30 px apart: b's label would cover a's. "c" is on the next line.
    const crowded = [at("truck-1", 0, 0), at("truck-2", 30, 0), at("truck-3", 0, 20)];
    expect([...chooseLabels(crowded, null, none, opts(16))]).toEqual(["truck-1", "truck-3"]);
    // The selected vehicle always keeps its label and pushes out the one it overlaps.
    expect([...chooseLabels(crowded, crowded[1]!, none, opts(16))]).toEqual(["truck-2", "truck-3"]);
  });

  it("keeps labels already shown before placing new ones, so they do not flicker", () => {
    const crowded = [at("truck-1", 0, 0), at("truck-2", 30, 0)];
    expect([...chooseLabels(crowded, null, new Set(["truck-2"]), opts(16))]).toEqual(["truck-2"]);
  });

  it("diffs the labels shown against those wanted", () => {
    expect(diffSets(new Set(["a", "b"]), new Set(["b", "c"]))).toEqual({ add: ["c"], remove: ["a"] });
  });
});

describe("virtual list window", () => {
  it("renders the rows in view plus overscan", () => {
    expect(visibleRange(0, 340, 34, 1000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(3400, 340, 34, 1000, 5)).toEqual({ start: 95, end: 116 });
    expect(visibleRange(34_000, 340, 34, 1000, 5)).toEqual({ start: 994, end: 1000 });
  });

  it("handles empty lists and odd inputs", () => {
    expect(visibleRange(0, 340, 34, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 340, 34, 3, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(99_999, 340, 34, 3, 0)).toEqual({ start: 2, end: 3 });
  });

  it("renders a bounded number of rows however long the list", () => {
    const { start, end } = visibleRange(500_000, 600, 34, 100_000);
    expect(end - start).toBeLessThan(40);
  });
});

describe("styles", () => {
  it("greys stale markers and highlights the selected one", () => {
    expect(markerStyle(false, false).fillColor).toBe(colors.vehicle);
    expect(markerStyle(false, true).fillColor).toBe(colors.stale);
    expect(markerStyle(true, false).fillColor).toBe(colors.selected);
    expect(markerStyle(true, false).radius).toBeGreaterThan(markerStyle(false, false).radius);
    expect(markerStyle(true, true).fillColor).toBe(colors.stale);
  });

  it("draws the trail as the original: red, weight 10, opacity 0.5", () => {
    expect(trailStyle).toMatchObject({ color: "red", weight: 10, opacity: 0.5 });
  });
});

describe("heading arrows", () => {
  it("point the way a moving vehicle heads, in steps of 15 degrees", () => {
    expect(arrowHeading(0, 30, false, 1)).toBe(0);
    expect(arrowHeading(44, 30, false, 1)).toBe(45);
    expect(arrowHeading(359, 30, false, 1)).toBe(0);
    expect(arrowHeading(-90, 30, false, 1)).toBe(270);
  });

  it("are not drawn for a stopped or stale vehicle, or an unknown heading", () => {
    expect(arrowHeading(90, 0.5, false, 1)).toBeNull();
    expect(arrowHeading(90, null, false, 1)).toBeNull();
    expect(arrowHeading(90, 30, true, 1)).toBeNull();
    expect(arrowHeading(null, 30, false, 1)).toBeNull();
  });
});

describe("the card over a marker", () => {
  const vehicle = (stale: boolean): Vehicle => ({
    name: "truck-1",
    latest: { name: "truck-1", lat: 53, lng: -1, time: Date.parse("2026-01-01T12:00:00Z"), speed: 31.6, heading: 92 },
    motion: { from: { lat: 53, lng: -1 }, to: { lat: 53, lng: -1 }, start: 0, duration: 0 },
    arrivedAt: 0,
    interval: undefined,
    stale,
    offline: false,
  });

  it("says a live vehicle's speed, heading and when it was last seen", () => {
    const facts = Object.fromEntries(cardFacts(vehicle(false), Date.parse("2026-01-01T12:00:12Z")));
    expect(facts.Speed).toBe("32 mph");
    expect(facts.Heading).toBe("E 92°");
    expect(facts["Last seen"]).toMatch(/^\d\d:\d\d:\d\d \(12 s ago\)$/);
  });

  it("gives a stale vehicle no speed or heading", () => {
    const facts = Object.fromEntries(cardFacts(vehicle(true), Date.parse("2026-01-01T12:01:00Z")));
    expect(facts.Speed).toBe("– (stale)");
    expect(facts.Heading).toBe("–");
  });
});
