import { describe, expect, it } from "vitest";
import { parseStreets, tileOf, tileUrl } from "./streets";

describe("the offline street map", () => {
  it("reads GeoJSON lines, [longitude, latitude], streets and tracks", () => {
    const lines = parseStreets({
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: { kind: "street" }, geometry: { type: "LineString", coordinates: [[-1.5, 53.3], [-1.49, 53.31]] } },
        { type: "Feature", properties: { kind: "track" }, geometry: { type: "LineString", coordinates: [[-1.4, 53.2], [-1.41, 53.21], [-1.42, 53.22]] } },
      ],
    });
    expect(lines).toEqual([
      { kind: "street", points: [{ lat: 53.3, lng: -1.5 }, { lat: 53.31, lng: -1.49 }] },
      { kind: "track", points: [{ lat: 53.2, lng: -1.4 }, { lat: 53.21, lng: -1.41 }, { lat: 53.22, lng: -1.42 }] },
    ]);
  });

  it("skips what is not a usable line", () => {
    const line = (coordinates: unknown, type = "LineString") => ({ type: "Feature", properties: null, geometry: { type, coordinates } });
    expect(parseStreets({ features: [line([[-1.5, 53.3]]), line([[-1.5, 53.3], [200, 53]]), line([-1.5, 53.3], "Point"), null, "x"] })).toEqual([]);
    expect(parseStreets({ features: [line([[-1.5, 53.3], ["a", 53], [-1.4, 53.3]])] })).toEqual([{ kind: "street", points: [{ lat: 53.3, lng: -1.5 }, { lat: 53.3, lng: -1.4 }] }]);
    expect(parseStreets([])).toEqual([]);
    expect(parseStreets(null)).toEqual([]);
  });
});

describe("the tile probe", () => {
  it("asks for the tile holding the map's centre", () => {
    expect(tileOf({ lat: 53.375564, lng: -1.506785 }, 13)).toEqual({ x: 4061, y: 2654, z: 13 });
    expect(tileOf({ lat: 0, lng: 0 }, 0)).toEqual({ x: 0, y: 0, z: 0 });
  });

  it("fills a Leaflet URL template", () => {
    expect(tileUrl("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", { x: 1, y: 2, z: 3 })).toBe("https://a.tile.openstreetmap.org/3/1/2.png");
    expect(tileUrl("/tiles/{z}/{x}/{y}{r}.png?key={k}", { x: 1, y: 2, z: 3 })).toBe("/tiles/3/1/2.png?key={k}");
  });
});
