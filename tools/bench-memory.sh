#!/usr/bin/env bash
# Benchmark: the queue-consumer's memory under load, with the .NET GC's defaults and with the limits a memory-limited
# container gives it. For each configuration a fresh queue-consumer (its own SQLite file, Redis prefix and port) drains
# the position-simulator's reports for a while; the simulator then stops, the consumer empties the queue and idles, and
# the script reads its resident memory (/proc) and GC figures (its /metrics). Prints one table, one row per configuration.
# On demand only: it is not part of the test command. Starts the local infrastructure if needed (and stops it again if
# it did); honours FLEETMAN_STATE_DIR and FLEETMAN_*_PORT like scripts/infra.sh.
# Usage: tools/bench-memory.sh [seconds of load per configuration, default 40] [vehicles, default 1000]
#        [report interval in ms, default 500]        (1,000 vehicles every 500 ms: 2,000 positions/s)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
load_seconds=${1:-40}
vehicles=${2:-1000}
interval_ms=${3:-500}
idle_seconds=15 # after the queue is empty: what stays resident once the load is gone
for n in "$load_seconds" "$vehicles" "$interval_ms"; do
  if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
    sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
  fi
done

# label | environment of the consumer. The last rows try the other GC and JIT levers one at a time (README: "what each
# lever bought"); the services' own settings (services/Directory.Build.props) are in every row. The DOTNET_GC* values are read as hexadecimal (0x3000000 is 48 MiB; a percentage
# of 25 is written 0x19, and a plain "25" would be 37 %). In a pod, DOTNET_GCHeapHardLimitPercent is a share of the
# container's memory limit (and without any setting the heap may take 75 % of it); the queue-consumer's limit in
# k8s/base is 384 MiB, so 0x19 there is the 96 MiB row and the default the 288 MiB one. The limits are given here as
# absolute sizes: DOTNET_GCTotalPhysicalMemory would also "simulate" a 384 MiB machine, but outside a container the GC
# then measures its memory load against the whole machine's use, believes the 384 MiB nearly full and collects gen 2
# over and over (38 gen-2 collections in 40 s where the others made 1 or 2), which no pod would see.
configurations=(
  "default settings, no limit|"
  "heap hard limit 48 MiB|DOTNET_GCHeapHardLimit=0x3000000"
  "heap hard limit 96 MiB (25 % of a 384 MiB container)|DOTNET_GCHeapHardLimit=0x6000000"
  "heap hard limit 288 MiB (a 384 MiB container's default)|DOTNET_GCHeapHardLimit=0x12000000"
  "gen-0 budget 1 MiB|DOTNET_GCgen0size=0x100000"
  "gen-0 budget 2 MiB|DOTNET_GCgen0size=0x200000"
  "gen-0 budget 4 MiB|DOTNET_GCgen0size=0x400000"
  "gen-0 budget 2 MiB, conserve memory (level 5)|DOTNET_GCgen0size=0x200000 DOTNET_GCConserveMemory=5"
  "conserve memory (level 5)|DOTNET_GCConserveMemory=5"
  "tiered PGO back on|DOTNET_TieredPGO=1"
)

# shellcheck source=scripts/lib/infra-session.sh
source scripts/lib/infra-session.sh
infra_for_this_run --quiet
eval "$(scripts/infra.sh env)"
dotnet build services/queue-consumer/Fleetman.QueueConsumer.csproj -c Release --nologo -v quiet >/dev/null
dotnet build services/position-simulator/Fleetman.PositionSimulator.csproj -c Release --nologo -v quiet >/dev/null

run=$(date -u +%H%M%S)-$$
logs=$repo/.fleetman/bench
mkdir -p "$logs"
# shellcheck source=scripts/lib/bench-processes.sh
source scripts/lib/bench-processes.sh
bench_session bench-memory

# start_service <folder> <assembly> <port> <log> [NAME=value ...]: sets service_pid once /healthz/ready answers 200.
# Not in a $(...) subshell: the pid must be this shell's child, for `wait` and for the cleanup.
start_service() {
  local folder=$1 assembly=$2 port=$3 log=$4
  shift 4
  env "$@" dotnet "services/$folder/bin/Release/net10.0/$assembly.dll" --urls "http://127.0.0.1:$port" >"$log" 2>&1 &
  service_pid=$!
  started+=("$service_pid")
  wait_ready "$service_pid" "$port" "$log" "bench-memory: $folder" || exit 1
}

# metric <metrics file> <name with labels>: the sum of the samples whose name and labels start so (0 when none).
metric() { awk -v name="$2" 'index($1, name) == 1 { sum += $2 } END { printf "%.0f", sum }' "$1"; }
mib() { awk -v bytes="$1" 'BEGIN { printf "%.1f", bytes / 1048576 }'; }

queue=bench.memory.$run
common=(
  "Messaging__Destinations__PositionReported=$queue"
  "Messaging__Destinations__VehiclePositionsUpdated=bench.memory.updates.$run"
  "LatestPositions__KeyPrefix=bench:memory:$run"
  "Logging__LogLevel__Default=Warning"
)
simulator_port=$(free_port)
# The control routes ask for the admin's credentials: a throwaway password for this run.
simulator_admin=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
start_service position-simulator Fleetman.PositionSimulator "$simulator_port" "$logs/bench-memory-simulator.log" \
  "${common[@]}" "Simulator__AutoStart=false" "Admin__Password=$simulator_admin" \
  "Simulator__Vehicles=$vehicles" "Simulator__ReportIntervalMilliseconds=$interval_ms"

printf 'Fleetman memory benchmark: queue-consumer, %d vehicles every %d ms (%d positions/s) for %d s, then %d s idle; %d cores, %s\n' \
  "$vehicles" "$interval_ms" $((vehicles * 1000 / interval_ms)) "$load_seconds" "$idle_seconds" "$(nproc)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
rows=()
index=0
for configuration in "${configurations[@]}"; do
  index=$((index + 1))
  label=${configuration%%|*}
  read -r -a gc_settings <<<"${configuration#*|}"
  port=$(free_port)
  printf '  %s: ' "$label"
  start_service queue-consumer Fleetman.QueueConsumer "$port" "$logs/bench-memory-consumer-$index.log" \
    "${common[@]}" "Store__SqlitePath=$work/positions-$index.db" ${gc_settings[@]+"${gc_settings[@]}"}
  consumer=$service_pid

  curl -fs -u "admin:$simulator_admin" -X POST "http://127.0.0.1:$simulator_port/simulator/start" >/dev/null
  sleep "$load_seconds"
  curl -fs -u "admin:$simulator_admin" -X POST "http://127.0.0.1:$simulator_port/simulator/stop" >/dev/null
  # The queue empty (as the consumer polls it from the broker), then idle.
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/metrics" >"$work/metrics"
    [[ $(metric "$work/metrics" "fleetman_messaging_queue_depth{queue=\"$queue\"}") == 0 ]] && break
    sleep 1
  done
  sleep "$idle_seconds"

  curl -fs "http://127.0.0.1:$port/metrics" >"$work/metrics"
  stored=$(metric "$work/metrics" fleetman_queueconsumer_positions_stored)
  heap=$(metric "$work/metrics" "system_runtime_dotnet_gc_last_collection_heap_size{")
  committed=$(metric "$work/metrics" system_runtime_dotnet_gc_last_collection_memory_committed_size)
  gen0=$(metric "$work/metrics" 'dotnet_collection_count_total{generation="0"}')
  gen1=$(metric "$work/metrics" 'dotnet_collection_count_total{generation="1"}')
  gen2=$(metric "$work/metrics" 'dotnet_collection_count_total{generation="2"}')
  pause_ms=$(awk '$1 == "system_runtime_dotnet_gc_pause_time" { printf "%.0f", $2 * 1000 }' "$work/metrics")
  peak=$(mib_from_status "$consumer" VmHWM)
  resident=$(mib_from_status "$consumer" VmRSS)
  anonymous=$(mib_from_status "$consumer" RssAnon)
  stop_service "$consumer"
  printf '%s positions stored\n' "$stored"

  rows+=("| $label | ${gc_settings[*]:--} | $stored | $peak MiB | $resident MiB | $anonymous MiB | $(mib "$heap") MiB | $(mib "$committed") MiB | $gen2 | $gen0 / $gen1 | $pause_ms ms |")
done

echo
echo "| configuration | consumer's GC settings | positions stored | resident, peak | resident, after load | of it anonymous | GC heap after the last GC | GC committed | gen-2 GCs | gen-0 / gen-1 GCs | GC pauses, total |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
