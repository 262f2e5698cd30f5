import { describe, expect, it } from "vitest";
import { Trail } from "./trail";

const pt = (i: number) => ({ lat: 53 + i / 1000, lng: -1.5 });

describe("Trail", () => {
  it("holds live points until the history arrives, then appends those the history lacks", () => {
    const trail = new Trail("a", 100);
    expect(trail.addLive(pt(3), 3)).toEqual({ kind: "none" });
    expect(trail.addLive(pt(4), 4)).toEqual({ kind: "none" });
    // The history was read after point 3 was stored but before point 4.
    const change = trail.loadHistory([pt(1), pt(2), pt(3)]);
    expect(change).toEqual({ kind: "reset", points: [pt(1), pt(2), pt(3), pt(4)] });
    expect(trail.loaded).toBe(true);
  });

  it("extends live after loading, ignoring repeated and unmoved reports", () => {
    const trail = new Trail("a", 100);
    trail.loadHistory([pt(1)]);
    expect(trail.addLive(pt(2), 2)).toEqual({ kind: "append", point: pt(2) });
    expect(trail.addLive(pt(9), 2)).toEqual({ kind: "none" });
    expect(trail.addLive(pt(2), 3)).toEqual({ kind: "none" });
    expect(trail.length).toBe(2);
  });

  it("places a late report by its time and draws the line again", () => {
    const trail = new Trail("a", 100);
    trail.loadHistory([pt(0)]);
    trail.addLive(pt(1), 10);
    trail.addLive(pt(3), 30);
    expect(trail.addLive(pt(2), 20)).toEqual({ kind: "reset", points: [pt(0), pt(1), pt(2), pt(3)] });
    expect(trail.addLive(pt(2), 20)).toEqual({ kind: "none" });
    expect(trail.addLive(pt(4), 40)).toEqual({ kind: "append", point: pt(4) });
  });

  it("orders held reports by time before the history arrives", () => {
    const trail = new Trail("a", 100);
    trail.addLive(pt(3), 3);
    trail.addLive(pt(2), 2);
    trail.addLive(pt(3), 3);
    expect(trail.loadHistory([pt(1)])).toEqual({ kind: "reset", points: [pt(1), pt(2), pt(3)] });
  });

  it("works with an empty or failed history", () => {
    const trail = new Trail("a", 100);
    trail.addLive(pt(1), 1);
    expect(trail.loadHistory([])).toEqual({ kind: "reset", points: [pt(1)] });
  });

  it("caps its length by dropping the oldest points", () => {
    const trail = new Trail("a", 10);
    const history = Array.from({ length: 25 }, (_, i) => pt(i));
    const loaded = trail.loadHistory(history);
    expect(loaded.kind).toBe("reset");
    expect(trail.length).toBe(9);
    expect(trail.latLngs()[8]).toEqual(pt(24));
    trail.addLive(pt(25), 1);
    expect(trail.addLive(pt(26), 2)).toEqual({ kind: "reset", points: trail.latLngs() });
    expect(trail.length).toBe(9);
    expect(trail.latLngs()[8]).toEqual(pt(26));
  });
});
