import { MarkerAnimation } from "./animation";
import { frameScheduler, PositionBatcher } from "./batch";
import { vehicleCard } from "./card";
import type { AppConfig } from "./config";
import { urlWithVehicle, vehicleFromUrl } from "./deeplink";
import { PositionFeed } from "./feed";
import type { HubClient } from "./hub";
import { VehicleList } from "./list";
import { MapView } from "./map";
import { MapLabels } from "./map-labels";
import { ConnectionIndicator, SelectionPanel } from "./panel";
import { Replay } from "./replay";
import { formatRetry, type RetryStatus } from "./retrying";
import { Selection, type SelectOptions } from "./selection";
import { arrowHeading } from "./style";
import { countByFreshness, isShown, keepOrder, movingMph, listRows, nextSortOrder, normalQuery, ServerClock, VehicleStore, type Vehicle, type VehicleFilter } from "./state";
import type { ConnectionState, Position, SortOrder } from "./types";

/** The list re-sorts by a changing value at most this often (and not while the pointer or focus is in it). */
const resortMs = 3000;

export interface AppElements {
  map: HTMLElement;
  list: HTMLElement;
  selection: HTMLElement;
  connection: HTMLElement;
}

/**
 * Wires the page together: positions from the feed (`feed.ts`) into the store, batched per frame onto the map
 * (`animation.ts` moves the markers, `map-labels.ts` names them) and the list; the selection (`selection.ts`) and
 * the panel; staleness and repaints twice a second. Pure logic lives in the modules these import.
 */
export class App {
  readonly store = new VehicleStore();
  readonly clock = new ServerClock();
  readonly map: MapView;
  readonly hub: HubClient;
  /** The stored history played back on the map; while it is shown the live markers wait (`replayChanged`). */
  readonly replay: Replay;
  private readonly feed: PositionFeed;
  private readonly selection: Selection;
  private readonly animation: MarkerAnimation;
  private readonly labels: MapLabels;
  private readonly list: VehicleList;
  private readonly panel: SelectionPanel;
  private readonly indicator: ConnectionIndicator;
  private readonly batcher: PositionBatcher;
  private sort: SortOrder = { key: "name", direction: "asc" };
  private readonly filter: VehicleFilter = { query: "", showStale: true };
  private listDirty = true;
  private lastListPaint = 0;
  /** The list's order as last painted, and when it was last sorted (it re-sorts at most every few seconds). */
  private listOrder: string[] = [];
  private lastSort = Number.NEGATIVE_INFINITY;
  private fitted = false;
  private userMoved = false;
  private started = false;
  /** The vehicle under the pointer: its card shows (else the selected vehicle's). */
  private hovered: string | null = null;
  private restStatus: RetryStatus | null = null;
  /** The vehicle the page address named before it was known (`?vehicle=`): selected when it arrives. */
  private linked: string | null = vehicleFromUrl(location.href);

  constructor(
    readonly config: AppConfig,
    elements: AppElements,
  ) {
    this.map = new MapView(elements.map, config, {
      markerClicked: (name) => this.select(name === this.selected ? null : name, { fly: true, reveal: true }),
      markerHovered: (name) => {
        this.hovered = name;
        this.renderCard();
      },
      userDragged: () => {
        this.userMoved = true;
        if (this.following) this.setFollowing(false);
      },
      viewChanged: () => {
        this.labels.schedule();
        this.replay.redraw();
      },
    });
    this.list = new VehicleList(elements.list, {
      rowClicked: (name) => this.select(name === this.selected ? null : name, { fly: true, reveal: false }),
      rowStepped: (name) => {
        // Moving through the list with the keyboard: one history entry for the walk, not one per row.
        this.select(name, { fly: true, reveal: true, history: "replace" });
        this.list.focusRow(name);
      },
      sortClicked: (key) => {
        this.sort = nextSortOrder(this.sort, key);
        this.list.showSort(this.sort);
        this.renderList(true);
      },
      searchChanged: (query) => {
        this.filter.query = query;
        this.applyFilter();
      },
      showStaleChanged: (show) => {
        this.filter.showStale = show;
        this.applyFilter();
      },
    });
    this.list.showSort(this.sort);
    this.panel = new SelectionPanel(elements.selection, {
      followToggled: () => this.setFollowing(!this.following),
      deselect: () => this.select(null),
      link: () => location.href,
    });
    this.indicator = new ConnectionIndicator(elements.connection, () => this.hub.retryNow());
    this.batcher = new PositionBatcher(frameScheduler(), (positions) => this.applyBatch(positions));
    this.feed = new PositionFeed(config, this.clock, {
      received: (positions, complete) => this.receive(positions, complete),
      removed: (names) => this.removeVehicles(names),
      connectionChanged: (state, retryAt) => this.indicator.set(state, retryAt),
      restStatus: (status) => {
        this.restStatus = status;
        this.renderList();
      },
    });
    this.hub = this.feed.hub;
    this.selection = new Selection(this.store, this.map, config, {
      follow: (name) => this.hub.select(name),
      selectionChanged: (name, options) => {
        // The selected vehicle shows whatever the filter says; the one before it may not.
        if (this.filter.query !== "" || !this.filter.showStale) this.applyFilter();
        this.labels.schedule(true);
        this.renderList();
        if (name !== null && options.reveal === true) this.list.reveal(name);
        this.animation.request();
      },
      followingChanged: () => {
        this.renderPanel();
        this.animation.request();
      },
      historyChanged: () => this.renderPanel(),
    });
    this.animation = new MarkerAnimation(this.store, this.map, this.selection);
    this.labels = new MapLabels(this.store, this.map, config, () => this.selected);
    this.replay = new Replay({
      config,
      map: this.map,
      serverNow: () => this.clock.now(Date.now()),
      selected: () => this.selected,
      following: () => this.following,
      markerClicked: (name) => this.select(name === this.selected ? null : name, { fly: false, reveal: true }),
      replayChanged: (active) => this.replayChanged(active),
    });
  }

  get selected(): string | null {
    return this.selection.selected;
  }

  get following(): boolean {
    return this.selection.following;
  }

  get connectionState(): ConnectionState {
    return this.feed.connectionState;
  }

  get ready(): boolean {
    return this.started;
  }

  start(): void {
    this.feed.start();
    setInterval(() => this.tick(), 500);
    // Back and forward go through the selections (each pushed a page address).
    window.addEventListener("popstate", () => {
      const name = vehicleFromUrl(location.href);
      if (name !== null && this.store.get(name) === undefined) this.linked = name;
      else this.select(name, { fly: true, reveal: true, history: "none" });
    });
    document.addEventListener("keydown", (event) => {
      // Escape deselects, except in a search box with text in it (there it clears the text).
      const target = event.target as HTMLInputElement | null;
      const typing = target?.tagName === "INPUT" && target.value !== "";
      if (event.key === "Escape" && this.selected !== null && !typing) this.select(null);
    });
    this.started = true;
  }

  /** Selects a vehicle (or none): highlight, Follow on the hub, history trail, fly to it; the page address says which. */
  select(name: string | null, options: SelectOptions = {}): void {
    const before = this.selected;
    // While a replay is shown the map flies to where the replay has the vehicle, not to where it is now.
    const replaying = this.replay.active;
    this.selection.select(name, replaying ? { ...options, fly: false } : options);
    if (this.selected === before) return;
    if (replaying) this.replay.selectionChanged(options.fly !== false);
    this.linked = null;
    const url = urlWithVehicle(location.href, this.selected);
    if (url === location.href || options.history === "none") return;
    const state = { vehicle: this.selected };
    if (options.history === "replace") history.replaceState(state, "", url);
    else history.pushState(state, "", url);
  }

  setFollowing(on: boolean): void {
    this.selection.setFollowing(on);
  }

  /** Names with a label on the map now. */
  labelledNames(): string[] {
    return [...this.map.labelledNames()];
  }

  renderedRowNames(): string[] {
    return this.list.renderedNames();
  }

  /**
   * Every report goes to the selected vehicle's trail at once; the markers and list get batches. The whole fleet
   * (`complete`) is applied at once, and whoever is not in it has left.
   */
  private receive(positions: Position[], complete: boolean): void {
    this.selection.addLive(positions);
    this.batcher.add(positions);
    if (!complete) return;
    this.batcher.flush();
    this.removeVehicles(this.store.missingFrom(new Set(positions.map((p) => p.name))));
  }

  /** Vehicles that left the fleet: off the map, the list and the counts at once. */
  private removeVehicles(names: readonly string[]): void {
    // A report of theirs still waiting for the next frame must not bring them back.
    this.batcher.flush();
    let removed = false;
    for (const name of names) {
      if (!this.store.remove(name)) continue;
      removed = true;
      if (name === this.selected) this.select(null, { history: "replace" });
      if (name === this.hovered) this.hovered = null;
      this.animation.stopped(name);
      this.map.removeMarker(name);
    }
    if (!removed) return;
    this.labels.schedule(true);
    this.renderList();
  }

  /**
   * A replay started: the live markers, labels and card leave the map and stop moving (the fleet is still kept up to
   * date from the hub), and the indicator says Replay. It ended: every live marker is put where its vehicle is now.
   */
  private replayChanged(active: boolean): void {
    this.indicator.setReplay(active);
    this.animation.paused = active;
    this.map.setLiveHidden(active);
    if (active) return;
    for (const vehicle of this.store.all()) {
      const p = vehicle.latest;
      const selected = vehicle.name === this.selected;
      if (!this.map.hasMarker(vehicle.name)) this.map.addMarker(vehicle.name, p, selected, vehicle.stale);
      else this.map.moveMarker(vehicle.name, p);
      this.map.setHeading(vehicle.name, arrowHeading(p.heading, p.speed, vehicle.stale, movingMph));
      this.map.setMarkerStyle(vehicle.name, selected, vehicle.stale);
      this.showIfFiltered(vehicle);
    }
    this.labels.schedule(true);
    this.renderList();
  }

  private applyBatch(positions: Position[]): void {
    const now = performance.now();
    if (this.replay.active) {
      // The fleet stays up to date for "Back to live"; its markers do not move while the replay is shown.
      for (const p of positions) this.store.apply(p, now);
      this.listDirty = true;
      return;
    }
    let added = false;
    for (const p of positions) {
      const wasStale = this.store.get(p.name)?.stale ?? false;
      const vehicle = this.store.apply(p, now);
      if (vehicle === null) continue;
      const selected = vehicle.name === this.selected;
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
    if (this.linked !== null && this.store.get(this.linked) !== undefined) {
      this.select(this.linked, { fly: true, reveal: true, history: "replace" });
      this.fitted = true;
    }
    if (!this.fitted && this.store.size > 0) {
      this.fitted = true;
      if (this.config.fitFleetOnStart && !this.userMoved) {
        this.map.fitTo([...this.store.all()].map((v) => v.motion.to), Math.max(this.config.zoom, this.config.selectZoom));
      }
    }
    this.listDirty = true;
    if (added) {
      this.labels.schedule();
      this.renderList();
    }
    this.animation.request();
  }

  /** Twice a second: staleness, the list (when it changed, or its ages each second), the panel and indicator. */
  private tick(): void {
    const serverNow = this.clock.now(Date.now());
    const staleMs = this.config.staleAfterSeconds * 1000;
    for (const vehicle of this.store.updateStaleness(serverNow, staleMs, this.config.offlineAfterSeconds * 1000)) {
      const p = vehicle.latest;
      this.map.setHeading(vehicle.name, arrowHeading(p.heading, p.speed, vehicle.stale, movingMph));
      this.map.setMarkerStyle(vehicle.name, vehicle.name === this.selected, vehicle.stale);
      this.showIfFiltered(vehicle);
      this.listDirty = true;
    }
    if (this.listDirty || performance.now() - this.lastListPaint >= 1000) this.renderList();
    this.indicator.tick();
    // Vehicles move between view changes: choose labels again every second.
    if (this.labels.age >= 1000) this.labels.schedule();
  }

  /** The search or the stale filter changed: the map shows what the list shows (the selected vehicle always). */
  private applyFilter(): void {
    for (const vehicle of this.store.all()) this.showIfFiltered(vehicle);
    this.labels.schedule(true);
    this.renderList(true);
  }

  private showIfFiltered(vehicle: Vehicle): void {
    const shown = vehicle.name === this.selected || isShown(vehicle, normalQuery(this.filter.query), this.filter.showStale);
    this.map.setShown(vehicle.name, shown);
  }

  /**
   * Paints the list. Sorted by a changing value (speed, last seen), rows would move several times a second: they
   * keep their order while the pointer or focus is in the list, and are re-sorted at most every `resortMs`
   * otherwise; `resort` sorts now (the user changed the sort, the search or the filter).
   */
  private renderList(resort = false): void {
    const now = performance.now();
    this.listDirty = false;
    this.lastListPaint = now;
    const serverNow = this.clock.now(Date.now());
    let rows = listRows(this.store.all(), this.filter, this.sort);
    const hold = !resort && this.sort.key !== "name" && (this.list.held || now - this.lastSort < resortMs);
    if (hold) rows = keepOrder(this.listOrder, rows);
    else this.lastSort = now;
    this.listOrder = rows.map((v) => v.name);
    this.list.update(rows, this.store.size, this.filter.query, this.selected, serverNow);
    this.list.showCounts(countByFreshness(this.store.all()));
    this.list.showProblem(this.restStatus === null ? null : `Vehicle list not loaded: ${formatRetry(this.restStatus, Date.now())}`);
    this.renderPanel();
    this.renderCard();
  }

  /** The card over the marker under the pointer, or else over the selected vehicle's. */
  private renderCard(): void {
    const name = this.hovered ?? this.selected;
    const vehicle = name === null ? undefined : this.store.get(name);
    if (vehicle === undefined) this.map.showCard(null);
    else this.map.showCard(vehicle.name, vehicleCard(vehicle, this.clock.now(Date.now())));
  }

  private renderPanel(): void {
    const name = this.selected;
    const vehicle = name === null ? undefined : this.store.get(name);
    this.panel.show(vehicle, this.following, this.clock.now(Date.now()), this.selection.historyStatus);
  }
}
