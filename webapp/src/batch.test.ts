import { describe, expect, it } from "vitest";
import { PositionBatcher } from "./batch";
import type { Position } from "./types";

const p = (name: string, time: number, lat = 53): Position => ({ name, lat, lng: -1.5, time, speed: null, heading: null });

function manual(): { schedule: (f: () => void) => void; run: () => void; scheduled: () => number } {
  const queue: (() => void)[] = [];
  let count = 0;
  return {
    schedule: (f) => {
      count++;
      queue.push(f);
    },
    run: () => queue.splice(0).forEach((f) => f()),
    scheduled: () => count,
  };
}

describe("PositionBatcher", () => {
  it("hands on one batch per scheduled flush however many messages came", () => {
    const s = manual();
    const batches: Position[][] = [];
    const batcher = new PositionBatcher(s.schedule, (b) => batches.push(b));
    batcher.add([p("a", 1), p("b", 1)]);
    batcher.add([p("c", 1)]);
    batcher.add([p("d", 1)]);
    expect(s.scheduled()).toBe(1);
    expect(batches).toHaveLength(0);
    s.run();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((x) => x.name)).toEqual(["a", "b", "c", "d"]);
    batcher.add([p("a", 2)]);
    expect(s.scheduled()).toBe(2);
  });

  it("keeps only the newest report per vehicle, so pending work is bounded by the fleet", () => {
    const s = manual();
    const batches: Position[][] = [];
    const batcher = new PositionBatcher(s.schedule, (b) => batches.push(b));
    for (let t = 0; t < 1000; t++) batcher.add([p("a", t, 53 + t / 1000), p("b", 1000 - t)]);
    expect(batcher.size).toBe(2);
    s.run();
    const batch = batches[0]!;
    expect(batch.find((x) => x.name === "a")!.time).toBe(999);
    expect(batch.find((x) => x.name === "b")!.time).toBe(1000);
  });

  it("does nothing for an empty add and an empty flush", () => {
    const s = manual();
    const batches: Position[][] = [];
    const batcher = new PositionBatcher(s.schedule, (b) => batches.push(b));
    batcher.add([]);
    expect(s.scheduled()).toBe(0);
    batcher.flush();
    expect(batches).toHaveLength(0);
  });
});
