import { setText } from "./dom";
import { formatAge, formatClock, formatHeading, formatSpeed } from "./format";
import { formatRetry, type RetryStatus } from "./retrying";
import type { Vehicle } from "./state";
import type { ConnectionState } from "./types";

export interface PanelCallbacks {
  followToggled(): void;
  deselect(): void;
  /** The address of the page showing this vehicle. */
  link(): string;
}

/** The selected vehicle's details, the Follow toggle and the close button. */
export class SelectionPanel {
  private readonly name: HTMLElement;
  private readonly speed: HTMLElement;
  private readonly seen: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly position: HTMLElement;
  private readonly follow: HTMLButtonElement;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly historyStatus: HTMLElement;

  constructor(private readonly root: HTMLElement, callbacks: PanelCallbacks) {
    root.innerHTML = `
      <div class="selection-head">
        <h2 data-testid="selected-name"></h2>
        <button type="button" class="icon" data-testid="deselect" aria-label="Close vehicle details">✕</button>
      </div>
      <dl class="facts">
        <div><dt>Speed</dt><dd><span data-testid="selected-speed"></span> mph</dd></div>
        <div><dt>Heading</dt><dd data-testid="selected-heading"></dd></div>
        <div><dt>Last seen</dt><dd data-testid="selected-seen"></dd></div>
        <div class="position"><dt>Position</dt><dd data-testid="selected-position"></dd></div>
      </dl>
      <p class="load-problem" data-testid="history-status" role="status" hidden></p>
      <div class="selection-actions">
        <button type="button" class="toggle" data-testid="follow-toggle" aria-pressed="false">Follow</button>
        <button type="button" class="toggle" data-testid="copy-link">Copy link</button>
        <span class="copy-status" data-testid="copy-status" role="status"></span>
      </div>
      <input class="link-text" data-testid="link-text" readonly aria-label="Link to this vehicle" hidden>`;
    this.name = root.querySelector("h2")!;
    this.speed = root.querySelector("[data-testid=selected-speed]")!;
    this.heading = root.querySelector("[data-testid=selected-heading]")!;
    this.seen = root.querySelector("[data-testid=selected-seen]")!;
    this.position = root.querySelector("[data-testid=selected-position]")!;
    this.follow = root.querySelector("[data-testid=follow-toggle]")!;
    this.historyStatus = root.querySelector("[data-testid=history-status]")!;
    this.follow.addEventListener("click", () => callbacks.followToggled());
    root.querySelector("[data-testid=deselect]")!.addEventListener("click", () => callbacks.deselect());
    const copy = root.querySelector<HTMLButtonElement>("[data-testid=copy-link]")!;
    const status = root.querySelector<HTMLElement>("[data-testid=copy-status]")!;
    const linkText = root.querySelector<HTMLInputElement>("[data-testid=link-text]")!;
    copy.addEventListener("click", () => {
      const link = callbacks.link();
      const copied = navigator.clipboard?.writeText(link) ?? Promise.reject(new Error("no clipboard"));
      copied.then(
        () => {
          linkText.hidden = true;
          setText(status, "Link copied");
        },
        () => {
          // No clipboard here (a page served over plain HTTP from another host): the link to copy by hand.
          linkText.value = link;
          linkText.hidden = false;
          linkText.select();
          setText(status, "Copy the link below");
        },
      );
      clearTimeout(this.statusTimer);
      this.statusTimer = setTimeout(() => setText(status, ""), 4000);
    });
    root.hidden = true;
  }

  show(vehicle: Vehicle | undefined, following: boolean, serverNow: number, history: RetryStatus | null = null): void {
    if (vehicle === undefined) {
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    this.root.classList.toggle("stale", vehicle.stale);
    const p = vehicle.latest;
    setText(this.name, vehicle.name);
    setText(this.speed, vehicle.stale ? "–" : formatSpeed(p.speed));
    setText(this.heading, formatHeading(p.heading));
    setText(this.seen, `${formatClock(p.time)} (${formatAge(serverNow - p.time)})${vehicle.stale ? ", stale" : ""}`);
    setText(this.position, `${p.lat.toFixed(5)}, ${p.lng.toFixed(5)}`);
    this.historyStatus.hidden = history === null;
    setText(this.historyStatus, history === null ? "" : `History not loaded: ${formatRetry(history, Date.now())}`);
    this.follow.setAttribute("aria-pressed", String(following));
    setText(this.follow, following ? "Following" : "Follow");
  }
}

const labels: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/**
 * The live / reconnecting / offline indicator, with a retry button while offline. While a replay is shown it says
 * "Replay" (the map shows the past, not live positions) and how the live feed is meanwhile; `data-state` is what it
 * shows, `data-connection` the live connection's state.
 */
export class ConnectionIndicator {
  private readonly text: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly retry: HTMLButtonElement;
  private retryAt: number | null = null;
  private state: ConnectionState = "connecting";
  private replaying = false;

  constructor(private readonly root: HTMLElement, onRetry: () => void) {
    root.innerHTML = `<span class="dot" aria-hidden="true"></span><span class="text" role="status" aria-live="polite"></span>
      <span class="detail"></span>
      <button type="button" class="retry" data-testid="retry-now" hidden>Retry now</button>`;
    this.text = root.querySelector(".text")!;
    this.detail = root.querySelector(".detail")!;
    this.retry = root.querySelector(".retry")!;
    this.retry.addEventListener("click", onRetry);
    this.set("connecting", null);
  }

  set(state: ConnectionState, retryAt: number | null): void {
    this.state = state;
    this.retryAt = retryAt;
    this.root.dataset.connection = state;
    this.retry.hidden = state !== "offline";
    this.render();
  }

  /** A replay is shown (or no longer is). */
  setReplay(replaying: boolean): void {
    this.replaying = replaying;
    this.render();
  }

  private render(): void {
    this.root.dataset.state = this.replaying ? "replay" : this.state;
    setText(this.text, this.replaying ? "Replay" : labels[this.state]);
    this.tick();
  }

  /** Refreshes the retry countdown. */
  tick(): void {
    let detail = "";
    if (this.state === "offline" && !navigator.onLine) {
      detail = "no network";
    } else if (this.state === "offline") {
      const seconds = this.retryAt === null ? 0 : Math.ceil((this.retryAt - Date.now()) / 1000);
      detail = seconds > 0 ? `retrying in ${seconds} s` : "retrying…";
    }
    if (this.replaying) {
      const live = this.state === "live" ? "live feed connected" : `live feed ${labels[this.state].toLowerCase()}`;
      detail = detail === "" ? live : `${live}, ${detail}`;
    }
    setText(this.detail, detail);
  }
}
