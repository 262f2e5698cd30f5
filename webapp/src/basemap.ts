import L from "leaflet";
import type { AppConfig } from "./config";
import { tileOf, tileUrl, type StreetLine } from "./streets";

export type BasemapKind = "probing" | "tiles" | "streets" | "none";

const streetsAttribution = "Streets: Fleetman simulator";

/** How the offline street map draws: streets white on the map's grey, recorded tracks dashed. */
const lineStyle: Record<StreetLine["kind"], L.PolylineOptions> = {
  street: { color: "#ffffff", weight: 4, opacity: 1, interactive: false },
  track: { color: "#9aa7b4", weight: 2, opacity: 0.9, dashArray: "4 4", interactive: false },
};

/**
 * What the map is drawn on: the configured tiles while they load, else the offline street map (`GET /api/streets`,
 * the simulator's street network) on its own canvas under the markers. Whether the tiles load is tried once with one
 * tile before the layer is added, so a room without a network costs one failed request, not one per tile in view;
 * tiles that fail later switch to the street map too. The attribution names only what is drawn. The street map is
 * asked for once the first vehicles are drawn (`afterFleet`): with 1,000 vehicles it is a larger document than their
 * list (about 236 KB of GeoJSON), and read, projected and drawn before them it would hold up their first paint.
 */
export class Basemap {
  private kindValue: BasemapKind = "probing";
  private tiles: L.TileLayer | null = null;
  private streetCount = 0;

  constructor(
    private readonly map: L.Map,
    private readonly container: HTMLElement,
    private readonly config: AppConfig,
    private readonly loadStreets: () => Promise<StreetLine[]>,
    /** The first vehicles on screen (`FirstPaint`). */
    private readonly afterFleet: Promise<void>,
  ) {}

  get kind(): BasemapKind {
    return this.kindValue;
  }

  /** Lines of the street map drawn (0 while tiles are shown). */
  get streetLines(): number {
    return this.streetCount;
  }

  start(): void {
    if (this.config.tileUrl === "") {
      void this.useStreets(null);
      return;
    }
    const probe = new Image();
    const timer = setTimeout(() => failed("no answer within 8 s"), 8000);
    const done = (): void => {
      clearTimeout(timer);
      probe.onload = probe.onerror = null;
    };
    const failed = (why: string): void => {
      done();
      probe.src = "";
      void this.useStreets(why);
    };
    probe.onload = () => {
      done();
      this.useTiles();
    };
    probe.onerror = () => failed("the first tile failed to load");
    probe.src = tileUrl(this.config.tileUrl, tileOf(this.config.center, this.config.zoom));
  }

  private useTiles(): void {
    this.kindValue = "tiles";
    this.container.classList.remove("no-tiles");
    this.tiles = L.tileLayer(this.config.tileUrl, { attribution: this.config.tileAttribution, maxZoom: this.config.tileMaxZoom });
    this.tiles.once("tileerror", () => void this.useStreets("a tile failed to load"));
    this.tiles.addTo(this.map);
  }

  private async useStreets(why: string | null): Promise<void> {
    if (this.kindValue === "streets" || this.kindValue === "none") return;
    if (why !== null) console.info(`fleetman: map tiles unavailable (${why}): drawing the offline street map instead`);
    this.tiles?.remove();
    this.tiles = null;
    this.container.classList.add("no-tiles");
    this.map.attributionControl.setPrefix(false);
    this.kindValue = "none";
    let lines: StreetLine[];
    try {
      await this.afterFleet;
      lines = await this.loadStreets();
    } catch (error) {
      console.info(`fleetman: no offline street map (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    if (lines.length === 0) return;
    const pane = this.map.createPane("fleetman-streets");
    pane.style.zIndex = "250";
    const renderer = L.canvas({ pane: "fleetman-streets", padding: 0.2 });
    L.layerGroup(
      lines.map((line) => L.polyline(line.points.map((p) => [p.lat, p.lng] as [number, number]), { ...lineStyle[line.kind], renderer })),
      { attribution: streetsAttribution },
    ).addTo(this.map);
    this.streetCount = lines.length;
    this.kindValue = "streets";
  }
}
