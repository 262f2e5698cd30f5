import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { readDocument } from "../scripts/generate-contract.mjs";
import { badWindow, createFleet, document, fleetHistory, history, hub, hubPosition, restVehicle, step, streets, unknownVehicle, vehicleHistory } from "../scripts/mock-fixtures.mjs";
import { parseFleetHistoryPoint, parseHistoryPoint, parseHubPosition, parseRestVehicle, parseVehicleHistoryPoint } from "./parse";
import { parseStreets } from "./streets";

// The api-gateway's OpenAPI document (openapi/api-gateway.json) is the one source of the contract: the types the page
// is checked against are generated from it before every typecheck, and what the mock backend serves must be what it
// describes.

type Response = { content: Record<string, { schema: object }> };
type Operation = { responses: Record<string, Response | { $ref: string }> };

function validator(): { response(path: string, status: string): ValidateFunction; hubArgument(method: string): ValidateFunction } {
  // JSON Schema 2020-12 is OpenAPI 3.1's dialect; "double" and "int32" only say how wide a number is.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("double", { type: "number", validate: () => true });
  ajv.addFormat("int32", { type: "number", validate: Number.isInteger });
  ajv.addSchema(readDocument(), "api-gateway");
  const paths = readDocument().paths as Record<string, { get: Operation }>;
  const components = readDocument().components as { responses: Record<string, Response> };
  return {
    response(path, status) {
      // A response the operations share (a problem) is described once under components/responses and referred to.
      const described = paths[path]!.get.responses[status]!;
      const [pointer, response] = "$ref" in described
        ? [described.$ref.slice(1), components.responses[described.$ref.split("/").at(-1)!]!]
        : [`/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/get/responses/${status}`, described];
      const media = Object.keys(response.content)[0]!;
      return ajv.compile({ $ref: `api-gateway#${pointer}/content/${media.replace("/", "~1")}/schema` });
    },
    hubArgument(method) {
      return ajv.compile({ $ref: `api-gateway#/x-signalr-hubs/vehicles/clientMethods/${method}/parameters/0/schema` });
    },
  };
}

function fleet() {
  const vehicles = createFleet(5);
  const start = Date.parse("2026-11-22T12:00:00Z");
  for (const v of vehicles) for (let k = 0; k < 3; k++) step(v, 1, start + k * 1000);
  return vehicles;
}

describe("the mock backend's fixtures", () => {
  const schemas = validator();
  const expectValid = (validate: ValidateFunction, value: unknown) => {
    const valid = validate(value);
    expect(validate.errors ?? [], JSON.stringify(value)).toEqual([]);
    expect(valid).toBe(true);
  };

  it("plays the hub the document describes", () => {
    expect(hub.path).toBe("/hubs/vehicles");
    expect(document["x-signalr-hubs"]).toBeDefined();
  });

  it("serve GET /api/vehicles/ as the document describes it, and the page reads them", () => {
    const vehicles = fleet();
    const body = vehicles.map(restVehicle);
    expectValid(schemas.response("/api/vehicles", "200"), body);
    expect(body.map((v) => parseRestVehicle(v, 0)?.name)).toEqual(vehicles.map((v) => v.name));
  });

  it("serve GET /api/history/{name} and its 404 as the document describes them", () => {
    const [truck] = fleet();
    expectValid(schemas.response("/api/history/{name}", "200"), history(truck!));
    expect((history(truck!) as unknown[]).map(parseHistoryPoint)).not.toContain(null);
    expectValid(schemas.response("/api/history/{name}", "404"), unknownVehicle("Nobody"));
  });

  it("serve a replay's history, the fleet's and one vehicle's, as the document describes it, and the page reads it", () => {
    const vehicles = fleet();
    const from = Date.parse("2026-11-22T12:00:00Z");
    const all = fleetHistory(vehicles, from, from + 2000, 10_000);
    expectValid(schemas.response("/api/history", "200"), all);
    expect(all).toHaveLength(15);
    expect(fleetHistory(vehicles, from + 1000, from + 2000, 3).map((p) => parseFleetHistoryPoint(p)?.time)).toEqual([from + 1000, from + 1000, from + 1000]);
    expectValid(schemas.response("/api/history", "400"), badWindow({ from: ["from is required"] }));
    const one = vehicleHistory(vehicles[0]!, from, from + 2000, 2);
    expectValid(schemas.response("/api/vehicles/{name}/history", "200"), one);
    expect(one.map((p) => parseVehicleHistoryPoint(p, "x")?.time)).toEqual([from + 1000, from + 2000]);
  });

  it("push snapshot and positions frames as the document describes them", () => {
    const frame = fleet().map(hubPosition);
    expectValid(schemas.hubArgument(hub.snapshot), frame);
    expectValid(schemas.hubArgument(hub.positions), frame);
    expect(frame.map((p) => parseHubPosition(p, 0))).not.toContain(null);
  });

  it("announce vehicles leaving the fleet as the document describes it", () => {
    const names = fleet().map((v) => v.name);
    expectValid(schemas.hubArgument(hub.vehiclesRemoved), names);
    expect(schemas.hubArgument(hub.vehiclesRemoved)([42])).toBe(false);
  });

  it("serve GET /api/streets as GeoJSON lines the page draws, streets and tracks", () => {
    const vehicles = fleet();
    const lines = parseStreets(streets(vehicles));
    expect(lines.filter((l) => l.kind === "track")).toHaveLength(vehicles.length);
    expect(lines.filter((l) => l.kind === "street").length).toBeGreaterThan(0);
  });

  it("would be caught serving a shape the document does not describe", () => {
    const [truck] = fleet();
    const wrong = { ...(restVehicle(truck!) as object), longitude: undefined, lng: -1.5 };
    expect(schemas.response("/api/vehicles", "200")([wrong])).toBe(false);
  });
});
