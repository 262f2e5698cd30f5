import { MarkerAnimation } from "./animation";
import { frameScheduler, PositionBatcher } from "./batch";
import { vehicleCard } from "./card";
import type { AppConfig } from "./config";
import { fetchEvents } from "./api";
import { EventFeedPanel } from "./events";
import { PositionFeed, type HubControl } from "./feed";
import { FirstPaint } from "./first-paint";
import { FleetList } from "./fleet-list";
import { retryDelay } from "./follow";
import { LiveMarkers } from "./live-markers";
import { MapView } from "./map";
import { MapLabels } from "./map-labels";
import { ConnectionIndicator, SelectionPanel } from "./panel";
import type { Replay } from "./replay";
import { replayFromUrl } from "./replay-clock";
import { Selection, type SelectOptions } from "./selection";
import { ServerClock, VehicleStore } from "./state";
import type { ConnectionState, LatLng, Position } from "./types";
import { VehicleLink } from "./vehicle-link";

export interface AppElements {
  map: HTMLElement;
  list: HTMLElement;
  selection: HTMLElement;
  connection: HTMLElement;
  /** The fleet event feed; none on a page without one. */
  events?: HTMLElement;
}

/**
 * Wires the page together: positions from the feed (`feed.ts`) into the store, batched per frame onto the map
 * (`live-markers.ts` places the markers, `animation.ts` moves them, `map-labels.ts` names them) and the list
 * (`fleet-list.ts`); the selection (`selection.ts`), the page address (`vehicle-link.ts`) and the panel; staleness
 * and repaints twice a second. Pure logic lives in the modules these import.
 */
export class App {
  readonly store = new VehicleStore();
  readonly clock = new ServerClock();
  readonly map: MapView;
  /** The hub's Follow and retry; its SignalR client loads after the first paint (`feed.ts`). */
  readonly hub: HubControl;
  /** The first vehicles on screen: what the first paint does not need waits for it. */
  private readonly firstPaint = new FirstPaint();
  /**
   * The stored history played back on the map; while it is shown the live markers wait (`replayChanged`). A chunk of
   * its own (its control, reader and layer), loaded after the first paint, at once for a link naming a replay: null
   * until it has loaded.
   */
  private replayValue: Replay | null = null;
  /** A replay is shown, or the page address names one whose chunk is loading: the live markers wait. */
  private replayShown = false;
  private readonly feed: PositionFeed;
  private readonly selection: Selection;
  private readonly animation: MarkerAnimation;
  private readonly markers: LiveMarkers;
  private readonly labels: MapLabels;
  private readonly list: FleetList;
  private readonly link: VehicleLink;
  private readonly panel: SelectionPanel;
  private readonly events: EventFeedPanel | null;
  private readonly indicator: ConnectionIndicator;
  private readonly batcher: PositionBatcher;
  private fitted = false;
  private userMoved = false;
  private started = false;
  /** The vehicle under the pointer: its card shows (else the selected vehicle's). */
  private hovered: string | null = null;

  constructor(
    readonly config: AppConfig,
    elements: AppElements,
  ) {
    // First: its REST request goes out while the map, the list and the panels are made.
    this.feed = new PositionFeed(config, this.clock, {
      received: (positions, complete) => this.receive(positions, complete),
      removed: (names) => this.removeVehicles(names),
      events: (events) => this.events?.add(events),
      connectionChanged: (state, retryAt) => this.indicator.set(state, retryAt),
      restStatus: (status) => {
        this.list.setRestStatus(status);
        this.renderList();
      },
    });
    this.hub = this.feed;
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
        this.replayValue?.redraw();
      },
    }, this.firstPaint.done);
    this.list = new FleetList(elements.list, this.store, this.clock, () => this.selected, {
      rowClicked: (name) => this.select(name === this.selected ? null : name, { fly: true, reveal: false }),
      rowStepped: (name) => {
        // Moving through the list with the keyboard: one history entry for the walk, not one per row.
        this.select(name, { fly: true, reveal: true, history: "replace" });
        this.list.focusRow(name);
      },
      sortChanged: () => this.renderList(true),
      filterChanged: () => this.applyFilter(),
    });
    this.link = new VehicleLink(
      (name) => this.store.get(name) !== undefined,
      (name, options) => this.select(name, options),
    );
    this.panel = new SelectionPanel(elements.selection, {
      followToggled: () => this.setFollowing(!this.following),
      deselect: () => this.select(null),
      link: () => location.href,
    });
    this.events = elements.events
      ? new EventFeedPanel(elements.events, (limit) => fetchEvents(config.apiBase, limit), (name) => this.link.open(name, { fly: true, reveal: true }))
      : null;
    this.indicator = new ConnectionIndicator(elements.connection, () => this.hub.retryNow());
    this.batcher = new PositionBatcher(frameScheduler(), (positions) => this.applyBatch(positions));
    this.selection = new Selection(this.store, this.map, config, {
      follow: (name) => this.hub.select(name),
      selectionChanged: (name, options) => {
        // The selected vehicle shows whatever the filter says; the one before it may not.
        if (this.list.filtering) this.applyFilter();
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
    this.markers = new LiveMarkers(this.store, this.map, this.animation, () => this.selected, (vehicle) => this.list.shows(vehicle));
    this.labels = new MapLabels(this.store, this.map, config, () => this.selected);
  }

  get replay(): Replay | null {
    return this.replayValue;
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
    if (replayFromUrl(location.href) !== null) {
      // A link naming a replay: the live markers wait from the start, as they would for a replay started here.
      this.replayChanged(true);
      void this.loadReplay();
    } else {
      void this.firstPaint.done.then(() => this.loadReplay());
    }
    // The recent events are a request of their own: not beside the first list.
    void this.firstPaint.done.then(() => this.events?.load());
    setInterval(() => this.tick(), 500);
    this.link.listen();
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
    const replaying = this.replayShown;
    this.selection.select(name, replaying ? { ...options, fly: false } : options);
    if (this.selected === before) return;
    if (replaying) this.replayValue?.selectionChanged(options.fly !== false);
    this.link.selectionChanged(this.selected, options.history);
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
      this.markers.remove(name);
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
    this.replayShown = active;
    this.indicator.setReplay(active);
    this.animation.paused = active;
    this.map.setLiveHidden(active);
    if (active) return;
    this.markers.restoreAll();
    this.labels.schedule(true);
    this.renderList();
  }

  private applyBatch(positions: Position[]): void {
    const now = performance.now();
    if (this.store.size === 0 && positions.length > 0) {
      performance.mark("fleetman:first-vehicles");
      this.firstPaint.drawn();
    }
    if (this.replayShown) {
      // The fleet stays up to date for "Back to live"; its markers do not move while the replay is shown.
      for (const p of positions) this.store.apply(p, now);
      this.list.changed();
      return;
    }
    if (!this.fitted && this.store.size === 0 && positions.length > 0 && !this.link.waiting) {
      // The first vehicles: the map is fitted to them before their markers are added, so each marker is placed once,
      // in the final view (fitting afterwards projects every marker a second time, most of a first paint's work).
      this.fitted = true;
      this.fitFleet(newestPoints(positions));
    }
    const added = this.markers.apply(positions, now);
    if (this.link.arrived()) this.fitted = true;
    if (!this.fitted && this.store.size > 0) {
      this.fitted = true;
      this.fitFleet([...this.store.all()].map((v) => v.motion.to));
    }
    this.list.changed();
    if (added) {
      this.labels.schedule();
      this.renderList();
    }
    this.animation.request();
  }

  /**
   * Loads the replay's chunk and adds its control to the map; a replay the page address names starts. A failed load
   * (offline, a new release) is tried again later, the live view shown meanwhile.
   */
  private async loadReplay(attempt = 0): Promise<void> {
    let replayModule: typeof import("./replay");
    try {
      replayModule = await import("./replay");
    } catch (error) {
      console.warn(`fleetman: the replay did not load: ${error instanceof Error ? error.message : String(error)}`);
      if (this.replayShown) this.replayChanged(false);
      setTimeout(() => void this.loadReplay(attempt + 1), retryDelay(attempt));
      return;
    }
    if (this.replayValue !== null) return;
    this.replayValue = new replayModule.Replay({
      config: this.config,
      map: this.map,
      serverNow: () => this.clock.now(Date.now()),
      selected: () => this.selected,
      following: () => this.following,
      markerClicked: (name) => this.select(name === this.selected ? null : name, { fly: false, reveal: true }),
      replayChanged: (active) => this.replayChanged(active),
    });
    this.replayValue.startLinked();
    // The address named a window no longer valid to start (or none): the live view.
    if (!this.replayValue.active && this.replayShown) this.replayChanged(false);
  }

  /** Fits the map to the fleet once, unless the settings or the user's own move say not to. */
  private fitFleet(points: readonly LatLng[]): void {
    if (this.config.fitFleetOnStart && !this.userMoved) this.map.fitTo(points, Math.max(this.config.zoom, this.config.selectZoom));
  }

  /** Twice a second: staleness, the list (when it changed, or its ages each second), the panel and indicator. */
  private tick(): void {
    const serverNow = this.clock.now(Date.now());
    const staleMs = this.config.staleAfterSeconds * 1000;
    for (const vehicle of this.store.updateStaleness(serverNow, staleMs, this.config.offlineAfterSeconds * 1000)) {
      this.markers.staleChanged(vehicle);
      this.list.changed();
    }
    if (this.list.due) this.renderList();
    this.indicator.tick();
    // Vehicles move between view changes: choose labels again every second.
    if (this.labels.age >= 1000) this.labels.schedule();
  }

  /** The search or the stale filter changed: the map shows what the list shows (the selected vehicle always). */
  private applyFilter(): void {
    this.markers.filterChanged();
    this.labels.schedule(true);
    this.renderList(true);
  }

  /** The list (`resort`: sorted now, see `FleetList.paint`), the panel and the card. */
  private renderList(resort = false): void {
    this.list.paint(resort);
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

/** Where each vehicle of a batch ends up: its newest report, as the store keeps it. */
function newestPoints(positions: readonly Position[]): LatLng[] {
  const newest = new Map<string, Position>();
  for (const p of positions) {
    const seen = newest.get(p.name);
    if (seen === undefined || p.time > seen.time) newest.set(p.name, p);
  }
  return [...newest.values()].map((p) => ({ lat: p.lat, lng: p.lng }));
}
