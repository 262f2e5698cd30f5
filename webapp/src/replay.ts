import { fetchFleetHistory, fetchVehicleHistory } from "./api";
import type { AppConfig } from "./config";
import { defaultMotionPolicy } from "./interpolate";
import type { MapView } from "./map";
import { ReplayClock, replayFromUrl, urlWithReplay, type TimeWindow } from "./replay-clock";
import { ReplayControl } from "./replay-control";
import { ReplayLayer } from "./replay-layer";
import { FleetPager, HistoryReader, VehiclePager, type HistoryFetch } from "./replay-reader";
import { ReplayTracks } from "./replay-tracks";
import { formatRetry } from "./retrying";
import { movingMph } from "./state";
import { arrowHeading } from "./style";

/** Reports asked for per history request (the tracker answers at most 10,000). */
const pageLimit = 5000;
/** Most reports held at once: reading waits while this many are ahead of the play head. */
const maxReports = 200_000;
/**
 * Reading starts this long before the play head, so each vehicle that reported shortly before it is on the map at
 * once: the motion policy's longest gap between two reports it moves a marker across.
 */
const lookBackMs = defaultMotionPolicy.maxGapMs;

/** Read this far ahead of the play head (replay time): 20 s of playing at the speed, at least 30 s. */
function aheadMs(speed: number): number {
  return Math.max(30_000, speed * 20_000);
}

/** What the replay needs from the page. */
export interface ReplayHost {
  readonly config: AppConfig;
  readonly map: MapView;
  /** The server's time now, epoch ms. */
  serverNow(): number;
  selected(): string | null;
  following(): boolean;
  /** A replay marker was clicked. */
  markerClicked(name: string): void;
  /** A replay started (true: the live markers stop) or ended (false: the live view resumes). */
  replayChanged(active: boolean): void;
}

/** What a replay shows, for the page's debug object. */
export interface ReplayState {
  vehicle: string | null;
  from: string;
  to: string;
  head: string;
  playing: boolean;
  speed: number;
  loadedUntil: string;
  status: string;
}

interface Session {
  window: TimeWindow;
  /** One vehicle, or null for the whole fleet. */
  vehicle: string | null;
  clock: ReplayClock;
  tracks: ReplayTracks;
  reader: HistoryReader;
  /** Positions at play heads from here on are known from what is held (earlier ones need reading again). */
  heldFrom: number;
  /** The play head the markers were last drawn at. */
  head: number;
}

/**
 * Replay: the stored history of the whole fleet or of one vehicle, over a time window, played back on the map at
 * 1×–60× with a scrubber (`replay-control.ts`). While it plays the live markers are off the map (the hub stays connected
 * and the page keeps the live fleet up to date), and "Back to live" shows them again as they are now. Each frame
 * places the replayed vehicles between their stored reports (`replay-tracks.ts`); history is read ahead of the play
 * head (`replay-reader.ts`), which waits for it when it is not there yet.
 */
export class Replay {
  private session: Session | null = null;
  private frameId = 0;
  private readonly layer: ReplayLayer;
  private readonly control: ReplayControl;

  constructor(private readonly host: ReplayHost) {
    this.layer = new ReplayLayer(host.map.map, host.map.renderer, (name) => host.markerClicked(name));
    this.control = new ReplayControl(host, {
      start: (window, vehicle) => this.start(window, vehicle),
      playToggled: () => this.togglePlay(),
      speedChanged: (speed) => this.setSpeed(speed),
      seeked: (time) => this.seek(time),
      backToLive: () => this.stop(),
    });
    this.control.addTo(host.map.map);
  }

  get active(): boolean {
    return this.session !== null;
  }

  /** Where a vehicle's replay marker is drawn, or null. */
  positionOf(name: string): { lat: number; lng: number } | null {
    return this.layer.positionOf(name);
  }

  get state(): ReplayState | null {
    const s = this.session;
    if (s === null) return null;
    const iso = (t: number) => new Date(t).toISOString();
    return {
      vehicle: s.vehicle,
      from: iso(s.window.from),
      to: iso(s.window.to),
      head: iso(s.head),
      playing: s.clock.playing,
      speed: s.clock.speed,
      loadedUntil: iso(Math.max(s.window.from, Math.min(s.window.to, s.reader.loadedUntil))),
      status: this.statusText(s),
    };
  }

  /** Replays the whole fleet over the window the page address names (`?replay=FROM,TO`), if it names one. */
  startLinked(): void {
    const window = replayFromUrl(location.href);
    if (window !== null) this.start(window, null);
  }

  /** Replays `window` of the whole fleet (`vehicle` null) or of one vehicle, playing at once; the page address names it. */
  start(window: TimeWindow, vehicle: string | null): void {
    this.stopSession();
    this.linkTo(window);
    const clock = new ReplayClock(window, () => performance.now());
    const session: Session = { window, vehicle, clock, tracks: new ReplayTracks(), reader: null!, heldFrom: window.from, head: window.from };
    session.reader = this.reader(session, window.from);
    this.session = session;
    this.host.replayChanged(true);
    clock.play();
    this.control.showPlayer(window, clock.playing, clock.speed);
    this.request();
  }

  /** Back to live: the replay's markers go, the live ones come back. */
  stop(): void {
    if (this.session === null) return;
    this.stopSession();
    this.linkTo(null);
    this.control.showClosed();
    this.host.replayChanged(false);
  }

  togglePlay(): void {
    const s = this.session;
    if (s === null) return;
    if (s.clock.playing) s.clock.pause();
    else s.clock.play();
    this.control.showPlaying(s.clock.playing);
    this.request();
  }

  setSpeed(speed: number): void {
    this.session?.clock.setSpeed(speed);
    this.request();
  }

  /** Moves the play head; positions not held any more (or not read yet) are read again from there. */
  seek(time: number): void {
    const s = this.session;
    if (s === null) return;
    s.clock.seek(time);
    const head = s.clock.head();
    if (head < s.heldFrom || (head > s.reader.loadedUntil && !s.reader.complete)) {
      s.reader.stop();
      s.tracks.clear();
      this.layer.clear();
      s.heldFrom = head;
      s.reader = this.reader(s, head);
    }
    this.request();
  }

  /** The selection changed: it is drawn as selected, and flown to (`fly`) where the replay has it. */
  selectionChanged(fly: boolean): void {
    const s = this.session;
    const selected = this.host.selected();
    if (s === null) return;
    this.redraw();
    const at = selected === null ? null : s.tracks.positionAt(selected, s.head);
    if (fly && at !== null) this.host.map.flyTo(at, this.host.config.selectZoom);
  }

  /** The selection or the view changed: every replayed marker is drawn again. */
  redraw(): void {
    this.session?.tracks.redrawAll();
    this.request();
  }

  private reader(s: Session, head: number): HistoryReader {
    const start = Math.max(s.window.from - lookBackMs, head - lookBackMs);
    const { apiBase } = this.host.config;
    const vehicle = s.vehicle;
    const fetch: HistoryFetch = vehicle === null ? (q) => fetchFleetHistory(apiBase, q) : (q) => fetchVehicleHistory(apiBase, vehicle, q);
    const pager = vehicle === null ? new FleetPager(start, s.window.to, pageLimit) : new VehiclePager(start, s.window.to, pageLimit);
    return new HistoryReader(pager, fetch, start, (reports) => s.tracks.add(reports), () => this.request());
  }

  /** The page address names the replay (in place: back and forward stay the selections'). */
  private linkTo(window: TimeWindow | null): void {
    const url = urlWithReplay(location.href, window);
    if (url !== location.href) history.replaceState(history.state, "", url);
  }

  private stopSession(): void {
    this.session?.reader.stop();
    this.session = null;
    this.layer.clear();
    if (this.frameId !== 0) cancelAnimationFrame(this.frameId);
    this.frameId = 0;
  }

  private request(): void {
    if (this.frameId === 0 && this.session !== null) this.frameId = requestAnimationFrame(() => this.frame());
  }

  /** One frame: the play head, reading ahead of it, the markers at it, the scrubber. */
  private frame(): void {
    this.frameId = 0;
    const s = this.session;
    if (s === null) return;
    const { reader, tracks, clock } = s;
    const head = clock.head(reader.complete ? Number.POSITIVE_INFINITY : reader.loadedUntil);
    if (tracks.size > maxReports * 0.75) {
      tracks.trimBefore(head);
      s.heldFrom = Math.max(s.heldFrom, head);
    }
    reader.want(head + aheadMs(clock.speed), tracks.size < maxReports);
    s.head = head;
    this.draw(s, head);
    this.control.showHead(head, clock.playing, this.statusText(s));
    if (clock.playing) this.request();
  }

  private draw(s: Session, head: number): void {
    const map = this.host.map;
    const view = map.paddedBounds(0.3);
    const selected = this.host.selected();
    const staleMs = this.host.config.staleAfterSeconds * 1000;
    s.tracks.frame(
      head,
      (name, a, b) => name === selected || view.contains(a) || view.contains(b),
      (name, at, report) => {
        const stale = report !== null && head - report.time > staleMs;
        const heading = report === null ? null : arrowHeading(report.heading, report.speed, stale, movingMph);
        this.layer.place(name, at, { heading, stale, selected: name === selected });
      },
    );
    if (this.host.following() && selected !== null && !map.isFlying) {
      const at = s.tracks.positionAt(selected, head);
      if (at !== null) map.centreOn(at);
    }
  }

  private statusText(s: Session): string {
    const { reader } = s;
    if (reader.failed !== null) return `History not loaded: ${reader.failed}`;
    if (reader.status !== null) return `History not loaded: ${formatRetry(reader.status, Date.now())}`;
    if (reader.complete && s.tracks.vehicles === 0) return s.vehicle === null ? "No positions stored in this window" : `No positions of ${s.vehicle} stored in this window`;
    if (!reader.complete && s.head >= reader.loadedUntil) return "Loading history…";
    return "";
  }
}
