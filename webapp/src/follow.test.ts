import { describe, expect, it } from "vitest";
import { FollowSync, retryDelay } from "./follow";

function recorder(): { calls: string[]; invoke: (m: "Follow" | "Unfollow", n: string) => Promise<void> } {
  const calls: string[] = [];
  return { calls, invoke: (m, n) => (calls.push(`${m}(${n})`), Promise.resolve()) };
}

describe("FollowSync", () => {
  it("follows the selected vehicle and unfollows it on change and deselect", () => {
    const r = recorder();
    const sync = new FollowSync(r.invoke);
    sync.connectedNow();
    sync.select("a");
    sync.select("a");
    sync.select("b");
    sync.select(null);
    expect(r.calls).toEqual(["Follow(a)", "Unfollow(a)", "Follow(b)", "Unfollow(b)"]);
    expect(sync.current).toBeNull();
  });

  it("waits for a connection, and follows again on every new connection", () => {
    const r = recorder();
    const sync = new FollowSync(r.invoke);
    sync.select("a");
    expect(r.calls).toEqual([]);
    sync.connectedNow();
    expect(r.calls).toEqual(["Follow(a)"]);
    sync.disconnected();
    sync.select("b");
    expect(sync.current).toBeNull();
    sync.connectedNow();
    // The old connection's subscription died with it: no Unfollow(a).
    expect(r.calls).toEqual(["Follow(a)", "Follow(b)"]);
    expect(sync.current).toBe("b");
  });

  it("reports a failed invocation without throwing", async () => {
    const errors: unknown[] = [];
    const sync = new FollowSync(() => Promise.reject(new Error("no")), (e) => errors.push(e));
    sync.connectedNow();
    sync.select("a");
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toHaveLength(1);
  });
});

describe("retryDelay", () => {
  it("doubles from 1 s to a 30 s ceiling", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => retryDelay(a, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it("jitters by ±20 %", () => {
    expect(retryDelay(3, () => 0)).toBe(6400);
    expect(retryDelay(3, () => 1)).toBe(9600);
  });
});
