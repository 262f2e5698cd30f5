import { describe, expect, it } from "vitest";
import { urlWithVehicle, vehicleFromUrl } from "./deeplink";

describe("deep links", () => {
  it("read the vehicle a page address names", () => {
    expect(vehicleFromUrl("http://fleet.example/?vehicle=City%20Truck")).toBe("City Truck");
    expect(vehicleFromUrl("http://fleet.example/?vehicle=truck%2F7&x=1")).toBe("truck/7");
    expect(vehicleFromUrl("http://fleet.example/")).toBeNull();
    expect(vehicleFromUrl("http://fleet.example/?vehicle=")).toBeNull();
  });

  it("name a vehicle, or none, keeping the rest of the address", () => {
    expect(urlWithVehicle("http://fleet.example/live/?x=1#map", "City Truck")).toBe("http://fleet.example/live/?x=1&vehicle=City+Truck#map");
    expect(vehicleFromUrl(urlWithVehicle("http://fleet.example/", "a&b=c"))).toBe("a&b=c");
    expect(urlWithVehicle("http://fleet.example/?vehicle=a&x=1", null)).toBe("http://fleet.example/?x=1");
    expect(urlWithVehicle("http://fleet.example/?vehicle=a", null)).toBe("http://fleet.example/");
  });
});
