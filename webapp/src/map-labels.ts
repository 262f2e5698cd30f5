import type { AppConfig } from "./config";
import { positionAt } from "./interpolate";
import { chooseLabels, defaultLabelOptions, type LabelCandidate } from "./labels";
import type { MapView } from "./map";
import { compareNames, type VehicleStore } from "./state";

/** Chooses the map's name labels (`labels.ts`) and shows them, at most five times a second. */
export class MapLabels {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = 0;

  constructor(
    private readonly store: VehicleStore,
    private readonly map: MapView,
    private readonly config: AppConfig,
    private readonly selected: () => string | null,
  ) {}

  /** Milliseconds since labels were last chosen. */
  get age(): number {
    return performance.now() - this.last;
  }

  /** Chooses labels again soon (within 200 ms of the last time), or `now`. */
  schedule(now = false): void {
    if (this.timer !== undefined) {
      if (!now) return;
      clearTimeout(this.timer);
    }
    const wait = now ? 0 : Math.max(0, 200 - this.age);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.last = performance.now();
      this.update();
    }, wait);
  }

  private update(): void {
    const now = performance.now();
    const zoom = this.map.zoom;
    const candidates: LabelCandidate[] = [];
    if (zoom >= this.config.labelMinZoom) {
      const view = this.map.paddedBounds(0.05);
      for (const vehicle of this.store.all()) {
        if (!this.map.isShown(vehicle.name)) continue;
        const at = positionAt(vehicle.motion, now);
        if (view.contains(at)) candidates.push({ name: vehicle.name, ...this.map.containerPoint(at) });
      }
      candidates.sort((a, b) => compareNames(a.name, b.name));
    }
    const selectedName = this.selected();
    const selectedAt = selectedName === null ? undefined : this.store.displayed(selectedName, now);
    const selected = selectedAt === undefined || selectedName === null ? null : { name: selectedName, ...this.map.containerPoint(selectedAt) };
    const wanted = chooseLabels(candidates, selected, this.map.labelledNames(), {
      ...defaultLabelOptions,
      zoom,
      minZoom: this.config.labelMinZoom,
      max: this.config.maxLabels,
    });
    this.map.showLabels(wanted, selectedName, (name) => this.store.displayed(name, now));
  }
}
