import type { MarkerAnimation } from "./animation";
import type { MapView } from "./map";
import { movingMph, type Vehicle, type VehicleStore } from "./state";
import { arrowHeading } from "./style";
import type { Position } from "./types";

/**
 * The live fleet's markers on the map: added as vehicles arrive, moved (or handed to the animation) with each batch,
 * restyled when they go stale or come back, shown or hidden as the list's filter says, and put back where every
 * vehicle is now after a replay.
 */
export class LiveMarkers {
  constructor(
    private readonly store: VehicleStore,
    private readonly map: MapView,
    private readonly animation: MarkerAnimation,
    private readonly selected: () => string | null,
    /** Whether the list's search and stale filter show the vehicle. */
    private readonly filtered: (vehicle: Vehicle) => boolean,
  ) {}

  /** Applies a batch to the store and the markers; whether a vehicle new to the map came with it. */
  apply(positions: readonly Position[], now: number): boolean {
    let added = false;
    for (const p of positions) {
      const wasStale = this.store.get(p.name)?.stale ?? false;
      const vehicle = this.store.apply(p, now);
      if (vehicle === null) continue;
      const selected = vehicle.name === this.selected();
      if (!this.map.hasMarker(vehicle.name)) {
        this.map.addMarker(vehicle.name, vehicle.motion.to, selected, false);
        this.map.setHeading(vehicle.name, arrowHeading(p.heading, p.speed, false, movingMph));
        this.showIfFiltered(vehicle);
        added = true;
        continue;
      }
      this.map.setHeading(vehicle.name, arrowHeading(p.heading, p.speed, false, movingMph));
      if (wasStale) {
        this.map.setMarkerStyle(vehicle.name, selected, false);
        this.showIfFiltered(vehicle);
      }
      if (vehicle.motion.duration > 0) {
        this.animation.started(vehicle.name);
      } else {
        this.animation.stopped(vehicle.name);
        this.map.moveMarker(vehicle.name, vehicle.motion.to);
      }
    }
    return added;
  }

  /** A vehicle went stale or offline: its marker is greyed, loses its arrow, and the stale filter may hide it. */
  staleChanged(vehicle: Vehicle): void {
    const p = vehicle.latest;
    this.map.setHeading(vehicle.name, arrowHeading(p.heading, p.speed, vehicle.stale, movingMph));
    this.map.setMarkerStyle(vehicle.name, vehicle.name === this.selected(), vehicle.stale);
    this.showIfFiltered(vehicle);
  }

  /** After a replay: every vehicle's marker where it is now, styled as it is now. */
  restoreAll(): void {
    for (const vehicle of this.store.all()) {
      const p = vehicle.latest;
      const selected = vehicle.name === this.selected();
      if (!this.map.hasMarker(vehicle.name)) this.map.addMarker(vehicle.name, p, selected, vehicle.stale);
      else this.map.moveMarker(vehicle.name, p);
      this.map.setHeading(vehicle.name, arrowHeading(p.heading, p.speed, vehicle.stale, movingMph));
      this.map.setMarkerStyle(vehicle.name, selected, vehicle.stale);
      this.showIfFiltered(vehicle);
    }
  }

  /** The filter changed: the map shows what the list shows (the selected vehicle always). */
  filterChanged(): void {
    for (const vehicle of this.store.all()) this.showIfFiltered(vehicle);
  }

  /** A vehicle left the fleet: its marker stops and goes. */
  remove(name: string): void {
    this.animation.stopped(name);
    this.map.removeMarker(name);
  }

  private showIfFiltered(vehicle: Vehicle): void {
    this.map.setShown(vehicle.name, vehicle.name === this.selected() || this.filtered(vehicle));
  }
}
