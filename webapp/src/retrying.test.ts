import { describe, expect, it } from "vitest";
import { describeFailure, failureDelay, formatRetry, HttpError, parseRetryAfter } from "./retrying";

const NOW = Date.parse("2026-01-01T12:00:00Z");

describe("retrying a failed request", () => {
  it("reads Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("7", NOW)).toBe(7000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 12:00:05 GMT", NOW)).toBe(5000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter("soon", NOW)).toBeNull();
  });

  it("backs off, and waits at least as long as the server asked", () => {
    const mid = () => 0.5;
    expect([0, 1, 2].map((a) => failureDelay(a, new Error("x"), mid))).toEqual([1000, 2000, 4000]);
    expect(failureDelay(0, new HttpError("/api/history/a", 429, 9000), mid)).toBe(9000);
    expect(failureDelay(5, new HttpError("/api/history/a", 429, 9000), mid)).toBe(30000);
    expect(failureDelay(0, new HttpError("/api/history/a", 503, null), mid)).toBe(1000);
  });

  it("says what went wrong and when the next try is", () => {
    expect(describeFailure(new HttpError("/api/history/a", 429, null))).toBe("too many requests (HTTP 429)");
    expect(describeFailure(new HttpError("/api/history/a", 502, null))).toBe("the server failed (HTTP 502)");
    expect(describeFailure(new HttpError("/api/history/a", 404, null))).toBe("HTTP 404");
    expect(describeFailure(new TypeError("Failed to fetch"))).toBe("no connection to the server");
    expect(describeFailure(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe("no answer in time");
    expect(formatRetry({ problem: "HTTP 404", retryAt: NOW + 3500 }, NOW)).toBe("HTTP 404; retrying in 4 s");
    expect(formatRetry({ problem: "HTTP 404", retryAt: NOW }, NOW)).toBe("HTTP 404; retrying…");
  });
});
