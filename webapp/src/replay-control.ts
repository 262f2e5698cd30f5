import L from "leaflet";
import { setText } from "./dom";
import { formatClock } from "./format";
import { fromLocalInput, lastMinutes, replayPresets, replaySpeeds, toLocalInput, windowProblem, type TimeWindow } from "./replay-clock";

/** What the controls need from the page. */
export interface ReplayControlHost {
  /** The server's time now, epoch ms (the presets end there). */
  serverNow(): number;
  selected(): string | null;
}

/** What the controls ask of the replay. */
export interface ReplayControlCallbacks {
  start(window: TimeWindow, vehicle: string | null): void;
  playToggled(): void;
  speedChanged(speed: number): void;
  seeked(time: number): void;
  backToLive(): void;
}

/**
 * The replay's controls, over the map's top right corner: a "Replay" button that opens the choice of what (the whole
 * fleet or the selected vehicle) and when (a preset, or from and to), then the player: play/pause, speed, the
 * scrubber with the play head's time, what holds it up, and "Back to live". Native controls only, so the keyboard and
 * screen readers work as they do everywhere.
 */
export class ReplayControl extends L.Control {
  private readonly root: HTMLElement;
  private readonly open: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly setup: HTMLFormElement;
  private readonly player: HTMLElement;
  private readonly scope: HTMLSelectElement;
  private readonly preset: HTMLSelectElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly problem: HTMLElement;
  private readonly play: HTMLButtonElement;
  private readonly speed: HTMLSelectElement;
  private readonly time: HTMLElement;
  private readonly scrubber: HTMLInputElement;
  private readonly status: HTMLElement;
  private scrubbing = false;
  private shownSecond = Number.NaN;

  constructor(
    private readonly host: ReplayControlHost,
    callbacks: ReplayControlCallbacks,
  ) {
    super({ position: "topright" });
    const root = L.DomUtil.create("div", "replay-control leaflet-control");
    root.dataset.testid = "replay";
    root.innerHTML = `
      <button type="button" class="toggle replay-open" data-testid="replay-open" aria-expanded="false" aria-controls="replay-panel">Replay…</button>
      <div class="replay-panel" id="replay-panel" role="group" aria-label="Replay" hidden>
        <form class="replay-setup" data-testid="replay-setup">
          <h2 class="replay-title">Replay the stored history</h2>
          <div class="replay-row">
            <label>What <select data-testid="replay-scope">
              <option value="fleet">The whole fleet</option><option value="vehicle">The selected vehicle</option>
            </select></label>
            <label>When <select data-testid="replay-preset">
              ${replayPresets.map((p) => `<option value="${p.minutes}">${p.label}</option>`).join("")}<option value="custom">From … to …</option>
            </select></label>
          </div>
          <div class="replay-row">
            <label>From <input type="datetime-local" step="1" data-testid="replay-from"></label>
            <label>To <input type="datetime-local" step="1" data-testid="replay-to"></label>
          </div>
          <p class="load-problem" data-testid="replay-problem" role="alert" hidden></p>
          <div class="replay-row">
            <button type="submit" class="toggle primary" data-testid="replay-start">Play</button>
            <button type="button" class="toggle" data-testid="replay-cancel">Cancel</button>
          </div>
        </form>
        <div class="replay-player" data-testid="replay-player" hidden>
          <div class="replay-row">
            <button type="button" class="toggle" data-testid="replay-play">Pause</button>
            <label>Speed <select data-testid="replay-speed">
              ${replaySpeeds.map((s) => `<option value="${s}">${s}×</option>`).join("")}
            </select></label>
            <output class="replay-time" data-testid="replay-time"></output>
            <button type="button" class="toggle primary" data-testid="replay-live">Back to live</button>
          </div>
          <input type="range" class="replay-scrubber" data-testid="replay-scrubber" aria-label="Play head" step="1000">
          <p class="replay-status" data-testid="replay-status" role="status"></p>
        </div>
      </div>`;
    this.root = root;
    const q = <T extends HTMLElement>(testid: string): T => root.querySelector<T>(`[data-testid=${testid}]`)!;
    this.open = q("replay-open");
    this.panel = root.querySelector(".replay-panel")!;
    this.setup = q("replay-setup");
    this.player = q("replay-player");
    this.scope = q("replay-scope");
    this.preset = q("replay-preset");
    this.from = q("replay-from");
    this.to = q("replay-to");
    this.problem = q("replay-problem");
    this.play = q("replay-play");
    this.speed = q("replay-speed");
    this.time = q("replay-time");
    this.scrubber = q("replay-scrubber");
    this.status = q("replay-status");
    // The map must not pan, zoom or take the keys while the controls are used.
    L.DomEvent.disableClickPropagation(root);
    L.DomEvent.disableScrollPropagation(root);

    this.open.addEventListener("click", () => this.showSetup());
    q("replay-cancel").addEventListener("click", () => this.showClosed());
    this.preset.addEventListener("change", () => this.fillPreset());
    for (const input of [this.from, this.to]) input.addEventListener("input", () => (this.preset.value = "custom"));
    this.setup.addEventListener("submit", (event) => {
      event.preventDefault();
      if (this.preset.value !== "custom") this.fillPreset();
      const window = { from: fromLocalInput(this.from.value), to: fromLocalInput(this.to.value) };
      const problem = windowProblem(window, host.serverNow());
      this.problem.hidden = problem === null;
      setText(this.problem, problem ?? "");
      if (problem !== null) return;
      callbacks.start(window, this.scope.value === "vehicle" ? host.selected() : null);
    });
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.panel.hidden && !this.setup.hidden) {
        event.stopPropagation();
        this.showClosed();
      }
    });
    this.play.addEventListener("click", () => callbacks.playToggled());
    this.speed.addEventListener("change", () => callbacks.speedChanged(Number(this.speed.value)));
    q("replay-live").addEventListener("click", () => callbacks.backToLive());
    // While the thumb is held the play head follows it, not the other way round.
    this.scrubber.addEventListener("pointerdown", () => (this.scrubbing = true));
    for (const type of ["pointerup", "pointercancel", "change", "blur"]) this.scrubber.addEventListener(type, () => (this.scrubbing = false));
    this.scrubber.addEventListener("input", () => callbacks.seeked(Number(this.scrubber.value)));
  }

  override onAdd(): HTMLElement {
    return this.root;
  }

  /** The choice of what and when, with the selected vehicle offered when there is one. */
  private showSetup(): void {
    const selected = this.host.selected();
    const vehicle = this.scope.querySelector<HTMLOptionElement>("option[value=vehicle]")!;
    vehicle.disabled = selected === null;
    vehicle.textContent = selected === null ? "The selected vehicle (none)" : `Only ${selected}`;
    this.scope.value = selected === null ? "fleet" : this.scope.value;
    if (this.preset.value !== "custom") this.fillPreset();
    this.problem.hidden = true;
    this.panel.hidden = false;
    this.setup.hidden = false;
    this.player.hidden = true;
    this.open.hidden = true;
    this.open.setAttribute("aria-expanded", "true");
    this.scope.focus();
  }

  private fillPreset(): void {
    const minutes = Number(this.preset.value);
    if (!Number.isFinite(minutes)) return;
    const window = lastMinutes(minutes, this.host.serverNow());
    this.from.value = toLocalInput(window.from);
    this.to.value = toLocalInput(window.to);
  }

  showClosed(): void {
    const focused = this.root.contains(document.activeElement);
    this.panel.hidden = true;
    this.open.hidden = false;
    this.open.setAttribute("aria-expanded", "false");
    if (focused) this.open.focus();
  }

  showPlayer(window: TimeWindow, playing: boolean, speed: number): void {
    this.setup.hidden = true;
    this.player.hidden = false;
    this.panel.hidden = false;
    this.open.hidden = true;
    this.scrubber.min = String(window.from);
    this.scrubber.max = String(window.to);
    this.speed.value = String(speed);
    this.shownSecond = Number.NaN;
    this.showPlaying(playing);
    this.play.focus();
  }

  showPlaying(playing: boolean): void {
    setText(this.play, playing ? "Pause" : "Play");
  }

  /** The play head's time on the scrubber (unless it is being dragged) and in words; what holds the replay up. */
  showHead(head: number, playing: boolean, status: string): void {
    this.showPlaying(playing);
    if (!this.scrubbing) this.scrubber.value = String(head);
    const second = Math.floor(head / 1000);
    if (second !== this.shownSecond) {
      this.shownSecond = second;
      const text = formatClock(head);
      setText(this.time, text);
      this.scrubber.setAttribute("aria-valuetext", text);
    }
    setText(this.status, status);
  }
}
