/** What the edge says about itself at `GET /version`: `{"service":"gateway","version":"1.0.0","release":"0-5"}`. */
export interface EdgeVersion {
  service: string;
  version: string;
  release: string;
}

/** The longest release shown: the edge refuses longer ones, and a header has no room for them. */
const maxReleaseLength = 64;

/** Reads a `/version` answer of unknown shape; anything without a usable release is null (nothing is shown). */
export function parseVersion(raw: unknown): EdgeVersion | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const release = typeof r.release === "string" ? r.release.trim() : "";
  if (release === "" || release.length > maxReleaseLength) return null;
  return {
    service: typeof r.service === "string" ? r.service : "",
    version: typeof r.version === "string" ? r.version : "",
    release,
  };
}

/**
 * The header's text: "release 0-5". A release that is a build's version keeps its version number and drops the
 * build metadata after "+" (the commit), which the tooltip still carries.
 */
export function releaseLabel(version: EdgeVersion): string {
  const plus = version.release.indexOf("+");
  return `release ${plus > 0 ? version.release.slice(0, plus) : version.release}`;
}

/** The tooltip: every field the edge reported. */
export function releaseTitle(version: EdgeVersion): string {
  return `${version.service || "edge"} ${version.version}, release ${version.release}`.trim();
}

/**
 * Asks the edge once. Null when it cannot say: no `/version` (the page behind another server, the mock), an error
 * answer, a timeout, a body that is not the expected JSON. The page then shows no release, and says nothing about it.
 */
export async function fetchVersion(apiBase: string, get: typeof fetch = fetch, timeoutMs = 5_000): Promise<EdgeVersion | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await get(`${apiBase}/version`, { headers: { accept: "application/json" }, signal: controller.signal, cache: "no-store" });
    return response.ok ? parseVersion(await response.json()) : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Fills the header's release element, or leaves it hidden. */
export async function showRelease(element: HTMLElement, apiBase: string): Promise<void> {
  const version = await fetchVersion(apiBase);
  if (version === null) return;
  element.textContent = releaseLabel(version);
  element.title = releaseTitle(version);
  element.hidden = false;
}
