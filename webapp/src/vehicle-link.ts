import { urlWithVehicle, vehicleFromUrl } from "./deeplink";
import type { SelectOptions } from "./selection";

/**
 * The page address's vehicle (`?vehicle=NAME`, read and written by `deeplink.ts`): every selection is a browser
 * history entry (or replaces the current one), back and forward select again, and a vehicle named before it is known
 * is selected when it arrives.
 */
export class VehicleLink {
  /** The vehicle the page address (or an event) named before it was known: selected when it arrives. */
  private pending: string | null = vehicleFromUrl(location.href);

  constructor(
    private readonly known: (name: string) => boolean,
    private readonly select: (name: string | null, options: SelectOptions) => void,
  ) {}

  /** Back and forward go through the selections (each pushed a page address). */
  listen(): void {
    window.addEventListener("popstate", () => this.open(vehicleFromUrl(location.href), { fly: true, reveal: true, history: "none" }));
  }

  /** Whether a vehicle the page address named is still awaited (the map then flies to it rather than to the fleet). */
  get waiting(): boolean {
    return this.pending !== null;
  }

  /** Selects a vehicle (or none) now, or a vehicle not known yet once it arrives. */
  open(name: string | null, options: SelectOptions): void {
    if (name !== null && !this.known(name)) this.pending = name;
    else this.select(name, options);
  }

  /** Vehicles arrived: the one named before it was known is selected if it is known now; whether it was. */
  arrived(): boolean {
    if (this.pending === null || !this.known(this.pending)) return false;
    this.select(this.pending, { fly: true, reveal: true, history: "replace" });
    return true;
  }

  /** The selection changed: the page address names it, as a new history entry, in place, or not at all. */
  selectionChanged(name: string | null, record: SelectOptions["history"]): void {
    this.pending = null;
    const url = urlWithVehicle(location.href, name);
    if (url === location.href || record === "none") return;
    const state = { vehicle: name };
    if (record === "replace") history.replaceState(state, "", url);
    else history.pushState(state, "", url);
  }
}
