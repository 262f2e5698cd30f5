import { describe, expect, it } from "vitest";
import { FleetPager, HistoryReader, isRetryable, VehiclePager, type HistoryQuery, type ReaderTimers } from "./replay-reader";
import { HttpError } from "./retrying";
import type { Position } from "./types";

const T0 = Date.parse("2026-12-06T12:00:00Z");

function report(name: string, time: number): Position {
  return { name, lat: 53.38, lng: -1.47, time, speed: 20, heading: 90 };
}

/** A store of reports answering as the api-gateway's routes do. */
function store(reports: Position[]) {
  const sorted = [...reports].sort((a, b) => a.time - b.time || (a.name < b.name ? -1 : 1));
  return {
    fleet: (q: HistoryQuery) => sorted.filter((p) => p.time >= q.from && p.time <= q.to).slice(0, q.limit),
    vehicle: (q: HistoryQuery) => sorted.filter((p) => p.time >= q.from && p.time <= q.to).slice(-q.limit),
  };
}

/** Reads the whole window with `pager`, answering from `answer`; returns the reports read and the requests made. */
function readAll(pager: FleetPager | VehiclePager, answer: (q: HistoryQuery) => Position[]): { reports: Position[]; queries: HistoryQuery[] } {
  const reports: Position[] = [];
  const queries: HistoryQuery[] = [];
  for (let q = pager.next(); q !== null && queries.length < 1000; q = pager.next()) {
    queries.push(q);
    const page = pager.accept(answer(q));
    if (page !== null) reports.push(...page.reports);
  }
  return { reports, queries };
}

describe("reading the fleet's history page by page", () => {
  it("reads every report of the window once, in time order, with several reports at the page boundaries", () => {
    const all: Position[] = [];
    for (let s = 0; s < 40; s++) for (const name of ["a", "b", "c"]) all.push(report(name, T0 + s * 500));
    const { reports, queries } = readAll(new FleetPager(T0, T0 + 19_999, 7), store(all).fleet);
    expect(reports.map((p) => `${p.name}@${p.time}`)).toEqual(all.map((p) => `${p.name}@${p.time}`));
    expect(queries.length).toBeGreaterThan(10);
    expect(queries.every((q) => q.limit === 7 && q.to === T0 + 19_999)).toBe(true);
  });

  it("honours the window's end", () => {
    const all = Array.from({ length: 20 }, (_, s) => report("a", T0 + s * 1000));
    const pager = new FleetPager(T0 + 2000, T0 + 5000, 100);
    const page = pager.accept(all);
    expect(page.reports.map((p) => p.time - T0)).toEqual([2000, 3000, 4000, 5000]);
    expect(page.until).toBe(T0 + 5000);
    expect(pager.next()).toBeNull();
  });

  it("says a full page is read up to just before its last time", () => {
    const pager = new FleetPager(T0, T0 + 60_000, 2);
    expect(pager.accept([report("a", T0 + 1000), report("b", T0 + 1000)]).until).toBe(T0 + 999);
    expect(pager.next()).toEqual({ from: T0 + 1000, to: T0 + 60_000, limit: 2 });
  });

  it("gets past more reports in one millisecond than a page holds, rather than asking for them for ever", () => {
    const all = ["a", "b", "c", "d"].map((n) => report(n, T0)).concat([report("a", T0 + 1)]);
    const { reports, queries } = readAll(new FleetPager(T0, T0 + 10, 2), store(all).fleet);
    expect(queries.length).toBeLessThan(10);
    expect(reports.map((p) => p.name)).toEqual(["a", "b", "a"]);
  });
});

describe("reading one vehicle's history in slices", () => {
  it("reads every report once, halving a slice that comes back full", () => {
    const all = Array.from({ length: 300 }, (_, s) => report("a", T0 + s * 500));
    const { reports, queries } = readAll(new VehiclePager(T0, T0 + 149_999, 50, 60_000), store(all).vehicle);
    expect(reports.map((p) => p.time)).toEqual(all.map((p) => p.time));
    expect(queries.some((q) => q.to - q.from + 1 < 60_000)).toBe(true);
    expect(queries[queries.length - 1]!.to).toBe(T0 + 149_999);
  });

  it("grows the slices again over a quiet stretch", () => {
    const all = [report("a", T0), report("a", T0 + 3_600_000)];
    const { queries } = readAll(new VehiclePager(T0, T0 + 3_600_000, 50, 60_000), store(all).vehicle);
    expect(queries.length).toBeLessThan(8);
  });
});

describe("which failures are tried again", () => {
  it("tries again on no answer, 429 and 5xx, not on a bad request or an unknown vehicle", () => {
    expect(isRetryable(new TypeError("Failed to fetch"))).toBe(true);
    expect(isRetryable(new HttpError("/api/history", 429, 2000))).toBe(true);
    expect(isRetryable(new HttpError("/api/history", 503, 5000))).toBe(true);
    expect(isRetryable(new HttpError("/api/history", 400, null))).toBe(false);
    expect(isRetryable(new HttpError("/api/vehicles/x/history", 404, null))).toBe(false);
  });
});

/** Timers run by hand: `run()` fires those due by `now`. */
function manualTimers() {
  let now = T0;
  let timers: { at: number; run: () => void }[] = [];
  const api: ReaderTimers = {
    setTimeout: (run, ms) => {
      const t = { at: now + ms, run };
      timers.push(t);
      return t;
    },
    clearTimeout: (t) => (timers = timers.filter((x) => x !== t)),
    now: () => now,
    random: () => 0.5,
  };
  return {
    api,
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.run();
    },
  };
}

const settle = () => new Promise((ok) => setTimeout(ok, 0));

describe("the history reader", () => {
  const all = Array.from({ length: 100 }, (_, s) => report("a", T0 + s * 1000));

  it("reads only as far ahead as it is asked, one request at a time", async () => {
    const got: Position[] = [];
    const asked: HistoryQuery[] = [];
    const reader = new HistoryReader(new FleetPager(T0, T0 + 99_000, 10), async (q) => (asked.push(q), store(all).fleet(q)), T0, (r) => got.push(...r), () => {});
    reader.want(T0 + 15_000, true);
    reader.want(T0 + 15_000, true);
    expect(asked).toHaveLength(1);
    await settle();
    reader.want(T0 + 15_000, true);
    await settle();
    reader.want(T0 + 15_000, true);
    await settle();
    expect(asked).toHaveLength(2);
    expect(reader.loadedUntil).toBeGreaterThanOrEqual(T0 + 15_000);
    reader.want(T0 + 99_000, false);
    expect(asked).toHaveLength(2);
    expect(got.map((p) => p.time)).toEqual(all.slice(0, 19).map((p) => p.time));
  });

  it("tries a 429 again after the server's Retry-After, saying why meanwhile", async () => {
    const timers = manualTimers();
    let refuse = 2;
    const changes: string[] = [];
    const reader = new HistoryReader(
      new FleetPager(T0, T0 + 99_000, 1000),
      async (q) => {
        if (refuse-- > 0) throw new HttpError("/api/history", 429, 7000);
        return store(all).fleet(q);
      },
      T0,
      () => {},
      () => changes.push(reader.status?.problem ?? "ok"),
      timers.api,
    );
    reader.want(T0 + 1000, true);
    await settle();
    expect(reader.status).toEqual({ problem: "too many requests (HTTP 429)", retryAt: T0 + 7000 });
    reader.want(T0 + 1000, true);
    timers.advance(6999);
    reader.want(T0 + 1000, true);
    await settle();
    expect(reader.loadedUntil).toBe(T0 - 1);
    timers.advance(1);
    reader.want(T0 + 1000, true);
    await settle();
    expect(reader.status?.retryAt).toBe(T0 + 7000 + 7000);
    timers.advance(7000);
    reader.want(T0 + 1000, true);
    await settle();
    expect(reader.status).toBeNull();
    expect(reader.complete).toBe(true);
    expect(reader.loadedUntil).toBe(T0 + 99_000);
  });

  it("backs off on 503s without Retry-After, doubling", async () => {
    const timers = manualTimers();
    const reader = new HistoryReader(new FleetPager(T0, T0 + 99_000, 10), async () => {
      throw new HttpError("/api/history", 503, null);
    }, T0, () => {}, () => {}, timers.api);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      reader.want(T0 + 1000, true);
      await settle();
      const delay = reader.status!.retryAt - timers.api.now();
      delays.push(delay);
      timers.advance(delay);
    }
    expect(delays).toEqual([1000, 2000, 4000]);
  });

  it("stops for good on a failure that trying again would not mend", async () => {
    const reader = new HistoryReader(new VehiclePager(T0, T0 + 99_000, 10), async () => {
      throw new HttpError("/api/vehicles/x/history", 404, null);
    }, T0, () => {}, () => {});
    reader.want(T0 + 1000, true);
    await settle();
    expect(reader.failed).toBe("HTTP 404");
    reader.want(T0 + 1000, true);
    expect(reader.reading).toBe(false);
  });

  it("drops an answer that arrives after it was stopped", async () => {
    const got: Position[] = [];
    const reader = new HistoryReader(new FleetPager(T0, T0 + 99_000, 10), async (q) => store(all).fleet(q), T0, (r) => got.push(...r), () => {});
    reader.want(T0 + 1000, true);
    reader.stop();
    await settle();
    expect(got).toEqual([]);
  });
});
