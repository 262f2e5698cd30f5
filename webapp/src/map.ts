import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { fetchStreets } from "./api";
import { Basemap } from "./basemap";
import type { AppConfig } from "./config";
import { LabelLayer } from "./label-layer";
import { SpriteCanvas, type VehicleMarkerOptions } from "./sprite-canvas";
import { markerStyle, trailStyle } from "./style";
import type { LatLng } from "./types";

export interface MapCallbacks {
  markerClicked(name: string): void;
  /** The pointer is over a vehicle's marker (null: over none). */
  markerHovered(name: string | null): void;
  /** The user dragged the map (ends following). */
  userDragged(): void;
  /** The view changed (labels need choosing again). */
  viewChanged(): void;
}

/**
 * A vehicle's circle marker. No attribution of its own: Leaflet's attribution control hangs a listener on every layer
 * added that has the method, which for a thousand markers is a thousand listeners made in the first paint for nothing.
 */
const VehicleMarker = (L.CircleMarker as unknown as { extend(props: object): new (at: L.LatLngExpression, options: L.CircleMarkerOptions) => L.CircleMarker }).extend({
  getAttribution: undefined,
});

/** The Leaflet map: one canvas circle marker per vehicle, name labels, the selected vehicle's trail. */
export class MapView {
  readonly map: L.Map;
  readonly basemap: Basemap;
  /** The canvas every marker is drawn on (a replay draws its own markers on it too). */
  readonly renderer: L.Canvas;
  private readonly markers = new Map<string, L.CircleMarker>();
  /** Each marker's vehicle, for the one set of pointer handlers they share (`markerEvents`). */
  private readonly markerNames = new WeakMap<L.Layer, string>();
  /**
   * Every marker's pointer events, propagated to it: three handlers for the fleet instead of three closures and
   * listeners per marker, made while the first paint waits for them. The markers do not bubble them to the map.
   */
  private readonly markerEvents = new (L.Evented as unknown as new () => L.Evented)(); // abstract in the typings only
  /** Markers the filter hides (off the map, kept up to date). */
  private readonly hidden = new Set<string>();
  /** Markers drawn as stale: under the live ones. */
  private readonly stale = new Set<string>();
  private readonly labels: LabelLayer;
  private readonly trail: L.Polyline;
  private flying = false;
  /** The one card (a tooltip) for the vehicle under the pointer or just clicked, and whose it is. */
  private readonly card: L.Tooltip;
  private cardName: string | null = null;
  /** While a replay is shown, the live markers, labels and card are off the map (and kept up to date). */
  private liveHidden = false;

  constructor(
    container: HTMLElement,
    config: AppConfig,
    callbacks: MapCallbacks,
    /** The first vehicles on screen (`FirstPaint`): the offline street map waits for it. */
    afterFleet: Promise<void>,
  ) {
    this.renderer = new SpriteCanvas({ padding: 0.1, tolerance: 6 });
    this.map = L.map(container, {
      preferCanvas: true,
      renderer: this.renderer,
      center: [config.center.lat, config.center.lng],
      zoom: config.zoom,
      maxZoom: config.tileMaxZoom,
      worldCopyJump: false,
      zoomControl: true,
    });
    container.setAttribute("aria-label", "Map of vehicles");
    this.basemap = new Basemap(this.map, container, config, () => fetchStreets(config.apiBase), afterFleet);
    this.basemap.start();
    L.control.scale({ imperial: true, metric: true }).addTo(this.map);
    this.labels = new LabelLayer(this.map);
    this.trail = L.polyline([], { ...trailStyle, renderer: this.renderer }).addTo(this.map);
    this.card = L.tooltip({ direction: "top", offset: [0, -10], className: "vehicle-card", opacity: 1 });
    const nameOf = (event: L.LeafletEvent): string | undefined => this.markerNames.get((event as L.LeafletEvent & { propagatedFrom: L.Layer }).propagatedFrom);
    this.markerEvents.on("click", (event: L.LeafletEvent) => {
      const name = nameOf(event);
      if (name !== undefined) callbacks.markerClicked(name);
    });
    this.markerEvents.on("mouseover", (event: L.LeafletEvent) => {
      const name = nameOf(event);
      if (name !== undefined) callbacks.markerHovered(name);
    });
    this.markerEvents.on("mouseout", () => callbacks.markerHovered(null));
    this.map.on("dragstart", () => callbacks.userDragged());
    this.map.on("moveend zoomend", () => {
      this.flying = false;
      callbacks.viewChanged();
    });
  }

  get markerCount(): number {
    return this.markers.size;
  }

  get labelCount(): number {
    return this.labels.size;
  }

  get isFlying(): boolean {
    return this.flying;
  }

  hasMarker(name: string): boolean {
    return this.markers.has(name);
  }

  addMarker(name: string, at: LatLng, selected: boolean, stale: boolean): void {
    if (this.markers.has(name)) return;
    const marker = new VehicleMarker([at.lat, at.lng], { ...markerStyle(selected, stale), renderer: this.renderer, bubblingMouseEvents: false });
    this.markerNames.set(marker, name);
    marker.addEventParent(this.markerEvents);
    if (!this.liveHidden) marker.addTo(this.map);
    this.markers.set(name, marker);
  }

  removeMarker(name: string): void {
    if (name === this.cardName) this.showCard(null);
    this.markers.get(name)?.remove();
    this.markers.delete(name);
    this.hidden.delete(name);
    this.stale.delete(name);
  }

  /** Which way the marker's arrow points (`arrowHeading`); drawn with its next move or restyle. */
  setHeading(name: string, heading: number | null): void {
    const marker = this.markers.get(name);
    if (marker !== undefined) (marker.options as VehicleMarkerOptions).heading = heading;
  }

  /** Shows or hides a marker (the search and the stale filter). */
  setShown(name: string, shown: boolean): void {
    const marker = this.markers.get(name);
    if (marker === undefined || shown !== this.hidden.has(name)) return;
    if (shown) {
      this.hidden.delete(name);
      if (this.liveHidden) return;
      marker.addTo(this.map);
      if (this.stale.has(name)) marker.bringToBack();
    } else {
      this.hidden.add(name);
      marker.remove();
    }
  }

  /**
   * Takes the live markers, their labels and the card off the map while a replay is shown (`true`), or puts them back
   * (`false`: those the filter shows; stale ones under the others).
   */
  setLiveHidden(hidden: boolean): void {
    if (hidden === this.liveHidden) return;
    this.liveHidden = hidden;
    this.labels.setHidden(hidden);
    if (hidden) this.showCard(null);
    for (const [name, marker] of this.markers) {
      if (hidden) marker.remove();
      else if (!this.hidden.has(name)) {
        marker.addTo(this.map);
        if (this.stale.has(name)) marker.bringToBack();
      }
    }
  }

  /** Whether the vehicle's marker is on the map (known and not hidden by the filter). */
  isShown(name: string): boolean {
    return this.markers.has(name) && !this.hidden.has(name);
  }

  moveMarker(name: string, at: LatLng): void {
    this.markers.get(name)?.setLatLng([at.lat, at.lng]);
    this.labels.move(name, at);
    if (name === this.cardName) this.card.setLatLng([at.lat, at.lng]);
  }

  /** Shows the card over a vehicle's marker with `content`, or closes it (null). */
  showCard(name: string | null, content?: HTMLElement): void {
    const marker = name === null || this.liveHidden ? undefined : this.markers.get(name);
    if (name === null || marker === undefined || content === undefined) {
      this.cardName = null;
      this.card.close();
      return;
    }
    if (this.cardName !== name) this.card.setLatLng(marker.getLatLng());
    this.cardName = name;
    this.card.setContent(content);
    if (!this.map.hasLayer(this.card)) this.card.openOn(this.map);
  }

  /** Whose card is open, or null. */
  get cardOf(): string | null {
    return this.cardName;
  }

  markerPosition(name: string): LatLng | undefined {
    const ll = this.markers.get(name)?.getLatLng();
    return ll === undefined ? undefined : { lat: ll.lat, lng: ll.lng };
  }

  /** Restyles a marker; stale ones are drawn under the live ones (and the selected one over all). */
  setMarkerStyle(name: string, selected: boolean, stale: boolean): void {
    const marker = this.markers.get(name);
    if (marker === undefined) return;
    const wasStale = this.stale.has(name);
    if (stale) this.stale.add(name);
    else this.stale.delete(name);
    marker.setStyle(markerStyle(selected, stale));
    marker.setRadius(markerStyle(selected, stale).radius);
    if (!this.hidden.has(name) && !this.liveHidden) {
      if (selected || (wasStale && !stale)) marker.bringToFront();
      else if (stale) marker.bringToBack();
    }
    this.labels.setStale(name, stale);
  }

  /** Container pixel position of a point. */
  containerPoint(at: LatLng): { x: number; y: number } {
    const p = this.map.latLngToContainerPoint([at.lat, at.lng]);
    return { x: p.x, y: p.y };
  }

  /** Bounds of the current view, grown by `pad` (a fraction) on every side. */
  paddedBounds(pad: number): L.LatLngBounds {
    return this.map.getBounds().pad(pad);
  }

  get zoom(): number {
    return this.map.getZoom();
  }

  showLabels(names: ReadonlySet<string>, selected: string | null, positionOf: (name: string) => LatLng | undefined): void {
    this.labels.show(names, selected, positionOf);
  }

  labelledNames(): ReadonlySet<string> {
    return this.labels.names;
  }

  flyTo(at: LatLng, minZoom: number): void {
    const zoom = Math.max(this.map.getZoom(), minZoom);
    this.flying = true;
    this.map.flyTo([at.lat, at.lng], zoom, { animate: true, duration: 0.8 });
  }

  /** Keeps `at` centred without animation; skipped while flying or zooming, and when under a pixel away. */
  centreOn(at: LatLng): void {
    if (this.flying || (this.map as unknown as { _animatingZoom?: boolean })._animatingZoom) return;
    const size = this.map.getSize();
    const p = this.map.latLngToContainerPoint([at.lat, at.lng]);
    if (Math.abs(p.x - size.x / 2) < 1 && Math.abs(p.y - size.y / 2) < 1) return;
    this.map.setView([at.lat, at.lng], this.map.getZoom(), { animate: false });
  }

  fitTo(points: readonly LatLng[], maxZoom: number): void {
    if (points.length === 0) return;
    const bounds = L.latLngBounds(points.map((p) => [p.lat, p.lng] as [number, number]));
    this.map.fitBounds(bounds, { padding: [30, 30], maxZoom, animate: false });
  }

  setTrail(points: readonly LatLng[]): void {
    this.trail.setLatLngs(points.map((p) => [p.lat, p.lng] as [number, number]));
    this.trail.bringToBack();
  }

  extendTrail(point: LatLng): void {
    this.trail.addLatLng([point.lat, point.lng]);
  }

  clearTrail(): void {
    this.trail.setLatLngs([]);
  }

  get trailLength(): number {
    return (this.trail.getLatLngs() as L.LatLng[]).length;
  }

  /** Page coordinates of a vehicle's marker (for browser tests: canvas markers have no element to click). */
  pagePointOf(name: string): { x: number; y: number } | null {
    const marker = this.markers.get(name);
    if (marker === undefined) return null;
    const p = this.map.latLngToContainerPoint(marker.getLatLng());
    const rect = this.map.getContainer().getBoundingClientRect();
    return { x: rect.left + p.x + window.scrollX, y: rect.top + p.y + window.scrollY };
  }

  invalidateSize(): void {
    this.map.invalidateSize({ pan: false });
  }
}
