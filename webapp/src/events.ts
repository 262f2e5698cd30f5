import { formatClock } from "./format";
import { parseList, parseTime } from "./parse";

/** The kinds of fleet event the server sends (`FleetEventKind` in the API contract). */
export type FleetEventKind =
  | "overspeed_started"
  | "overspeed_ended"
  | "stopped"
  | "moving_again"
  | "geofence_entered"
  | "geofence_left";

/** One fleet event, parsed: `time` in epoch milliseconds. */
export interface FleetEvent {
  id: string;
  vehicle: string;
  kind: FleetEventKind;
  time: number;
  speedKph: number | null;
  geofence: string | null;
  limitKph: number | null;
}

const kinds: Record<FleetEventKind, { icon: string; label: string }> = {
  overspeed_started: { icon: "⚠", label: "Overspeed" },
  overspeed_ended: { icon: "✓", label: "Back under the limit" },
  stopped: { icon: "■", label: "Stopped" },
  moving_again: { icon: "▶", label: "Moving again" },
  geofence_entered: { icon: "⬉", label: "Entered" },
  geofence_left: { icon: "⬊", label: "Left" },
};

const isKind = (value: unknown): value is FleetEventKind => typeof value === "string" && Object.hasOwn(kinds, value);
const numberOrNull = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** An event from the hub or `/api/events`; null when it is not one (untrusted input). */
export function parseFleetEvent(raw: unknown): FleetEvent | null {
  if (typeof raw !== "object" || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const time = parseTime(r.time);
  if (typeof r.id !== "string" || r.id === "" || typeof r.vehicle !== "string" || r.vehicle === "" || !isKind(r.kind) || !Number.isFinite(time)) {
    return null;
  }
  return {
    id: r.id,
    vehicle: r.vehicle,
    kind: r.kind,
    time,
    speedKph: numberOrNull(r.speedKph),
    geofence: typeof r.geofence === "string" ? r.geofence : null,
    limitKph: numberOrNull(r.limitKph),
  };
}

export const parseFleetEvents = (raw: unknown): FleetEvent[] => parseList(raw, parseFleetEvent);

/** km/h per mph: events carry km/h (the limits are configured so), the page speaks mph like its list. */
const kphPerMph = 1.609344;

/**
 * The icon and the one-line description of an event, e.g. "Overspeed 39 mph (limit 31 mph)", "Entered Depot". In mph,
 * as the list and the card give speeds, so one screen never mixes units.
 */
export function describeEvent(event: FleetEvent): { icon: string; text: string } {
  const { icon, label } = kinds[event.kind];
  switch (event.kind) {
    case "overspeed_started":
    case "overspeed_ended": {
      const speed = event.speedKph === null ? "" : ` ${Math.round(event.speedKph / kphPerMph)} mph`;
      const limit = event.limitKph === null ? "" : ` (limit ${Math.round(event.limitKph / kphPerMph)} mph)`;
      return { icon, text: `${label}${speed}${limit}` };
    }
    case "geofence_entered":
    case "geofence_left":
      return { icon, text: `${label} ${event.geofence ?? "a geofence"}` };
    default:
      return { icon, text: label };
  }
}

/**
 * The feed's events: newest first, each id once (the same event can come from `/api/events` and from the hub),
 * at most `capacity` (the oldest fall off).
 */
export class EventFeedModel {
  private events: FleetEvent[] = [];

  constructor(readonly capacity = 50) {}

  /** Adds events in any order; returns whether the feed changed. */
  add(events: readonly FleetEvent[]): boolean {
    const known = new Set(this.events.map((e) => e.id));
    const fresh = events.filter((e) => !known.has(e.id) && (known.add(e.id), true));
    if (fresh.length === 0) return false;
    const merged = [...this.events, ...fresh].sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : 1)).slice(0, this.capacity);
    const changed = merged.length !== this.events.length || merged.some((e, i) => e !== this.events[i]);
    this.events = merged;
    return changed;
  }

  get list(): readonly FleetEvent[] {
    return this.events;
  }
}

/**
 * The live event feed under the selected vehicle: recent events from `/api/events` at start, then the hub's
 * `fleetEvents`; a click (or Enter) on an event selects its vehicle and flies to it.
 */
export class EventFeedPanel {
  private readonly model: EventFeedModel;
  private readonly items: HTMLOListElement;
  private readonly rows = new Map<string, HTMLLIElement>();

  constructor(
    private readonly root: HTMLElement,
    private readonly recent: (limit: number) => Promise<FleetEvent[]>,
    private readonly chosen: (vehicle: string) => void,
    capacity = 50,
  ) {
    this.model = new EventFeedModel(capacity);
    const heading = document.createElement("h2");
    heading.textContent = "Fleet events";
    this.items = document.createElement("ol");
    this.items.className = "event-items";
    root.replaceChildren(heading, this.items);
    this.render();
  }

  /** Reads the recent events once; a failure leaves the feed to the hub (it says so in the console). */
  async load(): Promise<void> {
    try {
      this.add(await this.recent(this.model.capacity));
    } catch (error) {
      console.warn("fleetman: recent events could not be read", error);
    }
  }

  add(events: readonly FleetEvent[]): void {
    if (this.model.add(events)) this.render();
  }

  /**
   * Shows the model's events, keyed by id: a row already shown stays the same element in the same place while newer
   * events arrive around it, so a click that starts on it (mouse down, then up) ends on it too. Re-creating every row
   * at each event made clicks miss while events streamed in.
   */
  private render(): void {
    const events = this.model.list;
    if (events.length === 0) {
      const empty = document.createElement("li");
      empty.className = "event-empty";
      empty.textContent = "No events yet.";
      this.items.replaceChildren(empty);
      this.rows.clear();
      return;
    }
    this.items.querySelector(":scope > .event-empty")?.remove();
    const shown = new Set(events.map((event) => event.id));
    for (const [id, row] of this.rows) {
      if (!shown.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    // The rows kept are already in the model's order (newest first, which never changes for an event), so only new
    // rows are inserted; each goes before the first row that follows it.
    let next: ChildNode | null = this.items.firstChild;
    for (const event of events) {
      let row = this.rows.get(event.id);
      if (row === undefined) {
        row = this.row(event);
        this.rows.set(event.id, row);
      }
      if (row === next) {
        next = row.nextSibling;
      } else {
        this.items.insertBefore(row, next);
      }
    }
    this.root.dataset.count = String(events.length);
  }

  private row(event: FleetEvent): HTMLLIElement {
    const { icon, text } = describeEvent(event);
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `event event-${event.kind}`;
    button.dataset.testid = "fleet-event";
    button.dataset.kind = event.kind;
    button.dataset.vehicle = event.vehicle;
    const mark = document.createElement("span");
    mark.className = "event-icon";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = icon;
    const what = document.createElement("span");
    what.className = "event-text";
    what.textContent = `${event.vehicle}: ${text}`;
    const when = document.createElement("time");
    when.dateTime = new Date(event.time).toISOString();
    when.textContent = formatClock(event.time);
    button.append(mark, what, when);
    button.addEventListener("click", () => this.chosen(event.vehicle));
    item.append(button);
    return item;
  }
}
