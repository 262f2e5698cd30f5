import { describe, expect, it } from "vitest";
import { ReplayTracks } from "./replay-tracks";
import type { LatLng, Position } from "./types";

const T0 = Date.parse("2026-12-06T12:00:00Z");

function report(name: string, s: number, lat: number, lng: number): Position {
  return { name, lat, lng, time: T0 + s * 1000, speed: 10, heading: 0 };
}

const track = [report("a", 0, 53.0, -1.5), report("a", 1, 53.001, -1.5), report("a", 2, 53.002, -1.499)];

describe("replayed vehicles at the play head", () => {
  it("are at their reports, and between two reports in proportion to the time", () => {
    const tracks = new ReplayTracks();
    tracks.add(track);
    expect(tracks.positionAt("a", T0 - 1)).toBeNull();
    expect(tracks.positionAt("a", T0)).toEqual({ lat: 53.0, lng: -1.5 });
    expect(tracks.positionAt("a", T0 + 250)!.lat).toBeCloseTo(53.00025, 9);
    expect(tracks.positionAt("a", T0 + 2000)).toEqual({ lat: 53.002, lng: -1.499 });
    expect(tracks.positionAt("a", T0 + 9000)).toEqual({ lat: 53.002, lng: -1.499 });
    expect(tracks.reportAt("a", T0 + 1500)).toBe(track[1]);
  });

  it("go back as well as forward (a seek)", () => {
    const tracks = new ReplayTracks();
    tracks.add(track);
    expect(tracks.positionAt("a", T0 + 2000)!.lat).toBe(53.002);
    expect(tracks.positionAt("a", T0 + 500)!.lat).toBeCloseTo(53.0005, 9);
  });

  it("hold still over a long silence or a long jump instead of sliding", () => {
    const tracks = new ReplayTracks();
    tracks.add([report("a", 0, 53.0, -1.5), report("a", 60, 53.001, -1.5), report("b", 0, 53.0, -1.5), report("b", 1, 54.0, -1.5)]);
    expect(tracks.positionAt("a", T0 + 30_000)).toEqual({ lat: 53.0, lng: -1.5 });
    expect(tracks.positionAt("b", T0 + 500)).toEqual({ lat: 53.0, lng: -1.5 });
  });

  it("drop duplicates and what is behind the head, all but the report at the head", () => {
    const tracks = new ReplayTracks();
    tracks.add(track);
    tracks.add([track[1]!, report("b", 0, 53.1, -1.4)]);
    expect(tracks.size).toBe(4);
    tracks.trimBefore(T0 + 1500);
    expect(tracks.size).toBe(3);
    expect(tracks.positionAt("a", T0 + 1500)!.lat).toBeCloseTo(53.0015, 9);
    expect(tracks.positionAt("b", T0 + 1500)).toEqual({ lat: 53.1, lng: -1.4 });
  });
});

describe("a replay frame", () => {
  it("interpolates the vehicles wanted, and moves the others only when they reach their next report", () => {
    const tracks = new ReplayTracks();
    tracks.add(track);
    tracks.add([report("far", 0, 50, 0), report("far", 1, 50.001, 0), report("late", 5, 53, -1.5)]);
    const drawn = new Map<string, LatLng | null>();
    const draws: string[] = [];
    const frame = (head: number) => {
      draws.length = 0;
      tracks.frame(T0 + head, (name) => name !== "far", (name, at) => {
        draws.push(name);
        drawn.set(name, at);
      });
    };
    frame(0);
    expect(draws.sort()).toEqual(["a", "far", "late"]);
    expect(drawn.get("late")).toBeNull();
    frame(500);
    expect(draws).toEqual(["a"]);
    expect(drawn.get("a")!.lat).toBeCloseTo(53.0005, 9);
    frame(1000);
    expect(draws.sort()).toEqual(["a", "far"]);
    expect(drawn.get("far")).toEqual({ lat: 50.001, lng: 0 });
    frame(5000);
    expect(drawn.get("late")).toEqual({ lat: 53, lng: -1.5 });
  });
});
