import { describe, expect, it } from "vitest";
import { defaultConfig, mergeConfig } from "./config";
import { vehicleHubKeepAliveSeconds } from "./generated/vehicle-hub";
import { liveWindow } from "./liveness";

describe("mergeConfig", () => {
  it("defaults to OpenStreetMap tiles around Sheffield and 30 s staleness", () => {
    expect(defaultConfig.tileUrl).toBe("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png");
    expect(defaultConfig.center).toEqual({ lat: 53.375564, lng: -1.506785 });
    expect(defaultConfig.staleAfterSeconds).toBe(30);
    expect(defaultConfig.hubUrl).toBe("/hubs/vehicles");
  });

  it("turns tiles off with an empty tileUrl and takes valid overrides", () => {
    const c = mergeConfig(defaultConfig, { tileUrl: "", staleAfterSeconds: 10, center: [51.5, -0.12], zoom: 11, apiBase: "http://x/" });
    expect(c.tileUrl).toBe("");
    expect(c.staleAfterSeconds).toBe(10);
    expect(c.center).toEqual({ lat: 51.5, lng: -0.12 });
    expect(c.zoom).toBe(11);
    expect(c.apiBase).toBe("http://x");
  });

  it("keeps defaults for wrong types, out-of-range values, unknown keys and non-objects", () => {
    const c = mergeConfig(defaultConfig, { tileUrl: 5, staleAfterSeconds: -1, zoom: "12", center: { lat: 200 }, hubUrl: "", bogus: 1, hubKeepAliveSeconds: 0, offlineAfterSeconds: "5" });
    expect(c).toEqual(defaultConfig);
    expect(mergeConfig(defaultConfig, null)).toBe(defaultConfig);
    expect(mergeConfig(defaultConfig, [1, 2])).toBe(defaultConfig);
    expect(mergeConfig(defaultConfig, "<html>")).toBe(defaultConfig);
  });

  it("takes the hub's keep-alive and the offline time", () => {
    expect(defaultConfig.hubKeepAliveSeconds).toBe(vehicleHubKeepAliveSeconds);
    // A silently lost connection stops showing "Live" within 5 s with the api-gateway's default keep-alive.
    expect(liveWindow(defaultConfig.hubKeepAliveSeconds)).toBeLessThanOrEqual(5000);
    expect(defaultConfig.offlineAfterSeconds).toBe(120);
    const c = mergeConfig(defaultConfig, { hubKeepAliveSeconds: 5, offlineAfterSeconds: 300 });
    expect(c.hubKeepAliveSeconds).toBe(5);
    expect(c.offlineAfterSeconds).toBe(300);
  });

  it("is what the shipped config.json gives: the defaults, tiles on", () => {
    const files = import.meta.glob("../public/config.json", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
    const shipped: unknown = JSON.parse(files["../public/config.json"]!);
    expect(mergeConfig(defaultConfig, shipped)).toEqual(defaultConfig);
  });
});
