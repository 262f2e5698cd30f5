import { setText } from "./dom";
import { formatAge, formatClock, formatSpeed } from "./format";
import type { Freshness, FreshnessCounts, Vehicle } from "./state";
import type { SortKey, SortOrder } from "./types";
import { visibleRange } from "./virtual";

export interface ListCallbacks {
  rowClicked(name: string): void;
  /** An arrow key (or Home/End) moved the selection to this row. */
  rowStepped(name: string): void;
  sortClicked(key: SortKey): void;
  searchChanged(query: string): void;
  showStaleChanged(show: boolean): void;
}

const freshnessLabels: [Freshness, string][] = [
  ["moving", "moving"],
  ["stopped", "stopped"],
  ["stale", "stale"],
  ["offline", "offline"],
];

/** Row height in pixels when the stylesheet does not say (its `--row`: taller on touch-sized screens). */
export const ROW_HEIGHT = 34;

interface RowElements {
  row: HTMLTableRowElement;
  button: HTMLButtonElement;
  seen: HTMLTimeElement;
  speed: HTMLTableCellElement;
  staleNote: HTMLSpanElement;
  staleShown: boolean;
  name: string | null;
}

const columns: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: "name", label: "Name", numeric: false },
  { key: "lastSeen", label: "Last seen", numeric: false },
  { key: "speed", label: "Speed mph", numeric: true },
];

/**
 * The vehicle table. Only the rows in view (plus a few) exist in the DOM, recycled from a pool, with spacer
 * rows above and below standing in for the rest, so thousands of vehicles cost the same as a screenful.
 */
export class VehicleList {
  private readonly scroller: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly topSpacer: HTMLTableRowElement;
  private readonly bottomSpacer: HTMLTableRowElement;
  private readonly count: HTMLElement;
  private readonly counts = new Map<Freshness, HTMLElement>();
  private readonly noMatches: HTMLElement;
  private readonly problem: HTMLElement;
  private readonly headers = new Map<SortKey, HTMLTableCellElement>();
  private readonly pool: RowElements[] = [];
  private rows: Vehicle[] = [];
  private selected: string | null = null;
  private serverNow = Date.now();
  private frame = 0;
  private rowHeight = ROW_HEIGHT;
  private pointerInside = false;
  /** The vehicle whose row button has the keyboard focus: it keeps it when rows are recycled. */
  private focusedName: string | null = null;

  constructor(root: HTMLElement, callbacks: ListCallbacks) {
    root.innerHTML = `
      <div class="list-head">
        <h2 id="vehicles-heading">Vehicles</h2>
        <span class="count" data-testid="vehicle-count" aria-live="polite"></span>
      </div>
      <label class="visually-hidden" for="vehicle-search">Search vehicles by name</label>
      <input id="vehicle-search" type="search" placeholder="Search by name" autocomplete="off" spellcheck="false" data-testid="vehicle-search">
      <div class="fleet-filter">
        <ul class="fleet-counts" data-testid="fleet-counts" aria-label="Vehicles by state">
          ${freshnessLabels.map(([key, label]) => `<li data-freshness="${key}"><span class="swatch" aria-hidden="true"></span><span data-testid="count-${key}">0</span> ${label}</li>`).join("")}
        </ul>
        <label class="show-stale"><input type="checkbox" data-testid="show-stale" checked> Show stale/offline</label>
      </div>
      <p class="load-problem" data-testid="api-status" role="status" hidden></p>
      <p class="no-matches" data-testid="no-matches" role="status" hidden></p>
      <div class="table-scroll" data-testid="vehicle-list" role="region" aria-labelledby="vehicles-heading" tabindex="0">
        <table class="vehicles">
          <thead><tr></tr></thead>
          <tbody></tbody>
        </table>
      </div>`;
    this.scroller = root.querySelector(".table-scroll")!;
    this.count = root.querySelector(".count")!;
    this.noMatches = root.querySelector(".no-matches")!;
    this.problem = root.querySelector("[data-testid=api-status]")!;
    for (const [key] of freshnessLabels) this.counts.set(key, root.querySelector(`[data-testid=count-${key}]`)!);
    const showStale = root.querySelector<HTMLInputElement>("[data-testid=show-stale]")!;
    showStale.addEventListener("change", () => callbacks.showStaleChanged(showStale.checked));
    const headRow = root.querySelector("thead tr")!;
    for (const col of columns) {
      const th = document.createElement("th");
      th.scope = "col";
      if (col.numeric) th.className = "num";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.dataset.sort = col.key;
      button.dataset.testid = `sort-${col.key}`;
      button.innerHTML = `${col.label}<span class="arrow" aria-hidden="true"></span>`;
      button.addEventListener("click", () => callbacks.sortClicked(col.key));
      th.appendChild(button);
      headRow.appendChild(th);
      this.headers.set(col.key, th);
    }
    this.tbody = root.querySelector("tbody")!;
    this.topSpacer = this.spacer();
    this.bottomSpacer = this.spacer();
    this.tbody.append(this.topSpacer, this.bottomSpacer);
    this.tbody.addEventListener("click", (event) => {
      const row = (event.target as HTMLElement).closest<HTMLTableRowElement>("tr[data-name]");
      if (row?.dataset.name !== undefined) callbacks.rowClicked(row.dataset.name);
    });
    const search = root.querySelector<HTMLInputElement>("#vehicle-search")!;
    search.addEventListener("input", () => callbacks.searchChanged(search.value));
    this.scroller.addEventListener("scroll", () => this.requestPaint(), { passive: true });
    new ResizeObserver(() => {
      this.rowHeight = parseFloat(getComputedStyle(this.scroller).getPropertyValue("--row")) || ROW_HEIGHT;
      this.requestPaint();
    }).observe(this.scroller);
    this.scroller.addEventListener("pointerenter", () => (this.pointerInside = true));
    this.scroller.addEventListener("pointerleave", () => (this.pointerInside = false));
    this.tbody.addEventListener("focusin", (event) => {
      this.focusedName = (event.target as HTMLElement).closest<HTMLTableRowElement>("tr[data-name]")?.dataset.name ?? null;
    });
    this.tbody.addEventListener("focusout", (event) => {
      if (!this.tbody.contains(event.relatedTarget as Node | null)) this.focusedName = null;
    });
    this.scroller.addEventListener("keydown", (event) => {
      const name = this.step(event.key);
      if (name === null) return;
      event.preventDefault();
      callbacks.rowStepped(name);
    });
  }

  /** New rows (already filtered and sorted, by `query`) out of `total` vehicles. */
  update(rows: Vehicle[], total: number, query: string, selected: string | null, serverNow: number): void {
    this.rows = rows;
    this.selected = selected;
    this.serverNow = serverNow;
    setText(this.count, rows.length === total ? `${total} vehicles` : `${rows.length} of ${total} vehicles`);
    const empty = rows.length === 0 && total > 0;
    this.noMatches.hidden = !empty;
    if (empty) setText(this.noMatches, query.trim() === "" ? "No live vehicles: stale and offline ones are hidden." : `No vehicles match “${query.trim()}”.`);
    this.paint();
  }

  /** Why the list may be behind (a failed REST read being retried), or null. */
  showProblem(text: string | null): void {
    this.problem.hidden = text === null;
    setText(this.problem, text ?? "");
  }

  /** The fleet by state, whatever the filter shows. */
  showCounts(counts: FreshnessCounts): void {
    for (const [key, el] of this.counts) setText(el, String(counts[key]));
  }

  showSort(order: SortOrder): void {
    for (const [key, th] of this.headers) {
      const active = key === order.key;
      th.setAttribute("aria-sort", active ? (order.direction === "asc" ? "ascending" : "descending") : "none");
      th.querySelector(".arrow")!.textContent = active ? (order.direction === "asc" ? " ▲" : " ▼") : "";
    }
  }

  /** Whether the pointer or the keyboard focus is in the list: rows should not move under it. */
  get held(): boolean {
    return this.pointerInside || this.scroller.contains(document.activeElement);
  }

  /** Scrolls the selected vehicle's row into view if it is not. */
  reveal(name: string): void {
    const index = this.rows.findIndex((v) => v.name === name);
    if (index < 0) return;
    const top = index * this.rowHeight;
    const headerHeight = this.tbody.offsetTop;
    const viewTop = this.scroller.scrollTop;
    const viewHeight = this.scroller.clientHeight - headerHeight;
    if (top < viewTop || top + this.rowHeight > viewTop + viewHeight) {
      this.scroller.scrollTop = Math.max(0, top - viewHeight / 2);
    }
  }

  /** Moves the keyboard focus to a vehicle's row button (after it was revealed and painted). */
  focusRow(name: string): void {
    this.focusedName = name;
    this.paint();
    this.pool.find((r) => r.name === name && r.row.isConnected)?.button.focus({ preventScroll: true });
  }

  /** The row an arrow key (or Home/End) moves to from the selected one, or null for another key. */
  private step(key: string): string | null {
    if (this.rows.length === 0) return null;
    const index = this.selected === null ? -1 : this.rows.findIndex((v) => v.name === this.selected);
    let next: number;
    switch (key) {
      case "ArrowDown":
        next = Math.min(this.rows.length - 1, index + 1);
        break;
      case "ArrowUp":
        next = index < 0 ? 0 : Math.max(0, index - 1);
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = this.rows.length - 1;
        break;
      default:
        return null;
    }
    return this.rows[next]!.name;
  }

  /** Names of the rows in the DOM, top to bottom (for tests). */
  renderedNames(): string[] {
    return this.pool.filter((r) => r.row.isConnected && r.name !== null).map((r) => r.name!);
  }

  private spacer(): HTMLTableRowElement {
    const tr = document.createElement("tr");
    tr.className = "spacer";
    tr.setAttribute("aria-hidden", "true");
    tr.appendChild(document.createElement("td")).colSpan = columns.length;
    return tr;
  }

  private requestPaint(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  private paint(): void {
    const headerHeight = this.tbody.offsetTop;
    const { start, end } = visibleRange(this.scroller.scrollTop - headerHeight, this.scroller.clientHeight, this.rowHeight, this.rows.length);
    const needed = end - start;
    while (this.pool.length < needed) this.pool.push(this.createRow());
    this.topSpacer.style.height = `${start * this.rowHeight}px`;
    this.bottomSpacer.style.height = `${(this.rows.length - end) * this.rowHeight}px`;
    let before: ChildNode = this.bottomSpacer;
    for (let i = needed - 1; i >= 0; i--) {
      const el = this.pool[i]!;
      this.fill(el, this.rows[start + i]!);
      if (el.row.nextSibling !== before || !el.row.isConnected) this.tbody.insertBefore(el.row, before);
      before = el.row;
    }
    for (let i = needed; i < this.pool.length; i++) {
      const el = this.pool[i]!;
      if (el.row.isConnected) el.row.remove();
      el.name = null;
    }
    this.topSpacer.hidden = start === 0;
    this.bottomSpacer.hidden = end === this.rows.length;
    // Recycled rows show other vehicles now: the focus follows its vehicle, not the row element.
    const focused = document.activeElement;
    if (this.focusedName !== null && focused instanceof HTMLElement && this.tbody.contains(focused)) {
      const holder = this.pool.find((r) => r.name === this.focusedName && r.row.isConnected);
      if (holder !== undefined && !holder.row.contains(focused)) holder.button.focus({ preventScroll: true });
    }
  }

  private createRow(): RowElements {
    const row = document.createElement("tr");
    row.dataset.testid = "vehicle-row";
    const nameCell = row.insertCell();
    const button = document.createElement("button");
    button.type = "button";
    button.className = "row-select";
    nameCell.appendChild(button);
    const seenCell = row.insertCell();
    const seen = document.createElement("time");
    seenCell.appendChild(seen);
    const speed = row.insertCell();
    speed.className = "num";
    const staleNote = document.createElement("span");
    staleNote.className = "visually-hidden";
    staleNote.textContent = " (stale)";
    return { row, button, seen, speed, staleNote, staleShown: false, name: null };
  }

  private fill(el: RowElements, vehicle: Vehicle): void {
    const { row, button, seen, speed } = el;
    const selected = vehicle.name === this.selected;
    if (el.name !== vehicle.name) {
      el.name = vehicle.name;
      row.dataset.name = vehicle.name;
      button.textContent = vehicle.name;
    }
    row.classList.toggle("selected", selected);
    row.classList.toggle("stale", vehicle.stale);
    row.dataset.stale = String(vehicle.stale);
    button.setAttribute("aria-pressed", String(selected));
    const time = vehicle.latest.time;
    const age = formatAge(this.serverNow - time);
    if (seen.textContent !== age) seen.textContent = age;
    // Stale rows are greyed and italic; screen readers hear it from the hidden text.
    if (vehicle.stale !== (el.staleShown)) {
      el.staleShown = vehicle.stale;
      if (vehicle.stale) seen.after(el.staleNote);
      else el.staleNote.remove();
    }
    const iso = new Date(time).toISOString();
    if (seen.dateTime !== iso) {
      seen.dateTime = iso;
      seen.title = formatClock(time);
    }
    // A stale vehicle's last speed is not its speed now.
    const mph = vehicle.stale ? "" : formatSpeed(vehicle.latest.speed);
    if (speed.textContent !== mph) speed.textContent = mph;
  }
}
