#!/usr/bin/env bash
# Benchmark: what the runtime and build levers do to one service's resident memory and time to ready, the
# position-simulator, the edge gateway and the api-gateway each measured alone, one fresh process per row:
#   - the services' own build, framework-dependent (`dotnet X.dll`, as the tests and images run them), as is and with
#     DOTNET_ReadyToRun=0 or DOTNET_TieredCompilation=0;
#   - a framework-dependent ReadyToRun publish (PublishReadyToRun: the app's and its packages' code compiled ahead of
#     time; the framework's is already);
#   - a self-contained, trimmed publish (PublishTrimmed, no AOT), as the edge's and the api-gateway's images ship them,
#     and the same with ReadyToRun (PublishReadyToRun: the trimmed framework's and the app's code compiled ahead of time);
#   - a Native AOT publish (PublishAot), as the simulator's image ships it.
# The simulator drives its vehicles (default 1,000, each reporting every second) to the broker for the steady period;
# the edge serves its webapp page, /version and the simulator's streets (proxied) twice a second meanwhile; the
# api-gateway hears the same fleet (a framework-dependent simulator and queue-consumer beside it, the consumer's updates
# topic and Redis) and serves /api/vehicles/ twice a second. The api-gateway has no ReadyToRun or AOT rows. Then the
# script reads the process's /proc/<pid>/status: VmRSS (resident), RssAnon (GC heap, stacks, native allocations),
# RssFile (mapped files: the runtime, the framework, the app), RssShmem (the runtime's JIT-compiled code, mapped twice
# for W^X), VmHWM (peak). Time to ready: from the process's start to the first 200 of /healthz/ready, polled every 20 ms.
# The trimmed build is made as it would ship: warnings are errors (the two services trim without one) and
# System.Text.Json's reflection is off. The simulator's AOT build too (its project file asks for it); the edge's is made
# for the measurement only: it tolerates the AOT warnings and keeps System.Text.Json's reflection on so that it starts
# (docs/performance.md, "Build levers", says what it then gets wrong); its log lists every warning, each library's one
# by one. They go to .fleetman/bench/publish (reused with
# --reuse). --variants jit,trimmed (any of jit, r2r, trimmed, trimmed-r2r, trimmed-r2r-core, trimmed-r2r-hot, aot)
# measures and builds those rows only (the two partial ReadyToRun variants: below, at hot_assemblies);
# --services api-gateway (any of position-simulator, edge, api-gateway) those services' rows only. On demand only: it is not part of the test command; about 45 minutes on the 2-core build machine while it
# was busy, most of it the two AOT compilations. Starts the local infrastructure if needed (and stops it again if it
# did); honours FLEETMAN_STATE_DIR and FLEETMAN_*_PORT like scripts/infra.sh. A simulator row whose reports
# published is 0 did not do its work (the broker did not answer): measure it again.
# Usage: tools/bench-memory-levers.sh [seconds steady, default 20] [vehicles, default 1000] [--reuse] [--variants LIST]
#        [--services LIST]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
reuse=false
variants=jit,r2r,trimmed,trimmed-r2r,trimmed-r2r-core,trimmed-r2r-hot,aot
measured_services=position-simulator,edge,api-gateway
numbers=()
while (($# > 0)); do
  case $1 in
    --reuse) reuse=true ;;
    --variants)
      variants=${2:-}
      shift
      ;;
    --services)
      measured_services=${2:-}
      shift
      ;;
    *) numbers+=("$1") ;;
  esac
  shift
done
variant_names='jit|r2r|trimmed|trimmed-r2r|trimmed-r2r-core|trimmed-r2r-hot|aot'
if ! [[ $variants =~ ^($variant_names)(,($variant_names))*$ ]]; then
  echo "bench-memory-levers: --variants takes a comma-separated list of ${variant_names//|/, }" >&2
  exit 2
fi
if ! [[ $measured_services =~ ^(position-simulator|edge|api-gateway)(,(position-simulator|edge|api-gateway))*$ ]]; then
  echo "bench-memory-levers: --services takes a comma-separated list of position-simulator, edge, api-gateway" >&2
  exit 2
fi
# measured <variant> [service]: whether the rows of that variant (of that service) are measured (and its build made).
measured() { [[ ,$variants, == *",$1,"* ]] && { [[ -z ${2:-} ]] || [[ ,$measured_services, == *",$2,"* ]]; }; }
steady_seconds=${numbers[0]:-20}
vehicles=${numbers[1]:-1000}
for n in "$steady_seconds" "$vehicles"; do
  if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
    sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
  fi
done

# Native AOT links with clang against zlib: installed, or a failure naming what to install.
# shellcheck source=scripts/lib/shipped-services.sh
source scripts/lib/shipped-services.sh
if measured aot; then
  aot_toolchain
fi

# shellcheck source=scripts/lib/infra-session.sh
source scripts/lib/infra-session.sh
infra_for_this_run --quiet
eval "$(scripts/infra.sh env)"

# service | project | assembly
services=(
  "position-simulator|services/position-simulator/Fleetman.PositionSimulator.csproj|Fleetman.PositionSimulator"
  "edge|gateway/Fleetman.Gateway.csproj|Fleetman.Gateway"
  "api-gateway|services/api-gateway/Fleetman.ApiGateway.csproj|Fleetman.ApiGateway"
)
# label | service | variant | environment (the AOT runtime reads DOTNET_GCgen0size as hexadecimal digits without "0x":
# 0x200000 is ignored there, 200000 is 2 MiB)
rows=(
  "framework-dependent (the services' own build)|position-simulator|jit|"
  "framework-dependent, no ReadyToRun code|position-simulator|jit|DOTNET_ReadyToRun=0"
  "framework-dependent, no tiered compilation|position-simulator|jit|DOTNET_TieredCompilation=0"
  "ReadyToRun publish|position-simulator|r2r|"
  "self-contained, trimmed|position-simulator|trimmed|"
  "self-contained, trimmed, ReadyToRun|position-simulator|trimmed-r2r|"
  "self-contained, trimmed, ReadyToRun of System.Private.CoreLib only|position-simulator|trimmed-r2r-core|"
  "self-contained, trimmed, ReadyToRun of the hot assemblies only|position-simulator|trimmed-r2r-hot|"
  "self-contained, trimmed, gen-0 budget 1 MiB|position-simulator|trimmed|DOTNET_GCgen0size=0x100000"
  "self-contained, trimmed, gen-0 budget 2 MiB|position-simulator|trimmed|DOTNET_GCgen0size=0x200000"
  "self-contained, trimmed, gen-0 budget 4 MiB|position-simulator|trimmed|DOTNET_GCgen0size=0x400000"
  "self-contained, trimmed, conserve memory 5|position-simulator|trimmed|DOTNET_GCConserveMemory=5"
  "self-contained, trimmed, gen-0 budget 2 MiB, conserve memory 5|position-simulator|trimmed|DOTNET_GCgen0size=0x200000 DOTNET_GCConserveMemory=5"
  "Native AOT (as its image ships it)|position-simulator|aot|"
  "Native AOT, gen-0 budget 1 MiB|position-simulator|aot|DOTNET_GCgen0size=100000"
  "Native AOT, gen-0 budget 2 MiB|position-simulator|aot|DOTNET_GCgen0size=200000"
  "Native AOT, conserve memory 5|position-simulator|aot|DOTNET_GCConserveMemory=5"
  "framework-dependent (the services' own build)|edge|jit|"
  "framework-dependent, no ReadyToRun code|edge|jit|DOTNET_ReadyToRun=0"
  "ReadyToRun publish|edge|r2r|"
  "self-contained, trimmed|edge|trimmed|"
  "self-contained, trimmed, ReadyToRun|edge|trimmed-r2r|"
  "self-contained, trimmed, ReadyToRun of System.Private.CoreLib only|edge|trimmed-r2r-core|"
  "self-contained, trimmed, ReadyToRun of the hot assemblies only|edge|trimmed-r2r-hot|"
  "self-contained, trimmed, gen-0 budget 1 MiB|edge|trimmed|DOTNET_GCgen0size=0x100000"
  "self-contained, trimmed, gen-0 budget 2 MiB|edge|trimmed|DOTNET_GCgen0size=0x200000"
  "self-contained, trimmed, gen-0 budget 4 MiB|edge|trimmed|DOTNET_GCgen0size=0x400000"
  "self-contained, trimmed, conserve memory 5|edge|trimmed|DOTNET_GCConserveMemory=5"
  "self-contained, trimmed, gen-0 budget 2 MiB, conserve memory 5|edge|trimmed|DOTNET_GCgen0size=0x200000 DOTNET_GCConserveMemory=5"
  "Native AOT|edge|aot|"
  "framework-dependent (the services' own build)|api-gateway|jit|"
  "self-contained, trimmed (as its image ships it)|api-gateway|trimmed|"
  "self-contained, trimmed, ReadyToRun of System.Private.CoreLib only|api-gateway|trimmed-r2r-core|"
  "self-contained, trimmed, ReadyToRun of the hot assemblies only|api-gateway|trimmed-r2r-hot|"
  "self-contained, trimmed, gen-0 budget 1 MiB|api-gateway|trimmed|DOTNET_GCgen0size=0x100000"
  "self-contained, trimmed, gen-0 budget 2 MiB|api-gateway|trimmed|DOTNET_GCgen0size=0x200000"
  "self-contained, trimmed, gen-0 budget 4 MiB|api-gateway|trimmed|DOTNET_GCgen0size=0x400000"
  "self-contained, trimmed, conserve memory 5|api-gateway|trimmed|DOTNET_GCConserveMemory=5"
  "self-contained, trimmed, gen-0 budget 2 MiB, conserve memory 5|api-gateway|trimmed|DOTNET_GCgen0size=0x200000 DOTNET_GCConserveMemory=5"
)
# has_row <service> <variant>: whether a row measures that variant of that service (only those are published).
has_row() {
  local row
  for row in "${rows[@]}"; do [[ $row == *"|$1|$2|"* ]] && return 0; done
  return 1
}

# hot_assemblies <service>: what the trimmed-r2r-hot rows compile ahead of time (tools/ReadyToRunPartial.targets), the
# rest left to the JIT: the service's own assembly, the runtime's core library, the web server and what each serves its
# requests with (YARP, SignalR, the messaging), the assemblies whose methods a start and a request JIT-compile most
# (DOTNET_JitDisasmSummary=1 on the trimmed edge: 16,000 methods at tier 0, a third of them in System.Private.CoreLib's
# namespaces). trimmed-r2r-core compiles System.Private.CoreLib alone.
hot_assemblies() {
  local common=System.Private.CoreLib,System.Collections,System.Linq,System.Text.Json,Microsoft.Extensions.DependencyInjection
  common+=,Microsoft.AspNetCore.Server.Kestrel.Core,Microsoft.AspNetCore.Http,Microsoft.AspNetCore.Routing,Fleetman.ServiceDefaults
  case $1 in
    edge) echo "Fleetman.Gateway,$common,Yarp.ReverseProxy,System.Net.Http" ;;
    api-gateway) echo "Fleetman.ApiGateway,$common,Microsoft.AspNetCore.SignalR.Core,Microsoft.AspNetCore.Http.Connections,Fleetman.Messaging" ;;
    position-simulator) echo "Fleetman.PositionSimulator,$common,Fleetman.Messaging" ;;
  esac
}

publish_root=$repo/.fleetman/bench/publish
logs=$repo/.fleetman/bench
mkdir -p "$publish_root" "$logs"
# The api-gateway's fleet comes through a queue-consumer (framework-dependent, as its image).
if measured jit api-gateway || measured trimmed api-gateway || measured trimmed-r2r-core api-gateway || measured trimmed-r2r-hot api-gateway; then
  dotnet build services/queue-consumer/Fleetman.QueueConsumer.csproj -c Release --nologo -v quiet >/dev/null
fi
for entry in "${services[@]}"; do
  IFS='|' read -r name project assembly <<<"$entry"
  dotnet build "$project" -c Release --nologo -v quiet >/dev/null
  for variant in r2r trimmed trimmed-r2r trimmed-r2r-core trimmed-r2r-hot aot; do
    out=$publish_root/$name-$variant
    if ! has_row "$name" "$variant" || ! measured "$variant" "$name" || { $reuse && [[ -x $out/$assembly ]]; }; then
      continue
    fi
    only=""
    case $variant in
      r2r) how=(--no-self-contained -p:PublishReadyToRun=true -p:TreatWarningsAsErrors=false) ;;
      trimmed) how=(--self-contained -p:PublishTrimmed=true -p:PublishAot=false -warnaserror) ;;
      trimmed-r2r) how=(--self-contained -p:PublishTrimmed=true -p:PublishAot=false -p:PublishReadyToRun=true -warnaserror) ;;
      trimmed-r2r-core | trimmed-r2r-hot)
        [[ $variant == trimmed-r2r-core ]] && only=System.Private.CoreLib || only=$(hot_assemblies "$name")
        how=(--self-contained -p:PublishTrimmed=true -p:PublishAot=false -p:PublishReadyToRun=true -warnaserror
          "-p:CustomAfterMicrosoftCommonTargets=$repo/tools/ReadyToRunPartial.targets") ;;
      aot)
        if grep -q '<PublishAot>true</PublishAot>' "$project"; then
          # As its image ships it (the position-simulator): warnings are errors, no reflection-based JSON.
          how=(-warnaserror)
        else
          how=(-p:PublishAot=true -p:TreatWarningsAsErrors=false -p:TrimmerSingleWarn=false -p:JsonSerializerIsReflectionEnabledByDefault=true)
        fi
        ;;
    esac
    rm -rf "$out"
    echo "bench-memory-levers: publishing $name ($variant)" >&2
    # The list goes in through the environment (MSBuild reads it as a property): a -p: value would be cut at its commas.
    ReadyToRunAssemblies=$only dotnet publish "$project" -c Release -r linux-x64 "${how[@]}" \
      -o "$out" --nologo -v quiet >"$logs/bench-memory-levers-publish-$name-$variant.log" 2>&1 || {
      echo "bench-memory-levers: the $variant publish of $name failed; its log: $logs/bench-memory-levers-publish-$name-$variant.log" >&2
      exit 1
    }
  done
done

run=$(date -u +%H%M%S)-$$
# shellcheck source=scripts/lib/bench-processes.sh
source scripts/lib/bench-processes.sh
bench_session bench-levers

# start_service <command...> -- <port> <log> [NAME=value ...]: sets service_pid and ready_ms once /healthz/ready answers
# 200. Not in a $(...) subshell: the pid must be this shell's child, for `wait` and for the cleanup.
start_service() {
  local command=()
  while [[ $1 != -- ]]; do
    command+=("$1")
    shift
  done
  shift
  local port=$1 log=$2
  shift 2
  local started_ns
  started_ns=$(date +%s%N)
  env "$@" "${command[@]}" --urls "http://127.0.0.1:$port" >"$log" 2>&1 &
  service_pid=$!
  started+=("$service_pid")
  wait_ready "$service_pid" "$port" "$log" "bench-memory-levers: ${command[*]}" || return 1
  ready_ms=$((($(date +%s%N) - started_ns) / 1000000))
}

# command_of <service> <variant>: sets service_command to how the variant starts.
command_of() {
  local entry name project assembly
  for entry in "${services[@]}"; do
    IFS='|' read -r name project assembly <<<"$entry"
    [[ $name == "$1" ]] || continue
    case $2 in
      jit) service_command=(dotnet "$(dirname "$project")/bin/Release/net10.0/$assembly.dll") ;;
      r2r) service_command=(dotnet "$publish_root/$name-$2/$assembly.dll") ;;
      *) service_command=("$publish_root/$name-$2/$assembly") ;;
    esac
  done
}

simulator_settings() {
  echo "Messaging__Destinations__PositionReported=bench.levers.$run.$1" \
    "Messaging__Destinations__VehiclesRetired=bench.levers.retired.$run.$1" \
    "Logging__LogLevel__Default=Warning" "Simulator__Vehicles=$vehicles" \
    "Simulator__ReportIntervalMilliseconds=1000" "Simulator__TimeCompression=1"
}


# fleet_settings: the destinations and Redis keys of the api-gateway's fleet, the run's own.
fleet_settings() {
  echo "Messaging__Destinations__PositionReported=bench.levers.$run.fleet" \
    "Messaging__Destinations__VehiclesRetired=bench.levers.retired.$run.fleet" \
    "Messaging__Destinations__VehiclePositionsUpdated=bench.levers.updates.$run" \
    "Messaging__Destinations__VehiclesRemoved=bench.levers.removals.$run" \
    "Messaging__Destinations__FleetEventsOccurred=bench.levers.events.$run" \
    "LatestPositions__KeyPrefix=bench:levers:$run" "Hub__BackplaneChannelPrefix=bench:levers:$run:hubs:" \
    "Logging__LogLevel__Default=Warning"
}

# The edge's backend for its proxied route: one simulator (framework-dependent) for every edge row.
if measured jit edge || measured r2r edge || measured trimmed edge || measured trimmed-r2r edge || measured trimmed-r2r-core edge ||
  measured trimmed-r2r-hot edge || measured aot edge; then
  mkdir -p "$work/web"
  printf '<!doctype html><title>Fleetman</title>\n' >"$work/web/index.html"
  backend_port=$(free_port)
  # Its vehicles stay parked: the rows measure one service's work at a time.
  read -r -a backend_settings <<<"$(simulator_settings backend) Simulator__AutoStart=false"
  command_of position-simulator jit
  start_service "${service_command[@]}" -- "$backend_port" "$logs/bench-memory-levers-backend.log" "${backend_settings[@]}" || exit 1
fi

# The api-gateway's fleet: a simulator driving the vehicles and a queue-consumer storing them (SQLite, Redis) and
# publishing the updates the api-gateway hears, both framework-dependent, for every api-gateway row.
if measured jit api-gateway || measured trimmed api-gateway || measured trimmed-r2r-core api-gateway || measured trimmed-r2r-hot api-gateway; then
  read -r -a fleet <<<"$(fleet_settings)"
  command_of position-simulator jit
  start_service "${service_command[@]}" -- "$(free_port)" "$logs/bench-memory-levers-fleet-simulator.log" "${fleet[@]}" \
    "Simulator__Vehicles=$vehicles" "Simulator__ReportIntervalMilliseconds=1000" "Simulator__TimeCompression=1" || exit 1
  start_service dotnet services/queue-consumer/bin/Release/net10.0/Fleetman.QueueConsumer.dll -- "$(free_port)" \
    "$logs/bench-memory-levers-fleet-consumer.log" "${fleet[@]}" "Store__Provider=Sqlite" "Store__SqlitePath=$work/positions.db" || exit 1
fi

printf 'Fleetman memory levers: one service alone per row, %d s steady (the simulator and the api-gateway fleet: %d vehicles reporting every second); %d cores, load average %s, %s\n' \
  "$steady_seconds" "$vehicles" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
table=()
index=0
for row in "${rows[@]}"; do
  index=$((index + 1))
  IFS='|' read -r label name variant settings <<<"$row"
  measured "$variant" "$name" || continue
  read -r -a lever <<<"$settings"
  port=$(free_port)
  log=$logs/bench-memory-levers-$index.log
  printf '  %s, %s: ' "$name" "$label"
  if [[ $name == position-simulator ]]; then
    read -r -a service_settings <<<"$(simulator_settings "$index")"
  elif [[ $name == api-gateway ]]; then
    read -r -a service_settings <<<"$(fleet_settings)"
  else
    service_settings=(
      "ReverseProxy__Clusters__position-simulator__Destinations__d1__Address=http://127.0.0.1:$backend_port/"
      "Webapp__Root=$work/web" "Logging__LogLevel__Default=Warning"
    )
  fi
  command_of "$name" "$variant"
  # A variant that does not start is a row that says so; the others are still measured.
  if ! start_service "${service_command[@]}" -- "$port" "$log" "${service_settings[@]}" ${lever[@]+"${lever[@]}"}; then
    stop_service "$service_pid"
    table+=("| $name | $label | ${lever[*]:--} | did not start: $log | | | | | | |")
    continue
  fi
  pid=$service_pid
  if [[ $name == edge ]]; then
    for _ in $(seq 1 $((steady_seconds * 2))); do
      for path in / /version /api/streets; do
        curl -fs -o /dev/null "http://127.0.0.1:$port$path" || true
      done
      sleep 0.5
    done
    work_done="-"
  elif [[ $name == api-gateway ]]; then
    for _ in $(seq 1 $((steady_seconds * 2))); do
      curl -fs -o /dev/null "http://127.0.0.1:$port/api/vehicles/" || true
      sleep 0.5
    done
    # The vehicles it lists at the end: the whole fleet when it kept up.
    work_done="$(curl -fs "http://127.0.0.1:$port/api/vehicles/" | grep -o '"name":' | wc -l || echo "?") listed"
  else
    sleep "$steady_seconds"
    work_done=$(curl -fs "http://127.0.0.1:$port/simulator/status" | grep -o '"published":[0-9]*' | cut -d: -f2 || echo "?")
  fi
  resident=$(mib_from_status "$pid" VmRSS)
  anonymous=$(mib_from_status "$pid" RssAnon)
  files=$(mib_from_status "$pid" RssFile)
  shared=$(mib_from_status "$pid" RssShmem)
  peak=$(mib_from_status "$pid" VmHWM)
  stop_service "$pid"
  printf '%s MiB\n' "$resident"
  table+=("| $name | $label | ${lever[*]:--} | $resident MiB | $anonymous MiB | $files MiB | $shared MiB | $peak MiB | $ready_ms ms | $work_done |")
done

echo
echo "| service | lever | environment | resident | anonymous | mapped files | shared (JIT code) | peak | ready after | work done (the simulator: reports published; the api-gateway: vehicles listed) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${table[@]}"
