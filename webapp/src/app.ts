import { fetchHistory, fetchVehicles } from "./api";
import { frameScheduler, PositionBatcher } from "./batch";
import type { AppConfig } from "./config";
import { exposeDebug } from "./debug";
import { HubClient } from "./hub";
import { isDone, positionAt } from "./interpolate";
import { chooseLabels, defaultLabelOptions, type LabelCandidate } from "./labels";
import { VehicleList } from "./list";
import { MapView } from "./map";
import { ConnectionIndicator, SelectionPanel } from "./panel";
import { compareNames, listRows, nextSortOrder, ServerClock, VehicleStore } from "./state";
import { Trail, type TrailChange } from "./trail";
import type { ConnectionState, Position, SortOrder } from "./types";

export interface AppElements {
  map: HTMLElement;
  list: HTMLElement;
  selection: HTMLElement;
  connection: HTMLElement;
}

/** Wires the store, the hub, the map and the list together. Pure logic lives in the modules it imports. */
export class App {
  readonly store = new VehicleStore();
  readonly clock = new ServerClock();
  readonly map: MapView;
  readonly hub: HubClient;
  private readonly list: VehicleList;
  private readonly panel: SelectionPanel;
  private readonly indicator: ConnectionIndicator;
  private readonly batcher: PositionBatcher;
  private readonly moving = new Set<string>();
  private selectedName: string | null = null;
  private followingFlag = false;
  private trail: Trail | null = null;
  private sort: SortOrder = { key: "name", direction: "asc" };
  private query = "";
  private connection: ConnectionState = "connecting";
  private frame = 0;
  private listDirty = true;
  private lastListPaint = 0;
  private labelTimer: ReturnType<typeof setTimeout> | undefined;
  private lastLabels = 0;
  private fitted = false;
  private userMoved = false;
  private lastSnapshotAt = 0;
  private started = false;

  constructor(
    readonly config: AppConfig,
    elements: AppElements,
  ) {
    this.map = new MapView(elements.map, config, {
      markerClicked: (name) => this.select(name === this.selectedName ? null : name, { fly: true, reveal: true }),
      userDragged: () => {
        this.userMoved = true;
        if (this.followingFlag) this.setFollowing(false);
      },
      viewChanged: () => this.scheduleLabels(),
    });
    this.list = new VehicleList(elements.list, {
      rowClicked: (name) => this.select(name === this.selectedName ? null : name, { fly: true, reveal: false }),
      sortClicked: (key) => {
        this.sort = nextSortOrder(this.sort, key);
        this.list.showSort(this.sort);
        this.renderList();
      },
      searchChanged: (query) => {
        this.query = query;
        this.renderList();
      },
    });
    this.list.showSort(this.sort);
    this.panel = new SelectionPanel(elements.selection, {
      followToggled: () => this.setFollowing(!this.followingFlag),
      deselect: () => this.select(null),
    });
    this.indicator = new ConnectionIndicator(elements.connection, () => this.hub.retryNow());
    this.batcher = new PositionBatcher(frameScheduler(), (positions) => this.applyBatch(positions));
    this.hub = new HubClient(config.hubUrl, {
      snapshot: (positions) => {
        this.lastSnapshotAt = Date.now();
        this.receive(positions);
      },
      positions: (positions) => {
        let newest = Number.NEGATIVE_INFINITY;
        for (const p of positions) if (p.time > newest) newest = p.time;
        this.clock.observe(Date.now(), newest);
        this.receive(positions);
      },
      state: (state, detail) => this.connectionChanged(state, detail.retryAt),
    });
  }

  get selected(): string | null {
    return this.selectedName;
  }

  get following(): boolean {
    return this.followingFlag;
  }

  get connectionState(): ConnectionState {
    return this.connection;
  }

  get ready(): boolean {
    return this.started;
  }

  start(): void {
    exposeDebug(this);
    this.hub.start();
    void this.pollRest();
    if (this.config.restPollSeconds > 0) {
      setInterval(() => {
        if (this.connection !== "live") void this.pollRest();
      }, this.config.restPollSeconds * 1000);
    }
    setInterval(() => this.tick(), 500);
    window.addEventListener("online", () => this.hub.retryNow());
    document.addEventListener("keydown", (event) => {
      // Escape deselects, except in a search box with text in it (there it clears the text).
      const target = event.target as HTMLInputElement | null;
      const typing = target?.tagName === "INPUT" && target.value !== "";
      if (event.key === "Escape" && this.selectedName !== null && !typing) this.select(null);
    });
    this.started = true;
  }

  /** Selects a vehicle (or none): highlight, Follow on the hub, history trail, fly to it. */
  select(name: string | null, options: { fly?: boolean; reveal?: boolean } = {}): void {
    if (name !== null && this.store.get(name) === undefined) return;
    const previous = this.selectedName;
    if (previous === name) return;
    this.selectedName = name;
    if (previous !== null) this.map.setMarkerStyle(previous, false, this.store.get(previous)?.stale ?? false);
    this.hub.select(name);
    this.map.clearTrail();
    this.trail = null;
    if (name !== null) {
      const vehicle = this.store.get(name)!;
      this.map.setMarkerStyle(name, true, vehicle.stale);
      const trail = new Trail(name, this.config.maxTrailPoints);
      this.trail = trail;
      trail.addLive(vehicle.latest, vehicle.latest.time);
      fetchHistory(this.config.apiBase, name)
        .catch((error: unknown) => {
          console.warn(`fleetman: history of ${name} failed`, error);
          return [];
        })
        .then((history) => {
          if (this.trail === trail) this.drawTrail(trail.loadHistory(history));
        });
      if (options.fly !== false) this.map.flyTo(this.store.displayed(name, performance.now())!, this.config.selectZoom);
      if (options.reveal === true) this.list.reveal(name);
    }
    this.scheduleLabels(true);
    this.renderList();
    this.requestFrame();
  }

  setFollowing(on: boolean): void {
    this.followingFlag = on;
    this.renderPanel();
    this.requestFrame();
  }

  /** Names with a label on the map now. */
  labelledNames(): string[] {
    return [...this.map.labelledNames()];
  }

  renderedRowNames(): string[] {
    return this.list.renderedNames();
  }

  private connectionChanged(state: ConnectionState, retryAt: number | null): void {
    this.connection = state;
    this.indicator.set(state, retryAt);
    if (state === "live") {
      // The server sends a snapshot on every connect; if none came, read the REST API instead.
      const liveAt = Date.now();
      setTimeout(() => {
        if (this.connection === "live" && this.lastSnapshotAt < liveAt - 2000) void this.pollRest();
      }, 3000);
    }
  }

  private async pollRest(): Promise<void> {
    try {
      this.receive(await fetchVehicles(this.config.apiBase));
    } catch (error) {
      console.warn("fleetman: GET /api/vehicles/ failed", error);
    }
  }

  /** Every report goes to the selected vehicle's trail at once; the markers and list get batches. */
  private receive(positions: Position[]): void {
    const trail = this.trail;
    if (trail !== null) {
      for (const p of positions) if (p.name === trail.name) this.drawTrail(trail.addLive(p, p.time));
    }
    this.batcher.add(positions);
  }

  private applyBatch(positions: Position[]): void {
    const now = performance.now();
    let added = false;
    for (const p of positions) {
      const wasStale = this.store.get(p.name)?.stale ?? false;
      const vehicle = this.store.apply(p, now);
      if (vehicle === null) continue;
      const selected = vehicle.name === this.selectedName;
      if (!this.map.hasMarker(vehicle.name)) {
        this.map.addMarker(vehicle.name, vehicle.motion.to, selected, false);
        added = true;
        continue;
      }
      if (wasStale) this.map.setMarkerStyle(vehicle.name, selected, false);
      if (vehicle.motion.duration > 0) {
        this.moving.add(vehicle.name);
      } else {
        this.moving.delete(vehicle.name);
        this.map.moveMarker(vehicle.name, vehicle.motion.to);
      }
    }
    if (!this.fitted && this.store.size > 0) {
      this.fitted = true;
      if (this.config.fitFleetOnStart && !this.userMoved) {
        this.map.fitTo([...this.store.all()].map((v) => v.motion.to), Math.max(this.config.zoom, this.config.selectZoom));
      }
    }
    this.listDirty = true;
    if (added) {
      this.scheduleLabels();
      this.renderList();
    }
    this.requestFrame();
  }

  private requestFrame(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.animate());
  }

  /** One animation frame: move every marker that is between two reports; keep the followed vehicle centred. */
  private animate(): void {
    this.frame = 0;
    const now = performance.now();
    if (this.moving.size > 0) {
      const view = this.map.paddedBounds(0.3);
      for (const name of this.moving) {
        const vehicle = this.store.get(name);
        if (vehicle === undefined) {
          this.moving.delete(name);
          continue;
        }
        const { motion } = vehicle;
        if (isDone(motion, now)) {
          this.map.moveMarker(name, motion.to);
          this.moving.delete(name);
          continue;
        }
        // Off-screen markers skip the in-between frames and land when their move ends.
        const at = positionAt(motion, now);
        if (view.contains(at) || view.contains(motion.to) || name === this.selectedName) this.map.moveMarker(name, at);
      }
    }
    const following = this.followingFlag && this.selectedName !== null;
    if (following) {
      const at = this.store.displayed(this.selectedName!, now);
      if (at !== undefined) this.map.centreOn(at);
    }
    if (this.moving.size > 0 || following) this.requestFrame();
  }

  private drawTrail(change: TrailChange): void {
    if (change.kind === "append") this.map.extendTrail(change.point);
    else if (change.kind === "reset") this.map.setTrail(change.points);
  }

  /** Twice a second: staleness, the list (when it changed, or its ages each second), the panel and indicator. */
  private tick(): void {
    const serverNow = this.clock.now(Date.now());
    for (const vehicle of this.store.updateStaleness(serverNow, this.config.staleAfterSeconds * 1000)) {
      this.map.setMarkerStyle(vehicle.name, vehicle.name === this.selectedName, vehicle.stale);
      this.listDirty = true;
    }
    if (this.listDirty || performance.now() - this.lastListPaint >= 1000) this.renderList();
    this.indicator.tick();
    // Vehicles move between view changes: choose labels again every second.
    if (performance.now() - this.lastLabels >= 1000) this.scheduleLabels();
  }

  private renderList(): void {
    this.listDirty = false;
    this.lastListPaint = performance.now();
    const serverNow = this.clock.now(Date.now());
    this.list.update(listRows(this.store.all(), this.query, this.sort), this.store.size, this.selectedName, serverNow);
    this.renderPanel();
  }

  private renderPanel(): void {
    const vehicle = this.selectedName === null ? undefined : this.store.get(this.selectedName);
    this.panel.show(vehicle, this.followingFlag, this.clock.now(Date.now()));
  }

  /** Chooses the map's name labels again, at most five times a second. */
  private scheduleLabels(now = false): void {
    if (this.labelTimer !== undefined) {
      if (!now) return;
      clearTimeout(this.labelTimer);
    }
    const wait = now ? 0 : Math.max(0, 200 - (performance.now() - this.lastLabels));
    this.labelTimer = setTimeout(() => {
      this.labelTimer = undefined;
      this.lastLabels = performance.now();
      this.updateLabels();
    }, wait);
  }

  private updateLabels(): void {
    const now = performance.now();
    const zoom = this.map.zoom;
    const candidates: LabelCandidate[] = [];
    if (zoom >= this.config.labelMinZoom) {
      const view = this.map.paddedBounds(0.05);
      for (const vehicle of this.store.all()) {
        const at = positionAt(vehicle.motion, now);
        if (view.contains(at)) candidates.push({ name: vehicle.name, ...this.map.containerPoint(at) });
      }
      candidates.sort((a, b) => compareNames(a.name, b.name));
    }
    const selectedAt = this.selectedName === null ? undefined : this.store.displayed(this.selectedName, now);
    const selected = selectedAt === undefined ? null : { name: this.selectedName!, ...this.map.containerPoint(selectedAt) };
    const wanted = chooseLabels(candidates, selected, this.map.labelledNames(), {
      ...defaultLabelOptions,
      zoom,
      minZoom: this.config.labelMinZoom,
      max: this.config.maxLabels,
    });
    this.map.showLabels(wanted, this.selectedName, (name) => this.store.displayed(name, now));
  }

}
