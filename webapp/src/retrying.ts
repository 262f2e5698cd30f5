import { retryDelay } from "./follow";

/** A request the server answered with an error status; `retryAfterMs` from its Retry-After header, if any. */
export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly retryAfterMs: number | null,
  ) {
    super(`GET ${url}: HTTP ${status}`);
    this.name = "HttpError";
  }
}

/** Retry-After as milliseconds from `now`: whole seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null || header.trim() === "") return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** How long to wait before attempt `attempt + 1`: the backoff, or longer if the server asked for longer. */
export function failureDelay(attempt: number, error: unknown, random: () => number = Math.random): number {
  const backoff = retryDelay(attempt, random);
  return error instanceof HttpError && error.retryAfterMs !== null ? Math.max(backoff, error.retryAfterMs) : backoff;
}

/** A failure in words for the page: what went wrong, without the URL. */
export function describeFailure(error: unknown): string {
  if (error instanceof HttpError) {
    if (error.status === 429) return "too many requests (HTTP 429)";
    if (error.status >= 500) return `the server failed (HTTP ${error.status})`;
    return `HTTP ${error.status}`;
  }
  if (error instanceof Error && error.name === "AbortError") return "no answer in time";
  return "no connection to the server";
}

/** A failed load that is being retried: what went wrong and when the next try is (epoch ms). */
export interface RetryStatus {
  problem: string;
  retryAt: number;
}

/** "too many requests (HTTP 429); retrying in 4 s" (or "retrying…" when it is due). */
export function formatRetry(status: RetryStatus, now: number): string {
  const seconds = Math.ceil((status.retryAt - now) / 1000);
  return `${status.problem}; ${seconds > 0 ? `retrying in ${seconds} s` : "retrying…"}`;
}
