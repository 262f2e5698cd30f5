import { VehicleList } from "./list";
import { formatRetry, type RetryStatus } from "./retrying";
import { countByFreshness, isShown, keepOrder, listRows, nextSortOrder, normalQuery, type ServerClock, type Vehicle, type VehicleFilter, type VehicleStore } from "./state";
import type { SortOrder } from "./types";

/** The list re-sorts by a changing value at most this often (and not while the pointer or focus is in it). */
const resortMs = 3000;

export interface FleetListCallbacks {
  rowClicked(name: string): void;
  /** An arrow key (or Home/End) moved to this row. */
  rowStepped(name: string): void;
  /** The search or the stale filter changed. */
  filterChanged(): void;
  /** The sort changed: the list is to be painted now, sorted. */
  sortChanged(): void;
}

/**
 * What the vehicle list (`list.ts`) shows of the store: the sort order, the search and the stale filter, when the
 * rows may move, and what it says above them (the counts by state, a REST read that failed).
 */
export class FleetList {
  private readonly list: VehicleList;
  private sort: SortOrder = { key: "name", direction: "asc" };
  private readonly filter: VehicleFilter = { query: "", showStale: true };
  private dirty = true;
  private lastPaint = 0;
  /** The list's order as last painted, and when it was last sorted (it re-sorts at most every few seconds). */
  private order: string[] = [];
  private lastSort = Number.NEGATIVE_INFINITY;
  private restStatus: RetryStatus | null = null;

  constructor(
    root: HTMLElement,
    private readonly store: VehicleStore,
    private readonly clock: ServerClock,
    private readonly selected: () => string | null,
    callbacks: FleetListCallbacks,
  ) {
    this.list = new VehicleList(root, {
      rowClicked: (name) => callbacks.rowClicked(name),
      rowStepped: (name) => callbacks.rowStepped(name),
      sortClicked: (key) => {
        this.sort = nextSortOrder(this.sort, key);
        this.list.showSort(this.sort);
        callbacks.sortChanged();
      },
      searchChanged: (query) => {
        this.filter.query = query;
        callbacks.filterChanged();
      },
      showStaleChanged: (show) => {
        this.filter.showStale = show;
        callbacks.filterChanged();
      },
    });
    this.list.showSort(this.sort);
  }

  /** Whether the search or the stale filter hides any vehicle. */
  get filtering(): boolean {
    return this.filter.query !== "" || !this.filter.showStale;
  }

  /** Whether the search and the stale filter show the vehicle. */
  shows(vehicle: Vehicle): boolean {
    return isShown(vehicle, normalQuery(this.filter.query), this.filter.showStale);
  }

  /** Something the list shows changed: it is painted on the next tick. */
  changed(): void {
    this.dirty = true;
  }

  /** Whether the list is due a paint: it changed, or its ages are a second old. */
  get due(): boolean {
    return this.dirty || performance.now() - this.lastPaint >= 1000;
  }

  /** A failed REST read of the fleet being retried (said above the list from the next paint on), or null. */
  setRestStatus(status: RetryStatus | null): void {
    this.restStatus = status;
  }

  /**
   * Paints the list. Sorted by a changing value (speed, last seen), rows would move several times a second: they
   * keep their order while the pointer or focus is in the list, and are re-sorted at most every `resortMs`
   * otherwise; `resort` sorts now (the user changed the sort, the search or the filter).
   */
  paint(resort: boolean): void {
    const now = performance.now();
    this.dirty = false;
    this.lastPaint = now;
    const serverNow = this.clock.now(Date.now());
    let rows = listRows(this.store.all(), this.filter, this.sort);
    const hold = !resort && this.sort.key !== "name" && (this.list.held || now - this.lastSort < resortMs);
    if (hold) rows = keepOrder(this.order, rows);
    else this.lastSort = now;
    this.order = rows.map((v) => v.name);
    this.list.update(rows, this.store.size, this.filter.query, this.selected(), serverNow);
    this.list.showCounts(countByFreshness(this.store.all()));
    this.list.showProblem(this.restStatus === null ? null : `Vehicle list not loaded: ${formatRetry(this.restStatus, Date.now())}`);
  }

  reveal(name: string): void {
    this.list.reveal(name);
  }

  focusRow(name: string): void {
    this.list.focusRow(name);
  }

  renderedNames(): string[] {
    return this.list.renderedNames();
  }
}
