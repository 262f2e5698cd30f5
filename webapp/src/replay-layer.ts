import L from "leaflet";
import { markerStyle } from "./style";
import type { LatLng } from "./types";

/** How a replayed vehicle is drawn: where its arrow points (or null), stale, selected. */
interface Look {
  heading: number | null;
  stale: boolean;
  selected: boolean;
}

/**
 * A replay's markers, on the live map's canvas (so drawn as cheaply as the live ones): one per replayed vehicle,
 * placed by the replay each frame. Clicking one selects the vehicle, as a live marker does.
 */
export class ReplayLayer {
  private readonly markers = new Map<string, { marker: L.CircleMarker; look: Look }>();

  constructor(
    private readonly map: L.Map,
    private readonly renderer: L.Renderer,
    private readonly clicked: (name: string) => void,
  ) {}

  get size(): number {
    return this.markers.size;
  }

  /** Places a vehicle's marker at `at` with its look (restyled only when the look changed); null takes it off. */
  place(name: string, at: LatLng | null, look: Look): void {
    const held = this.markers.get(name);
    if (at === null) {
      held?.marker.remove();
      this.markers.delete(name);
      return;
    }
    if (held === undefined) {
      const marker = L.circleMarker([at.lat, at.lng], { ...markerStyle(look.selected, look.stale), heading: look.heading, renderer: this.renderer, bubblingMouseEvents: false } as L.CircleMarkerOptions);
      marker.on("click", () => this.clicked(name));
      marker.addTo(this.map);
      if (look.selected) marker.bringToFront();
      else if (look.stale) marker.bringToBack();
      this.markers.set(name, { marker, look });
      return;
    }
    const { marker } = held;
    if (held.look.heading !== look.heading || held.look.stale !== look.stale || held.look.selected !== look.selected) {
      (marker.options as { heading?: number | null }).heading = look.heading;
      marker.setStyle(markerStyle(look.selected, look.stale));
      marker.setRadius(markerStyle(look.selected, look.stale).radius);
      if (look.selected) marker.bringToFront();
      else if (look.stale && !held.look.stale) marker.bringToBack();
      held.look = look;
    }
    marker.setLatLng([at.lat, at.lng]);
  }

  /** Where a vehicle's replay marker is drawn, or null. */
  positionOf(name: string): LatLng | null {
    const ll = this.markers.get(name)?.marker.getLatLng();
    return ll === undefined ? null : { lat: ll.lat, lng: ll.lng };
  }

  /** Takes every replay marker off the map. */
  clear(): void {
    for (const { marker } of this.markers.values()) marker.remove();
    this.markers.clear();
  }
}
