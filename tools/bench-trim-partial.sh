#!/usr/bin/env bash
# Benchmark of a lever measured and not shipped (docs/performance.md, "TrimMode=partial for the position-tracker and
# the queue-consumer"): the two services published self-contained and trimmed with TrimMode=partial (only the
# assemblies marked trimmable are trimmed: the framework and the projects marked IsAotCompatible; the MongoDB driver,
# the other packages and the store are kept whole), against their framework-dependent build, in tools/bench-pipeline.sh's
# benchmark program, rounds alternating: framework-dependent, trimmed, trimmed with the trimmed images' 2 MiB gen-0
# budget. The position-simulator runs framework-dependent in every row (the same in all three).
# The publish is made for the measurement only: its trim warnings are printed, counted by the namespace they come from,
# and not errors, and System.Text.Json's reflection stays on (the tracker's API has no generated JSON metadata); the
# log lists every warning. Publish into .fleetman/bench/trim-partial/. On demand only: not part of the test command or
# tools/bench-all.sh. Starts the local infrastructure if needed (and stops it again if it did); honours
# FLEETMAN_STATE_DIR and FLEETMAN_*_PORT like scripts/infra.sh.
# Usage: tools/bench-trim-partial.sh [rounds, default 2] [positions per throughput run, default 20000]
#        [seconds of the latency run, default 10]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
read -r rounds positions seconds <<<"${1:-2} ${2:-20000} ${3:-10}"
number='[1-9][0-9]*'
[[ "$rounds $positions $seconds" =~ ^$number\ $number\ $number$ ]] || { grep '^# Usage:' -A1 "$0" | cut -c3- >&2; exit 2; }

# shellcheck source=scripts/lib/infra-session.sh
source scripts/lib/infra-session.sh
infra_for_this_run --quiet
dotnet build Fleetman.sln -c Release --nologo -v quiet >/dev/null

root=$repo/.fleetman/bench/trim-partial
rm -rf "$root/published" "$root/none"
# The framework-dependent rows: an empty folder, so that every service runs from the build output.
mkdir -p "$root/published" "$root/none"
for entry in position-tracker:Fleetman.PositionTracker queue-consumer:Fleetman.QueueConsumer; do
  name=${entry%%:*} assembly=${entry##*:}
  log=$root/publish-$name.log
  echo "bench-trim-partial: publishing $name (TrimMode=partial)" >&2
  tools/cpu-seconds.py dotnet publish "services/$name/$assembly.csproj" -c Release -a x64 --self-contained --disable-build-servers \
    -p:PublishTrimmed=true -p:TrimMode=partial -p:TreatWarningsAsErrors=false -p:TrimmerSingleWarn=false \
    -p:JsonSerializerIsReflectionEnabledByDefault=true --artifacts-path "$root/build-$name" -o "$root/published/$name" \
    --nologo >"$log" 2>&1 || {
    echo "bench-trim-partial: the publish of $name failed; its log: $log" >&2
    exit 1
  }
  tail -n 1 "$log" >&2
  # One line per warning (the compiler's and the trimmer's), counted by the first two parts of the namespace it is in.
  echo "trim warnings of $name, by where they come from:"
  grep 'Trim analysis warning IL' "$log" | sort -u | grep -o 'Trim analysis warning IL[0-9]*: [A-Za-z0-9_]*\.[A-Za-z0-9_]*' \
    | awk '{ print $5 }' | sort | uniq -c | sort -rn
done

echo "| round | variant | load average at start | tracker / consumer ready after start | tracker / consumer resident (mapped files) | positions/s, 1,000 / 10,000 vehicles | publish→stored p50 / p99 |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  for variant in framework-dependent trimmed trimmed-gen0-2MiB; do
    published=$root/published environment=""
    case $variant in
      framework-dependent) published=$root/none ;;
      trimmed-gen0-2MiB) environment=DOTNET_GCgen0size=0x200000 ;;
    esac
    load=$(cut -d' ' -f1 /proc/loadavg)
    out=$(FLEETMAN_PUBLISHED_SERVICES=$published FLEETMAN_SHIPPED_ENVIRONMENT=$environment \
      dotnet tools/Fleetman.Benchmarks.Pipeline/bin/Release/net10.0/Fleetman.Benchmarks.Pipeline.dll "$positions" "$seconds")
    # The program's own rows: | position-tracker | as | ready | resident | mapped |, the throughput and latency rows.
    row() { awk -F'|' -v name="$1" -v column="$2" '$2 ~ " " name " " { gsub(/^ +| +$/, "", $column); print $column }' <<<"$out"; }
    rates=$(grep -o '[0-9,]* positions/s publish→stored' <<<"$out" | awk '{ print $1 }' | paste -sd/ -)
    latency=$(grep -o 'p50 [0-9]* ms, p99 [0-9]* ms' <<<"$out")
    echo "| $round | $variant | $load | $(row position-tracker 4) / $(row queue-consumer 4)" \
      "| $(row position-tracker 5) ($(row position-tracker 6)) / $(row queue-consumer 5) ($(row queue-consumer 6)) | $rates | $latency |"
  done
done
