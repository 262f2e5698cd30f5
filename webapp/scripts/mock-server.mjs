#!/usr/bin/env node
// A stand-in backend for trying the webapp without the .NET services: serves dist/, the REST API and the
// SignalR hub (JSON protocol over long polling, no dependencies) with simulated vehicles around Sheffield.
//
//   node scripts/mock-server.mjs [--port 8090] [--vehicles 50] [--interval 1000] [--tiles] [--dist dist]
//
// Control endpoints (for trying reconnects and staleness by hand or from a browser test):
//   POST /mock/drop                 end every hub connection (clients reconnect)
//   POST /mock/down?seconds=20      drop connections and refuse new ones for a while (clients go offline)
//   POST /mock/silence?name=NAME    that vehicle stops reporting (it turns stale)
//   POST /mock/fail?path=/api/history/&status=429&count=3   the next 3 requests under that path fail (Retry-After: 2)
//   POST /mock/fleet?vehicles=N     the fleet grows or shrinks to N (those that leave are announced: vehiclesRemoved)
//   GET  /mock/state                connections and what they follow
// History for a replay: GET /api/history?from&to&limit and /api/vehicles/{name}/history?from&to&limit, from the
// reports of the last hour it ran.
import { randomUUID } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { badWindow, createFleet, fleetHistory, history, hub, hubPosition, restVehicle, step, streets, unknownVehicle, vehicleHistory } from "./mock-fixtures.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1] && !all[i + 1].startsWith("--") ? all[i + 1] : "true"]);
    return pairs;
  }, []),
);
const port = Number(args.port ?? 8090);
const count = Number(args.vehicles ?? 50);
const intervalMs = Number(args.interval ?? 1000);
const dist = resolve(args.dist ?? new URL("../dist", import.meta.url).pathname);
const tiles = args.tiles === "true";
const RS = "\x1e";

// --- vehicles, and the JSON made from them (scripts/mock-fixtures.mjs, checked against the OpenAPI document) ---
let vehicles = createFleet(count);
for (const v of vehicles) for (let k = 30; k >= 0; k--) step(v, intervalMs / 1000, Date.now() - k * intervalMs);

/** Grows the fleet with fresh vehicles, or shrinks it and tells every connection who left. */
function resize(size) {
  if (size > vehicles.length) {
    const added = createFleet(size).slice(vehicles.length);
    for (const v of added) step(v, intervalMs / 1000, Date.now());
    vehicles = vehicles.concat(added);
    return;
  }
  const gone = vehicles.slice(size).map((v) => v.name);
  vehicles = vehicles.slice(0, size);
  for (const conn of connections.values()) if (conn.handshaken && gone.length) send(conn, { type: 1, target: hub.vehiclesRemoved, arguments: [gone] });
}

// --- SignalR over long polling ---
const connections = new Map(); // token -> { queue, poll, handshaken, follows, closed }
let downUntil = 0;
const failures = []; // { path, status, count }: requests under path answered with status, count more times

function send(conn, message) {
  if (conn.closed) return;
  conn.queue.push(JSON.stringify(message) + RS);
  flush(conn);
}
function flush(conn) {
  if (!conn.poll) return;
  const res = conn.poll;
  clearTimeout(conn.pollTimer);
  conn.poll = null;
  if (conn.closed) {
    res.writeHead(204).end();
    connections.delete(conn.token);
    return;
  }
  const body = conn.queue.splice(0).join("");
  res.writeHead(200, { "content-type": "text/plain" }).end(body);
}
function closeAll() {
  for (const conn of connections.values()) {
    conn.closed = true;
    flush(conn);
  }
}

setInterval(() => {
  const now = Date.now();
  const batch = [];
  for (const v of vehicles) {
    if (v.silent) continue;
    step(v, intervalMs / 1000, now);
    batch.push(hubPosition(v));
  }
  for (const conn of connections.values()) if (conn.handshaken && batch.length) send(conn, { type: 1, target: hub.positions, arguments: [batch] });
}, intervalMs);
setInterval(() => {
  const now = Date.now();
  for (const conn of connections.values()) {
    // A client that stopped polling (a closed tab) is gone.
    if (!conn.poll && now - (conn.lastPoll ?? now) > 30_000) connections.delete(conn.token);
    else if (conn.handshaken) send(conn, { type: 6 });
  }
}, 10_000);

function hubMessage(conn, text) {
  for (const frame of text.split(RS)) {
    if (!frame.trim()) continue;
    const msg = JSON.parse(frame);
    if (!conn.handshaken) {
      conn.handshaken = true;
      conn.queue.push("{}" + RS);
      send(conn, { type: 1, target: hub.snapshot, arguments: [vehicles.map(hubPosition)] });
      continue;
    }
    if (msg.type === 1) {
      const name = msg.arguments?.[0];
      if (msg.target === hub.follow) conn.follows.add(name);
      else if (msg.target === hub.unfollow) conn.follows.delete(name);
      if (msg.invocationId !== undefined) {
        const known = msg.target === hub.follow || msg.target === hub.unfollow;
        send(conn, known ? { type: 3, invocationId: msg.invocationId, result: null } : { type: 3, invocationId: msg.invocationId, error: `Unknown method ${msg.target}` });
      }
    } else if (msg.type === 7) {
      conn.closed = true;
      flush(conn);
    }
  }
}

// --- HTTP ---
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml", ".map": "application/json" };

function json(res, status, body, type = "application/json") {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(JSON.stringify(body));
}
function readBody(req) {
  return new Promise((ok) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (data += c));
    req.on("end", () => ok(data));
  });
}

createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  const path = url.pathname;
  try {
    if (path === `${hub.path}/negotiate` && req.method === "POST") {
      if (Date.now() < downUntil) return json(res, 503, { error: "down" });
      const token = randomUUID();
      connections.set(token, { token, lastPoll: Date.now(), queue: [], poll: null, handshaken: false, follows: new Set(), closed: false });
      return json(res, 200, { negotiateVersion: 1, connectionId: randomUUID(), connectionToken: token, availableTransports: [{ transport: "LongPolling", transferFormats: ["Text", "Binary"] }] });
    }
    if (path === hub.path) {
      const conn = connections.get(url.searchParams.get("id"));
      if (!conn) return res.writeHead(404).end();
      if (req.method === "GET") {
        // The client's first poll only opens the connection: answer it at once.
        if (!conn.polled) {
          conn.polled = true;
          return res.writeHead(200, { "content-type": "text/plain" }).end("");
        }
        if (conn.poll) flush(conn);
        conn.poll = res;
        conn.lastPoll = Date.now();
        if (conn.queue.length || conn.closed) return flush(conn);
        conn.pollTimer = setTimeout(() => flush(conn), 20_000);
        req.on("close", () => { if (conn.poll === res) conn.poll = null; });
        return;
      }
      if (req.method === "POST") {
        hubMessage(conn, await readBody(req));
        return res.writeHead(200, { "content-type": "text/plain" }).end("");
      }
      if (req.method === "DELETE") {
        conn.closed = true;
        flush(conn);
        connections.delete(conn.token);
        return res.writeHead(202).end();
      }
    }
    const failure = failures.find((f) => f.count > 0 && path.startsWith(f.path));
    if (failure) {
      failure.count--;
      res.writeHead(failure.status, { "content-type": "application/problem+json", "retry-after": "2" });
      return res.end(JSON.stringify({ title: "Failing on purpose", status: failure.status }));
    }
    if (path === "/mock/fail" && req.method === "POST") {
      failures.push({ path: url.searchParams.get("path") ?? "/api/", status: Number(url.searchParams.get("status") ?? 503), count: Number(url.searchParams.get("count") ?? 1) });
      return json(res, 200, { failing: failures.filter((f) => f.count > 0) });
    }
    if (path === "/version") {
      return json(res, 200, { service: "mock", version: "0.0.0", release: "mock" });
    }
    if (path === "/api/vehicles/" || path === "/api/vehicles") {
      return json(res, 200, vehicles.map(restVehicle));
    }
    if (path === "/api/streets") {
      return json(res, 200, streets(vehicles), "application/geo+json");
    }
    if (path === "/api/history" || /^\/api\/vehicles\/[^/]+\/history$/.test(path)) {
      // A replay's window, checked as the tracker checks it: from and to required for the fleet, ISO-8601; limit ≤ 10,000.
      const fleet = path === "/api/history";
      const errors = {};
      const time = (key) => {
        const text = url.searchParams.get(key);
        if (text === null) {
          if (fleet) errors[key] = [`${key} is required, an ISO-8601 date-time, e.g. 2026-11-22T12:00:00Z.`];
          return key === "from" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        }
        const at = Date.parse(text);
        if (Number.isNaN(at)) errors[key] = [`${key} '${text}' is not an ISO-8601 date-time, e.g. 2026-11-22T12:00:00Z.`];
        return at;
      };
      const from = time("from");
      const to = time("to");
      const limit = Math.min(10_000, Number(url.searchParams.get("limit") ?? 1000));
      if (!(limit >= 1)) errors.limit = ["limit must be a whole number of at least 1 (at most 10000 are returned)."];
      if (Object.keys(errors).length > 0) return json(res, 400, badWindow(errors), "application/problem+json");
      if (fleet) return json(res, 200, fleetHistory(vehicles, from, to, limit));
      const name = decodeURIComponent(path.split("/")[3]);
      const v = vehicles.find((x) => x.name === name);
      return v ? json(res, 200, vehicleHistory(v, from, to, limit)) : json(res, 404, unknownVehicle(name), "application/problem+json");
    }
    if (path.startsWith("/api/history/")) {
      const name = decodeURIComponent(path.slice("/api/history/".length));
      const v = vehicles.find((x) => x.name === name);
      return v ? json(res, 200, history(v)) : json(res, 404, unknownVehicle(name), "application/problem+json");
    }
    if (path === "/mock/drop" && req.method === "POST") {
      closeAll();
      return json(res, 200, { dropped: true });
    }
    if (path === "/mock/down" && req.method === "POST") {
      downUntil = Date.now() + Number(url.searchParams.get("seconds") ?? 20) * 1000;
      closeAll();
      return json(res, 200, { downUntil: new Date(downUntil).toISOString() });
    }
    if (path === "/mock/silence" && req.method === "POST") {
      const v = vehicles.find((x) => x.name === url.searchParams.get("name"));
      if (v) v.silent = true;
      return json(res, v ? 200 : 404, { silenced: v?.name ?? null });
    }
    if (path === "/mock/fleet" && req.method === "POST") {
      resize(Math.max(0, Number(url.searchParams.get("vehicles") ?? vehicles.length)));
      return json(res, 200, { vehicles: vehicles.length });
    }
    if (path === "/mock/state") {
      return json(res, 200, { connections: [...connections.values()].map((c) => ({ handshaken: c.handshaken, follows: [...c.follows] })) });
    }
    if (path === "/config.json" && !tiles) return json(res, 200, { tileUrl: "", staleAfterSeconds: 10 });
    // Static files from dist/.
    const file = normalize(join(dist, path === "/" ? "index.html" : path));
    if (file.startsWith(dist) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      return createReadStream(file).pipe(res);
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  } catch (error) {
    res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
  }
}).listen(port, "127.0.0.1", () => console.log(`mock Fleetman backend with ${count} vehicles on http://127.0.0.1:${port}/ (dist: ${dist})`));
