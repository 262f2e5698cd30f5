import { describe, expect, it } from "vitest";
import { fetchVersion, parseVersion, releaseLabel, releaseTitle } from "./version";

const answer = (status: number, body: string): typeof fetch =>
  (async () => new Response(body, { status, headers: { "content-type": "application/json" } })) as typeof fetch;

describe("parseVersion", () => {
  it("reads the edge's answer", () => {
    expect(parseVersion({ service: "gateway", version: "1.0.0", release: "0-5" })).toEqual({ service: "gateway", version: "1.0.0", release: "0-5" });
  });

  it("is null without a usable release", () => {
    for (const raw of [null, "0-5", [1], {}, { release: "" }, { release: "  " }, { release: 5 }, { release: "x".repeat(65) }]) {
      expect(parseVersion(raw)).toBeNull();
    }
  });

  it("keeps a release with missing other fields", () => {
    expect(parseVersion({ release: " 0 " })).toEqual({ service: "", version: "", release: "0" });
  });
});

describe("releaseLabel and releaseTitle", () => {
  it("shows the course's releases as the course names them", () => {
    expect(releaseLabel({ service: "gateway", version: "1.0.0", release: "0-5" })).toBe("release 0-5");
    expect(releaseLabel({ service: "gateway", version: "1.0.0", release: "0" })).toBe("release 0");
  });

  it("drops a build's commit from the label but not from the tooltip", () => {
    const v = { service: "gateway", version: "1.0.0+b83c74c5", release: "1.0.0+b83c74c5" };
    expect(releaseLabel(v)).toBe("release 1.0.0");
    expect(releaseTitle(v)).toBe("gateway 1.0.0+b83c74c5, release 1.0.0+b83c74c5");
  });
});

describe("fetchVersion", () => {
  it("asks /version under the API base", async () => {
    let asked = "";
    const get = (async (url: string | URL | Request) => {
      asked = String(url);
      return new Response(JSON.stringify({ service: "gateway", version: "1.0.0", release: "0" }), { status: 200 });
    }) as typeof fetch;
    expect(await fetchVersion("http://edge", get)).toEqual({ service: "gateway", version: "1.0.0", release: "0" });
    expect(asked).toBe("http://edge/version");
  });

  it("is null, without throwing, for an error answer, HTML, a failed request or no answer in time", async () => {
    expect(await fetchVersion("", answer(404, '{"title":"Not Found"}'))).toBeNull();
    expect(await fetchVersion("", answer(200, "<!doctype html>"))).toBeNull();
    expect(await fetchVersion("", (async () => { throw new TypeError("Failed to fetch"); }) as typeof fetch)).toBeNull();
    const never = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))))) as typeof fetch;
    expect(await fetchVersion("", never, 10)).toBeNull();
  });
});
