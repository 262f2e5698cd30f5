import { describe, expect, it } from "vitest";
import { fromLocalInput, lastMinutes, ReplayClock, replayPresets, replaySpeeds, toLocalInput, windowProblem } from "./replay-clock";

const FROM = Date.parse("2026-12-06T12:00:00Z");
const TO = FROM + 15 * 60_000;

function clock(): { clock: ReplayClock; advance(ms: number): void } {
  let wall = 1000;
  return { clock: new ReplayClock({ from: FROM, to: TO }, () => wall), advance: (ms) => (wall += ms) };
}

describe("the replay clock", () => {
  it("starts paused at the window's start and plays at 1× by default", () => {
    const { clock: c, advance } = clock();
    expect(c.head()).toBe(FROM);
    advance(5000);
    expect(c.head()).toBe(FROM);
    c.play();
    advance(2000);
    expect(c.head()).toBe(FROM + 2000);
  });

  it("plays at every speed offered, from where the head is when the speed changes", () => {
    expect([...replaySpeeds]).toEqual([1, 2, 5, 10, 30, 60]);
    const { clock: c, advance } = clock();
    c.play();
    advance(1000);
    c.setSpeed(60);
    advance(1000);
    expect(c.head()).toBe(FROM + 1000 + 60_000);
    c.setSpeed(2);
    advance(500);
    expect(c.head()).toBe(FROM + 62_000);
  });

  it("pauses and plays on from the same place", () => {
    const { clock: c, advance } = clock();
    c.play();
    advance(3000);
    c.pause();
    advance(10_000);
    expect(c.head()).toBe(FROM + 3000);
    expect(c.playing).toBe(false);
    c.play();
    advance(1000);
    expect(c.head()).toBe(FROM + 4000);
  });

  it("seeks within the window only", () => {
    const { clock: c, advance } = clock();
    c.seek(FROM + 60_000);
    expect(c.head()).toBe(FROM + 60_000);
    c.seek(FROM - 1);
    expect(c.head()).toBe(FROM);
    c.seek(TO + 1);
    expect(c.head()).toBe(TO);
    c.play();
    c.seek(FROM + 1000);
    advance(1000);
    expect(c.head()).toBe(FROM + 2000);
  });

  it("waits at the end of what is loaded and goes on when more is", () => {
    const { clock: c, advance } = clock();
    c.setSpeed(10);
    c.play();
    advance(1000);
    expect(c.head(FROM + 4000)).toBe(FROM + 4000);
    advance(1000);
    expect(c.head(FROM + 4000)).toBe(FROM + 4000);
    expect(c.playing).toBe(true);
    advance(100);
    expect(c.head(FROM + 60_000)).toBe(FROM + 5000);
  });

  it("does not go back when seeked past what is loaded", () => {
    const { clock: c, advance } = clock();
    c.seek(FROM + 60_000);
    c.play();
    advance(1000);
    expect(c.head(FROM + 10_000)).toBe(FROM + 60_000);
  });

  it("pauses at the window's end, and plays again from the start", () => {
    const { clock: c, advance } = clock();
    c.setSpeed(60);
    c.play();
    advance(16_000);
    expect(c.head()).toBe(TO);
    expect(c.playing).toBe(false);
    expect(c.ended).toBe(true);
    c.play();
    advance(1000);
    expect(c.head()).toBe(FROM + 60_000);
  });
});

describe("the replay window", () => {
  it("offers the last 15 min, 1 h, 6 h and 24 h, ending now to the second", () => {
    expect(replayPresets.map((p) => p.label)).toEqual(["Last 15 min", "Last 1 h", "Last 6 h", "Last 24 h"]);
    expect(lastMinutes(15, FROM + 1500)).toEqual({ from: FROM + 1000 - 15 * 60_000, to: FROM + 1000 });
  });

  it("reads and writes the from and to inputs in the browser's time zone, to the second", () => {
    const time = new Date(2026, 11, 6, 9, 5, 7).getTime();
    expect(toLocalInput(time)).toBe("2026-12-06T09:05:07");
    expect(fromLocalInput("2026-12-06T09:05:07")).toBe(time);
    expect(fromLocalInput("2026-12-06T09:05")).toBe(time - 7000);
    expect(fromLocalInput("yesterday")).toBeNaN();
  });

  it("says what is wrong with a window typed by hand", () => {
    expect(windowProblem({ from: FROM, to: TO }, TO)).toBeNull();
    expect(windowProblem({ from: Number.NaN, to: TO }, TO)).toBe("Enter a start and an end time.");
    expect(windowProblem({ from: TO, to: FROM }, TO)).toBe("The start must be before the end.");
    expect(windowProblem({ from: TO + 1, to: TO + 2 }, TO)).toBe("The start is in the future: nothing is stored yet.");
  });
});
