import type L from "leaflet";
import { diffSets } from "./labels";
import type { LatLng } from "./types";

/**
 * Vehicle names drawn as plain DOM labels in their own pane. Unlike Leaflet tooltips, moving one only writes
 * a transform (tooltips measure themselves on every move, which forces a layout per label per frame).
 */
export class LabelLayer {
  private readonly pane: HTMLElement;
  private readonly labels = new Map<string, HTMLElement>();

  constructor(private readonly map: L.Map) {
    this.pane = map.createPane("fleetman-labels");
    this.pane.classList.add("vehicle-labels");
    this.pane.setAttribute("aria-hidden", "true");
    map.on("zoomstart", () => this.pane.classList.add("hidden"));
  }

  get names(): ReadonlySet<string> {
    return new Set(this.labels.keys());
  }

  get size(): number {
    return this.labels.size;
  }

  /** Shows exactly `wanted`, each placed by `positionOf`. */
  show(wanted: ReadonlySet<string>, selected: string | null, positionOf: (name: string) => LatLng | undefined): void {
    const { add, remove } = diffSets(new Set(this.labels.keys()), wanted);
    for (const name of remove) {
      this.labels.get(name)?.remove();
      this.labels.delete(name);
    }
    const fragment = document.createDocumentFragment();
    for (const name of add) {
      const el = document.createElement("div");
      el.className = "vehicle-label";
      el.textContent = name;
      this.labels.set(name, el);
      fragment.appendChild(el);
    }
    this.pane.appendChild(fragment);
    for (const [name, el] of this.labels) {
      el.classList.toggle("selected", name === selected);
      const at = positionOf(name);
      if (at !== undefined) this.place(el, at);
    }
    this.pane.classList.remove("hidden");
  }

  /** Hides the labels while a replay is shown (zooming shows them again, so this is a class of its own). */
  setHidden(hidden: boolean): void {
    this.pane.classList.toggle("replaying", hidden);
  }

  move(name: string, at: LatLng): void {
    const el = this.labels.get(name);
    if (el !== undefined) this.place(el, at);
  }

  setStale(name: string, stale: boolean): void {
    this.labels.get(name)?.classList.toggle("stale", stale);
  }

  private place(el: HTMLElement, at: LatLng): void {
    const p = this.map.latLngToLayerPoint(at);
    el.style.transform = `translate(${Math.round(p.x)}px, ${Math.round(p.y)}px)`;
  }
}
