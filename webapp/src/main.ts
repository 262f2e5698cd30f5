import "./styles.css";
import { App } from "./app";
import { loadConfig } from "./config";
import { exposeDebug } from "./debug";
import { showRelease } from "./version";

function element(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from index.html`);
  return el;
}

// No top-level await: with one the bundler keeps every module the later chunks (the hub client, the replay) share
// with the page out of the first script, in a chunk of its own the page must fetch before it can run.
async function main(): Promise<void> {
  // Marks of the page's start, read by the live benchmark's first-paint breakdown (tools/Fleetman.Benchmarks.Live).
  performance.mark("fleetman:script");
  const config = await loadConfig();
  performance.mark("fleetman:config");
  const app = new App(config, {
    map: element("map"),
    list: element("vehicle-list"),
    selection: element("selection"),
    connection: element("connection"),
    events: element("events"),
  });
  exposeDebug(app);
  app.start();
  performance.mark("fleetman:started");
  // Not awaited: the map does not wait for the header.
  void showRelease(element("release"), config.apiBase);
}

void main();
