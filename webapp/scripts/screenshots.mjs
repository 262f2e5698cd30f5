#!/usr/bin/env node
// Screenshots of the live map for the READMEs, taken in Chromium against the mock backend (scripts/mock-server.mjs):
// the live map, the fleet event feed, the fleet filter with its counts, the offline street map, a marker's card, the
// phone layout and a replay.
// Writes docs/images/*.png at the repository's root. Build first (npm run build); needs Chromium.
//
//   node scripts/screenshots.mjs [--port 8097] [--chromium /usr/bin/chromium] [--out ../docs/images]
import { spawn } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1] ?? ""]);
    return pairs;
  }, []),
);
const webapp = resolve(new URL("..", import.meta.url).pathname);
const port = Number(args.port ?? 8097);
const out = resolve(args.out ?? join(webapp, "..", "docs", "images"));
const executablePath = args.chromium ?? process.env.CHROMIUM ?? "/usr/bin/chromium";
const base = `http://127.0.0.1:${port}`;
// Kept small for the repository: every image must stay under this.
const maxBytes = 200 * 1024;

const mock = spawn(process.execPath, [join(webapp, "scripts", "mock-server.mjs"), "--port", String(port), "--vehicles", "60", "--dist", join(webapp, "dist")], {
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise((ok, fail) => {
  mock.stdout.once("data", ok);
  mock.once("exit", (code) => fail(new Error(`the mock backend exited (${code})`)));
});
const post = (path) => fetch(base + path, { method: "POST" });

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
const written = [];
try {
  mkdirSync(out, { recursive: true });
  const desktop = await browser.newContext({ viewport: { width: 1200, height: 720 } });
  const page = await desktop.newPage();
  const open = async (p, url = "/") => {
    await p.goto(base + url);
    await p.waitForFunction(() => window.fleetman?.ready() && window.fleetman.connectionState() === "live" && window.fleetman.vehicleCount() > 0);
    await p.waitForFunction(() => window.fleetman.basemap() === "streets");
  };
  const shot = async (p, name, options = {}) => {
    const path = join(out, `${name}.png`);
    await p.screenshot({ path, ...options });
    written.push(path);
  };

  // Three vehicles fall silent, so the counts and the filter have stale vehicles to show.
  for (const name of ["truck-4", "truck-9", "truck-17"]) await post(`/mock/silence?name=${name}`);
  await open(page);
  await page.waitForFunction(() => window.fleetman.isStale("truck-17"), null, { timeout: 30_000 });
  await shot(page, "live-map");

  // The fleet event feed: the mock's three events from before, and a geofence and an overspeed announced now.
  await post("/mock/event?name=truck-2&kind=geofence_left&geofence=Depot");
  await post("/mock/event?name=truck-5&kind=overspeed_started");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=fleet-event]").length >= 5, null, { timeout: 30_000 });
  const feed = await page.getByTestId("fleet-events").boundingBox();
  await shot(page, "fleet-events", { clip: { x: feed.x, y: feed.y, width: feed.width, height: feed.height } });

  await page.getByTestId("show-stale").uncheck();
  await page.getByTestId("vehicle-search").fill("truck-1");
  await shot(page, "fleet-filter", { clip: { x: 800, y: 36, width: 400, height: 330 } });
  await page.getByTestId("vehicle-search").fill("");
  await page.getByTestId("show-stale").check();

  await page.evaluate(() => window.fleetman.select("truck-12"));
  await page.waitForFunction(() => window.fleetman.trailLength() >= 2 && window.fleetman.mapView().zoom >= 15);
  await page.mouse.move(0, 0);
  const at = await page.evaluate(() => window.fleetman.screenPointOf("truck-12"));
  await shot(page, "marker-card", { clip: { x: Math.max(0, at.x - 220), y: Math.max(0, at.y - 170), width: 440, height: 260 } });

  // With the tile servers unreachable: the offline street map, and its own attribution.
  const offline = await browser.newContext({ viewport: { width: 1200, height: 720 } });
  await offline.route(`${base}/config.json`, (route) => route.fulfill({ json: { tileUrl: "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png" } }));
  await offline.route("https://*.tile.openstreetmap.org/**", (route) => route.abort("connectionrefused"));
  const streets = await offline.newPage();
  await open(streets);
  await streets.evaluate(() => window.fleetman.select(null));
  await shot(streets, "offline-basemap", { clip: { x: 0, y: 36, width: 800, height: 684 } });

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const mobile = await phone.newPage();
  await open(mobile, "/?vehicle=truck-12");
  await mobile.waitForFunction(() => window.fleetman.selected() === "truck-12" && window.fleetman.trailLength() >= 2);
  await shot(mobile, "phone-layout");

  // Replay: the fleet's last half minute (the mock keeps what it sent), played at 10× and paused part-way.
  const replay = await desktop.newPage();
  await open(replay);
  await replay.getByTestId("replay-open").click();
  const [from, to] = await replay.evaluate(() => {
    const two = (n) => String(n).padStart(2, "0");
    const local = (t) => {
      const d = new Date(t);
      return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    };
    // Not on a whole minute: the input would drop the seconds.
    let end = Date.now() - 1000;
    if (Math.floor(end / 1000) % 30 === 0) end -= 1000;
    return [local(end - 30_000), local(end)];
  });
  await replay.getByTestId("replay-from").fill(from);
  await replay.getByTestId("replay-to").fill(to);
  await replay.getByTestId("replay-start").click();
  await replay.getByTestId("replay-speed").selectOption("10");
  await replay.waitForFunction(() => {
    const r = window.fleetman.replay();
    return r !== null && Date.parse(r.head) >= Date.parse(r.from) + 10_000;
  });
  await replay.getByTestId("replay-play").click();
  await replay.mouse.move(0, 0);
  await shot(replay, "replay", { clip: { x: 0, y: 0, width: 1200, height: 440 } });
} finally {
  await browser.close();
  mock.kill();
}

for (const path of written) {
  const size = statSync(path).size;
  console.log(`${path}: ${Math.round(size / 1024)} KB`);
  if (size > maxBytes) {
    console.error(`${path} is over ${maxBytes / 1024} KB: make the shot smaller`);
    process.exitCode = 1;
  }
}
