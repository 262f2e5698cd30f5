#!/usr/bin/env bash
# Benchmark: the position-tracker's start and its memory once it has served, two builds alternated (A, B, A, B, ...).
# Each run starts a fresh tracker from a build output (framework-dependent, SQLite, the local Redis), polls
# /healthz/ready every 10 ms and reads, when it first answers 200, the wall time since the start and the process's CPU
# time (user + system, /proc/<pid>/stat: a figure the machine's other work moves far less than the wall time); then
# sends REQUESTS × GET /vehicles/ and one history query per vehicle, and reads its resident memory (VmRSS). The store
# holds VEHICLES vehicles × 20 reports and Redis their latest positions (seeded once, shared by every run). Prints one
# row per run with the load average at its start. On demand only: not part of the test command. Starts the local
# infrastructure if needed (and stops it again if it did); honours FLEETMAN_STATE_DIR and FLEETMAN_*_PORT like
# scripts/infra.sh, and FLEETMAN_PORT_BASE for the tracker's port (default 58100).
# Usage: tools/bench-tracker-start.sh DIR_A DIR_B [rounds, default 3] [vehicles, default 200] [requests, default 200]
#   DIR_A, DIR_B: build outputs holding Fleetman.PositionTracker.dll, e.g. of two commits:
#   git archive <commit> | tar -x -C /tmp/old && dotnet build /tmp/old/services/position-tracker -c Release -o /tmp/old/out
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
if (($# < 2)) || [[ ! -f $1/Fleetman.PositionTracker.dll || ! -f $2/Fleetman.PositionTracker.dll ]]; then
  sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
fi
builds=("$(cd "$1" && pwd -P)" "$(cd "$2" && pwd -P)")
rounds=${3:-3}
vehicles=${4:-200}
requests=${5:-200}
for n in "$rounds" "$vehicles" "$requests"; do
  if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
    echo "rounds, vehicles and requests are whole numbers of at least 1" >&2
    exit 2
  fi
done

# shellcheck source=scripts/lib/infra-session.sh
source scripts/lib/infra-session.sh
infra_for_this_run --quiet redis
eval "$(scripts/infra.sh env)"
work=$(mktemp -d "${TMPDIR:-/tmp}/fleetman-tracker-start.XXXXXX")
trap 'rm -rf "$work"; infra_stop_if_started_here' EXIT

export BENCH_BUILDS="${builds[0]}:${builds[1]}" BENCH_ROUNDS=$rounds BENCH_VEHICLES=$vehicles BENCH_REQUESTS=$requests \
  BENCH_WORK=$work BENCH_PORT=$((${FLEETMAN_PORT_BASE:-58100} + 0)) BENCH_PREFIX="bench:tracker-start:$$"
python3 - <<'PY'
import json, os, re, socket, sqlite3, subprocess, time, urllib.error, urllib.request
from datetime import datetime, timedelta, timezone

builds = os.environ["BENCH_BUILDS"].split(":")
rounds, vehicles, requests = (int(os.environ[k]) for k in ("BENCH_ROUNDS", "BENCH_VEHICLES", "BENCH_REQUESTS"))
work, port, prefix = os.environ["BENCH_WORK"], int(os.environ["BENCH_PORT"]), os.environ["BENCH_PREFIX"]
database = os.path.join(work, "positions.db")
redis = os.environ["ConnectionStrings__Redis"]
redis_host, redis_port = redis.split(",")[0].split(":")
redis_password = next((p[len("password="):] for p in redis.split(",") if p.startswith("password=")), None)
environment = dict(os.environ, ConnectionStrings__Redis=redis, Store__SqlitePath=database,
                   LatestPositions__KeyPrefix=prefix, Admin__Password="bench-tracker-start-admin",
                   Logging__LogLevel__Default="Warning", OTEL_EXPORTER_OTLP_ENDPOINT="")
base = f"http://127.0.0.1:{port}"

def get(path):
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None

def cpu_seconds(pid):
    stat = open(f"/proc/{pid}/stat").read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def run(build, measure=True):
    load = open("/proc/loadavg").read().split()[0]
    start = time.monotonic()
    process = subprocess.Popen(["dotnet", os.path.join(build, "Fleetman.PositionTracker.dll"), "--urls", base],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while get("/healthz/ready") != 200:
            if process.poll() is not None or time.monotonic() - start > 120:
                raise SystemExit(f"the tracker of {build} did not get ready")
            time.sleep(0.01)
        ready, cpu = time.monotonic() - start, cpu_seconds(process.pid)
        if not measure:
            return None
        until = datetime(2026, 1, 1, tzinfo=timezone.utc)
        for i in range(requests):
            get("/vehicles/")
        for v in range(vehicles):
            get(f"/vehicles/Vehicle%20{v}/history?limit=20")
        get(f"/history?from={(until - timedelta(days=1)).isoformat().replace('+', '%2B')}&to={until.isoformat().replace('+', '%2B')}&limit=1000")
        return load, ready, cpu, rss_mib(process.pid), cpu_seconds(process.pid)
    finally:
        process.terminate()
        process.wait()

def redis_command(sock, *args):
    sock.sendall(b"".join([f"*{len(args)}\r\n".encode()] + [f"${len(a.encode())}\r\n{a}\r\n".encode() for a in args]))
    reply = sock.recv(65536)
    if reply.startswith(b"-"):
        raise SystemExit(f"redis: {reply.decode().strip()}")

# The schema is the store's own: one start of build A creates it, then the rows are written into it.
run(builds[0], measure=False)
until = datetime(2026, 1, 1, tzinfo=timezone.utc)
with sqlite3.connect(database) as db, socket.create_connection((redis_host, int(redis_port))) as sock:
    if redis_password:
        redis_command(sock, "AUTH", redis_password)
    for v in range(vehicles):
        points = [(f"Vehicle {v}", int((until - timedelta(seconds=20 * (20 - i))).timestamp() * 1000), 53.38 + v * 1e-3 + i * 1e-4, -1.47 - i * 1e-4, 20.0 + i, 90.0) for i in range(20)]
        db.executemany("INSERT OR IGNORE INTO positions (vehicle, time, lat, lon, speed, heading) VALUES (?, ?, ?, ?, ?, ?)", points)
        db.execute("INSERT OR REPLACE INTO latest (vehicle, time, lat, lon, speed, heading) VALUES (?, ?, ?, ?, ?, ?)", points[-1])
        name, ms, lat, lon, speed, heading = points[-1]
        latest = {"vehicle": name, "latitude": lat, "longitude": lon,
                  "time": datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat().replace("+00:00", "Z"), "speedMph": speed, "heading": heading}
        redis_command(sock, "HSET", f"{prefix}:positions", name, json.dumps(latest))
run(builds[1], measure=False)  # both builds' files read once before the first measured run

print(f"A: {builds[0]}\nB: {builds[1]}")
print(f"{'round':>5}  {'build':<5}  {'load':>6}  {'ready after start':>17}  {'CPU to ready':>12}  {'resident after serving':>22}  {'CPU after serving':>17}")
for r in range(1, rounds + 1):
    for label, build in zip("AB", builds):
        load, ready, cpu, rss, cpu_after = run(build)
        print(f"{r:>5}  {label:<5}  {load:>6}  {ready:>15.2f} s  {cpu:>10.2f} s  {rss:>18.1f} MiB  {cpu_after:>15.2f} s", flush=True)
with socket.create_connection((redis_host, int(redis_port))) as sock:
    if redis_password:
        redis_command(sock, "AUTH", redis_password)
    redis_command(sock, "DEL", f"{prefix}:positions")
PY
