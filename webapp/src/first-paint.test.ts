import { afterEach, describe, expect, it, vi } from "vitest";
import { FirstPaint } from "./first-paint";

/** Frames run by hand: `frame()` runs what was scheduled before it. */
function frames(): { schedule: (f: () => void) => void; frame: () => void } {
  const queue: (() => void)[] = [];
  return { schedule: (f) => queue.push(f), frame: () => queue.splice(0).forEach((f) => f()) };
}

async function settled(paint: FirstPaint): Promise<boolean> {
  let done = false;
  void paint.done.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe("FirstPaint", () => {
  afterEach(() => vi.useRealTimers());

  it("lets what waits for it start two frames after the first vehicles were handed to the map, not before", async () => {
    const f = frames();
    const paint = new FirstPaint(2000, f.schedule);
    expect(await settled(paint)).toBe(false);
    paint.drawn();
    f.frame();
    expect(await settled(paint)).toBe(false);
    f.frame();
    expect(await settled(paint)).toBe(true);
  });

  it("does not wait longer than its limit when no vehicle is drawn (an empty fleet, a failing list)", async () => {
    vi.useFakeTimers();
    const paint = new FirstPaint(2000, frames().schedule);
    vi.advanceTimersByTime(1999);
    expect(await settled(paint)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(paint)).toBe(true);
  });
});
