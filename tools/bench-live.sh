#!/usr/bin/env bash
# Benchmark: the live map with real processes, through the edge gateway. Prints push latency consumer-write→client
# (and publish→client) with N SignalR clients (JSON protocol over WebSockets), GET /api/vehicles/ through the edge
# versus straight to the api-gateway (wrk, N connections and then one), the time to the first paint of every
# vehicle in Chromium, resident memory per service, and (the simulator stopped) the list through the edge against a
# static file of the same bytes, the 304 path and the bytes on the wire with gzip and Brotli. Starts the local infrastructure if needed (and stops it again
# if it did); the services run as an isolated run (their own queue, topic, SQLite file and Redis prefixes) on free
# loopback ports and are stopped at the end. Each runs as its image ships it (self-contained and trimmed where its
# project file says so, by its own launcher; framework-dependent otherwise).
# With FLEETMAN_BENCH_RESULTS set to a file, every figure is also appended to it (tools/bench-all.sh reads it).
# Usage: tools/bench-live.sh [clients, default 500] [vehicles, default 1000] [seconds, default 20] [--no-browser]
#        [--push-only] [--push-interval=MS]   (the push part alone; the api-gateway's Hub__PushIntervalMilliseconds)
#        [--api-env=NAME=VALUE]   (repeatable: an environment variable of the api-gateway alone, e.g. a DOTNET_ setting)
#        [--timed-clients=N]   (how many of the clients time every position, default all; the others count theirs)
#        tools/bench-live.sh --map [seconds, default 10]   (only the map in Chromium: frames per second and JS heap with
#        1,000 and 10,000 vehicles in view)
#        tools/bench-live.sh --list-only [connections, default 500] [vehicles, default 1000] [seconds, default 20]   (only
#        the list through the edge against a static file of the same bytes, the simulator stopped once every vehicle is in)
#        tools/bench-live.sh --paint-only [loads, default 5]   (only the first paint of 1,000 vehicles, cold (a browser
#        started per load) and warm (a fresh context of a running browser), with the simulator running and then stopped; webapp/dist as it is: run npm run build in webapp/ after changing the page)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
need=()
command -v wrk >/dev/null || need+=(wrk)
if [[ ! " $* " == *" --no-browser "* && ! " $* " == *" --list-only "* ]] && [[ ! -x /usr/bin/chromium ]]; then need+=(chromium); fi
if ((${#need[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# shellcheck source=scripts/lib/infra-session.sh
source scripts/lib/infra-session.sh
infra_for_this_run --quiet
# shellcheck source=scripts/lib/shipped-services.sh
source scripts/lib/shipped-services.sh
build_shipped_services
if [[ ! -f webapp/dist/index.html ]]; then
  (cd webapp && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build) >/dev/null
fi
dotnet tools/Fleetman.Benchmarks.Live/bin/Release/net10.0/Fleetman.Benchmarks.Live.dll "$@"
