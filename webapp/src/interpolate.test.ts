import { describe, expect, it } from "vitest";
import { distanceMeters, interpolate, isDone, motionDuration, nextInterval, positionAt, progress, type Motion } from "./interpolate";

const a = { lat: 53.0, lng: -1.5 };
const b = { lat: 53.1, lng: -1.3 };

describe("interpolation", () => {
  it("moves linearly from one position to the next", () => {
    expect(interpolate(a, b, 0)).toEqual(a);
    expect(interpolate(a, b, 1)).toEqual(b);
    const mid = interpolate(a, b, 0.5);
    expect(mid.lat).toBeCloseTo(53.05, 10);
    expect(mid.lng).toBeCloseTo(-1.4, 10);
  });

  it("takes the short way across the antimeridian", () => {
    const p = interpolate({ lat: 0, lng: 179 }, { lat: 0, lng: -179 }, 0.25);
    expect(p.lng).toBeCloseTo(179.5, 10);
    const q = interpolate({ lat: 0, lng: 179 }, { lat: 0, lng: -179 }, 0.75);
    expect(q.lng).toBeCloseTo(-179.5, 10);
  });

  it("follows a motion over time and stops at its end", () => {
    const m: Motion = { from: a, to: b, start: 1000, duration: 1000 };
    expect(progress(m, 500)).toBe(0);
    expect(positionAt(m, 1000)).toEqual(a);
    expect(positionAt(m, 1250).lat).toBeCloseTo(53.025, 10);
    expect(isDone(m, 1999)).toBe(false);
    expect(isDone(m, 2000)).toBe(true);
    expect(positionAt(m, 5000)).toBe(b);
  });

  it("a zero-length motion is a jump", () => {
    const m: Motion = { from: a, to: b, start: 1000, duration: 0 };
    expect(isDone(m, 0)).toBe(true);
    expect(positionAt(m, 0)).toBe(b);
  });
});

describe("motion timing", () => {
  it("smooths the report interval and forgets it after a long gap", () => {
    expect(nextInterval(undefined, 1000)).toBe(1000);
    expect(nextInterval(1000, 2000)).toBeCloseTo(1300, 10);
    expect(nextInterval(1000, 6000)).toBeUndefined();
    expect(nextInterval(1000, -5)).toBeUndefined();
  });

  it("animates over the interval, clamped, and jumps with no interval or a long move", () => {
    const near = { lat: 53.0005, lng: -1.5 };
    expect(motionDuration(1000, a, near)).toBe(1000);
    expect(motionDuration(20, a, near)).toBe(100);
    expect(motionDuration(undefined, a, near)).toBe(0);
    expect(motionDuration(1000, a, { lat: 54, lng: -1.5 })).toBe(0);
  });

  it("measures distance well enough to decide", () => {
    // One thousandth of a degree of latitude is about 111 m.
    expect(distanceMeters({ lat: 53, lng: -1.5 }, { lat: 53.001, lng: -1.5 })).toBeCloseTo(111.2, 0);
    expect(distanceMeters({ lat: 0, lng: 179.9 }, { lat: 0, lng: -179.9 })).toBeCloseTo(22_239, -1);
  });
});
