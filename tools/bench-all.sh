#!/usr/bin/env bash
# Every benchmark of the project in one run, and one table of their figures: raw broker throughput
# (bench-messaging.sh), the position pipeline (bench-pipeline.sh) and the live map (bench-live.sh), in that order.
# The ratios (pipeline ÷ raw broker, edge ÷ direct) are computed from figures of this same run, so they compare
# like with like on whatever machine it is. Each benchmark starts and stops the infrastructure it needs itself. The
# services run as their images ship them (the trimmed ones published and run by their own launcher:
# scripts/lib/shipped-services.sh), and the memory rows say which form each ran in.
#
# Usage: tools/bench-all.sh [--quick]
#   (default)  the parameters the README's figures were measured with; about 10 minutes on 2 cores
#   --quick    small parameters, to check that everything runs (a few minutes, builds included); not figures to quote
#
# Writes under .fleetman/bench/: <stamp>.tsv (every figure, one "<benchmark>\t<metric>\t<value>\t<unit>" line,
# appended by the benchmarks through FLEETMAN_BENCH_RESULTS), <stamp>-<benchmark>.log (each benchmark's own output),
# <stamp>.md and latest.md (the table). Exits non-zero if a benchmark failed; the table is printed all the same,
# with what the others measured.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"

usage() { sed -n '/^# Usage:/,/^# *$/p' "${BASH_SOURCE[0]}" | sed -e 's/^# \{0,1\}//'; }
# A command line it does not understand: the usage on stderr, exit status 2.
usage_error() {
  usage >&2
  exit 2
}
quick=false
case "${1:-}" in
  --quick) quick=true ;;
  "") ;;
  -h | --help)
    usage
    exit 0
    ;;
  *) usage_error ;;
esac
(($# <= 1)) || usage_error

if $quick; then
  messaging_args=(2000 1)   # messages per run, runs per layout
  pipeline_args=(5000 5)    # positions per throughput run, seconds of the latency run
  live_args=(20 100 5)      # clients, vehicles, seconds
else
  messaging_args=(20000 3)
  pipeline_args=(60000 20)
  live_args=(500 1000 20)
fi

out=$repo/.fleetman/bench
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=$out/$stamp.tsv
: >"$results"
export FLEETMAN_BENCH_RESULTS=$results

# The machine and the moment: figures only mean something next to them.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
memory=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
# shellcheck source=/dev/null # the system's file, not part of the project
os=$(. /etc/os-release && echo "$PRETTY_NAME")
versions=".NET SDK $(dotnet --version 2>/dev/null || echo '?')"
versions+=", ActiveMQ $(dpkg-query -W -f='${Version}' activemq 2>/dev/null || echo '?')"
versions+=", Redis $(dpkg-query -W -f='${Version}' redis-server 2>/dev/null || echo '?')"
load=$(cut -d' ' -f1-3 /proc/loadavg)
note=""
if $quick; then note=" (small parameters: a check that everything runs, not figures to quote)"; fi
header=(
  "# Fleetman benchmarks"
  ""
  "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  "- machine: $(nproc) cores (${cpu:-unknown CPU}), $memory memory, $os; load average at the start $load"
  "- software: $versions"
  "- command: \`tools/bench-all.sh${1:+ $1}\`$note"
)
printf '%s\n' "${header[@]}"
echo

failed=()
run() { # name script args...: the benchmark's own output goes to the terminal and to its log
  local name=$1 script=$2
  shift 2
  echo "=== $name: tools/$script $*"
  if "tools/$script" "$@" 2>&1 | tee "$out/$stamp-$name.log"; then
    echo
  else
    echo "=== $name failed (exit ${PIPESTATUS[0]}); its output: $out/$stamp-$name.log"
    echo
    failed+=("$name")
  fi
}
run messaging bench-messaging.sh "${messaging_args[@]}"
run pipeline bench-pipeline.sh "${pipeline_args[@]}"
run live bench-live.sh "${live_args[@]}"

# One markdown table from the results file. mawk-compatible (Debian's default awk): no locale grouping, no gensub.
read -r -d '' table <<'AWK' || true
BEGIN { FS = "\t" }
{ value[$1 "/" $2] = $3 + 0; known[$1 "/" $2] = 1 }
function has(key) { return (key in known) }
function group(text,   sign, whole, fraction, dot, grouped) {
  sign = ""
  if (substr(text, 1, 1) == "-") { sign = "-"; text = substr(text, 2) }
  dot = index(text, ".")
  if (dot) { whole = substr(text, 1, dot - 1); fraction = substr(text, dot) } else { whole = text; fraction = "" }
  grouped = ""
  while (length(whole) > 3) { grouped = "," substr(whole, length(whole) - 2) grouped; whole = substr(whole, 1, length(whole) - 3) }
  return sign whole grouped fraction
}
function num(x, places) { return group(sprintf("%." places "f", x)) }
function parameter(key) { return has(key) ? num(value[key], 0) : "?" } # "?" when the benchmark did not get that far
function signed(x, places) { return (x >= 0 ? "+" : "") num(x, places) }
function verdict(ok) { return ok ? "met" : "**not met**" }
function row(benchmark, measure, result, goal, met) {
  printf "| %s | %s | %s | %s | %s |\n", benchmark, measure, result, goal, met
}
function missing(benchmark, measure, goal) { row(benchmark, measure, "not measured", goal, "—") }
# How a service ran, as its image runs it (the benchmarks publish the AOT and trimmed ones as their images do):
# ", Native AOT", ", trimmed" or ", framework-dependent"; nothing from a results file without it.
function form(benchmark, service) {
  if (!has(benchmark "/trimmed_" service)) return ""
  if (has(benchmark "/aot_" service) && value[benchmark "/aot_" service]) return ", Native AOT"
  return value[benchmark "/trimmed_" service] ? ", trimmed" : ", framework-dependent"
}
# A first-paint row (key: first_paint, or first_paint_warm in a browser already running; _idle after either with the
# simulator stopped): the median of the loads, their range and the median load's phases (the page's own marks); judged
# against 500 ms only where the goal applies.
function paint_row(key, measure, goal, judged,   low, high, load, paint, names, i, phases, median) {
  if (!has("live/" key "_median_ms")) { missing("live", measure, goal); return }
  low = ""; high = ""
  for (load = 1; has("live/" key "_ms_load" load); load++) {
    paint = value["live/" key "_ms_load" load]
    if (low == "" || paint < low) low = paint
    if (high == "" || paint > high) high = paint
  }
  split("download script settings start vehicles drawing", names, " ")
  phases = ""
  for (i = 1; i <= 6; i++)
    if (has("live/" key "_median_phase_" names[i] "_ms")) phases = phases (phases == "" ? "" : ", ") names[i] " " num(value["live/" key "_median_phase_" names[i] "_ms"], 0)
  median = value["live/" key "_median_ms"]
  row("live", measure, num(median, 0) " ms median of " (load - 1) " loads (" num(low, 0) "–" num(high, 0) " ms)" (phases == "" ? "" : "; that load's phases in ms: " phases), goal, judged ? verdict(median < 500) : "—")
}
END {
  print "| benchmark | measure | result | goal | met |"
  print "|---|---|---|---|---|"

  # Raw broker: persistent messages end to end through the messaging library, best and median of the runs.
  split("1p1c 2p2c 1p1c_batch100 2p2c_batch100", layouts, " ")
  names["1p1c"] = "1 producer / 1 consumer, single-message handler"
  names["2p2c"] = "2 producers / 2 consumers, single-message handlers"
  names["1p1c_batch100"] = "1 producer / 1 consumer, batches of 100"
  names["2p2c_batch100"] = "2 producers / 2 consumers, batches of 100"
  for (i = 1; i <= 4; i++) {
    key = layouts[i]
    measure = "persistent msg/s end to end, " names[key]
    if (has("messaging/msgs_per_second_median_" key)) {
      median = value["messaging/msgs_per_second_median_" key]
      row("raw broker", measure, "best " num(value["messaging/msgs_per_second_best_" key], 0) ", median " num(median, 0) " msg/s (" num(value["messaging/messages_per_run"], 0) " messages, " parameter("messaging/runs_per_layout") (value["messaging/runs_per_layout"] == 1 ? " run)" : " runs)"), "≥ 5,000 msg/s (median)", verdict(median >= 5000))
    } else missing("raw broker", measure, "≥ 5,000 msg/s (median)")
  }

  # Pipeline: publish→stored throughput, and the same run's ratio to the raw broker. The queue-consumer is one
  # consumer taking batches, so the like-for-like raw layout is 1 producer / 1 consumer with batches.
  raw = "messaging/msgs_per_second_median_1p1c_batch100"
  split("1 10", thousands, " ")
  for (i = 1; i <= 2; i++) {
    key = "pipeline/positions_per_second_" thousands[i] "k_vehicles"
    measure = "positions/s publish→stored, " num(thousands[i] * 1000, 0) " vehicles, published as fast as possible"
    if (has(key)) {
      row("pipeline", measure, num(value[key], 0) " positions/s (" num(value["pipeline/positions_per_run"], 0) " positions)", "≥ 5,000/s", verdict(value[key] >= 5000))
      if (has(raw) && value[raw] > 0)
        row("pipeline ÷ raw broker", "positions/s with " num(thousands[i] * 1000, 0) " vehicles ÷ raw msg/s (1 producer / 1 consumer, batches of 100, median)", sprintf("%.2f×", value[key] / value[raw]) " (" num(value[key], 0) " ÷ " num(value[raw], 0) ")", "≥ 0.9×", verdict(value[key] / value[raw] >= 0.9))
      else missing("pipeline ÷ raw broker", "positions/s with " num(thousands[i] * 1000, 0) " vehicles ÷ raw msg/s", "≥ 0.9×")
    } else missing("pipeline", measure, "≥ 5,000/s")
  }
  measure = "publish→stored latency, 1,000 positions/s for " parameter("pipeline/latency_run_seconds") " s"
  if (has("pipeline/latency_p99_ms_1k_per_second")) {
    p99 = value["pipeline/latency_p99_ms_1k_per_second"]
    row("pipeline", measure, "p50 " num(value["pipeline/latency_p50_ms_1k_per_second"], 0) " ms, p99 " num(p99, 0) " ms, max " num(value["pipeline/latency_max_ms_1k_per_second"], 0) " ms (" num(value["pipeline/latency_samples_1k_per_second"], 0) " samples)", "p99 < 100 ms", verdict(p99 < 100))
  } else missing("pipeline", measure, "p99 < 100 ms")
  split("position-tracker queue-consumer position-simulator", services, " ")
  for (i = 1; i <= 3; i++) {
    service = services[i]
    if (has("pipeline/ready_seconds_" service))
      row("pipeline", "ready after start, " service, num(value["pipeline/ready_seconds_" service], 2) " s", "< 1 s", verdict(value["pipeline/ready_seconds_" service] < 1))
    else missing("pipeline", "ready after start, " service, "< 1 s")
  }
  for (i = 1; i <= 3; i++) {
    service = services[i]
    measure = "resident memory after the runs, " service form("pipeline", service) (service == "position-simulator" ? " (1,000 vehicles)" : "")
    if (has("pipeline/memory_resident_mib_" service))
      row("pipeline", measure, num(value["pipeline/memory_resident_mib_" service], 0) " MiB (of it " num(value["pipeline/memory_mapped_files_mib_" service], 0) " MiB mapped runtime and framework files)", "≤ 80 MiB", verdict(value["pipeline/memory_resident_mib_" service] <= 80))
    else missing("pipeline", measure, "≤ 80 MiB")
  }

  # Live map: push latency, REST through the edge versus direct, first paint.
  clients = value["live/clients"]; vehicles = value["live/vehicles"]
  measure = "push latency consumer-write→client, " parameter("live/clients") " SignalR clients through the edge, " parameter("live/vehicles") " vehicles reporting every second, " parameter("live/seconds") " s"
  goal = "p99 < 150 ms (500 clients, 1,000 vehicles)"
  if (has("live/push_write_p99_ms")) {
    result = "p50 " num(value["live/push_write_p50_ms"], 0) " ms, p99 " num(value["live/push_write_p99_ms"], 0) " ms, max " num(value["live/push_write_max_ms"], 0) " ms; " num(value["live/push_positions_per_second"], 0) " positions/s in " num(value["live/push_frames_per_second"], 0) " frames/s"
    if (value["live/push_clients_disconnected"] > 0) result = result "; " num(value["live/push_clients_disconnected"], 0) " clients disconnected"
    if (value["live/push_write_unmatched"] > 0) result = result "; " num(value["live/push_write_unmatched"], 0) " positions without a heard write"
    # The goal is set for one load: another load gives a figure, not a verdict.
    row("live", measure, result, goal, (clients == 500 && vehicles == 1000) ? verdict(value["live/push_write_p99_ms"] < 150) : "— (other load)")
  } else missing("live", measure, goal)
  if (has("live/push_p99_ms"))
    row("live", "the same from the simulator's send (publish→client: adds the broker, the consumer's batching and store)", "p50 " num(value["live/push_p50_ms"], 0) " ms, p99 " num(value["live/push_p99_ms"], 0) " ms", "—", "—")
  if (has("live/hub_push_lag_mean_ms"))
    row("live", "the hub's own part (hub_push_lag: stored → frame written, oldest position of each frame)", "mean " num(value["live/hub_push_lag_mean_ms"], 0) " ms, p50 ≤ " value["live/hub_push_lag_p50_ms_bound"] " ms, p99 ≤ " value["live/hub_push_lag_p99_ms_bound"] " ms", "—", "—")
  if (has("live/push_api_gateway_cores"))
    row("live", "CPU while pushing, in cores (of " parameter("live/cores") ")", "api-gateway " value["live/push_api_gateway_cores"] ", edge " value["live/push_edge_cores"] ", the clients " value["live/push_clients_cores"], "—", "—")

  split("n_connections 1_connection", shapes, " ")
  for (i = 1; i <= 2; i++) {
    prefix = "live/rest_" shapes[i]
    connections = i == 1 ? parameter("live/clients") " connections" : "1 connection"
    for (j = 1; j <= 2; j++) {
      path = j == 1 ? "direct" : "edge"
      measure = "GET /api/vehicles/ (" parameter("live/vehicles") " vehicles) " (j == 1 ? "straight to the api-gateway" : "through the edge") ", wrk, " connections
      if (has(prefix "_" path "_requests_per_second")) {
        result = num(value[prefix "_" path "_requests_per_second"], 0) " req/s, p50 " num(value[prefix "_" path "_p50_ms"], 2) " ms, p99 " num(value[prefix "_" path "_p99_ms"], 2) " ms"
        if (value[prefix "_" path "_non2xx"] > 0 || value[prefix "_" path "_socket_errors"] > 0)
          result = result " (" num(value[prefix "_" path "_non2xx"], 0) " non-2xx, " num(value[prefix "_" path "_socket_errors"], 0) " socket errors)"
        row("live", measure, result, "—", "—")
      } else missing("live", measure, "—")
    }
    direct = prefix "_direct"; edge = prefix "_edge"
    goal = i == 2 ? "edge adds ≤ 0.5 ms at p50" : "—"
    if (has(direct "_requests_per_second") && has(edge "_requests_per_second") && value[direct "_requests_per_second"] > 0) {
      p50 = value[edge "_p50_ms"] - value[direct "_p50_ms"]
      how = ""
      # One connection is measured in rounds alternating the paths; the goal is judged on the median of the rounds' differences.
      if (has(prefix "_edge_minus_direct_p50_ms_median_of_rounds")) {
        p50 = value[prefix "_edge_minus_direct_p50_ms_median_of_rounds"]
        how = ", median of " num(value[prefix "_rounds"], 0) " alternating rounds"
      }
      row("edge vs direct", "REST, " connections ": req/s edge ÷ direct; p50 edge − direct" how, sprintf("%.2f×", value[edge "_requests_per_second"] / value[direct "_requests_per_second"]) "; " signed(p50, 2) " ms (" num(value[direct "_p50_ms"], 2) " → " num(value[edge "_p50_ms"], 2) " ms)", goal, i == 2 ? verdict(p50 <= 0.5) : "—")
    } else missing("edge vs direct", "REST, " connections ": req/s edge ÷ direct; p50 edge − direct", goal)
  }

  paint_row("first_paint", "first paint of " parameter("live/vehicles") " vehicles in Chromium (navigation start → all markers drawn), the vehicles reporting every second", "< 500 ms", 1)
  paint_row("first_paint_idle", "the same with the simulator stopped (the same list; the page alone on the cores)", "—", 0)
  # The same first visit (empty cache, no cookies) in a browser already running: a fresh context per load, no renderer
  # process started for it (the rows above start a browser per load). Not judged: which row the goal is read from is
  # the README's call (its First paint bullet).
  paint_row("first_paint_warm", "first paint, the same first visit in a browser already running (a fresh, empty context per load), the vehicles reporting every second", "—", 0)
  paint_row("first_paint_warm_idle", "the same in a running browser with the simulator stopped", "—", 0)

  # The list against the same bytes as a static file, both through the edge, in the same run (the simulator stopped,
  # so the list is the same from request to request, as a file is).
  size = has("live/list_bytes_identity") ? num(value["live/list_bytes_identity"], 0) " bytes" : "?"
  measure = "GET /api/vehicles/ (" parameter("live/vehicles") " vehicles, " size ") vs a static file of the same bytes, through the edge, 1 connection: p50 list ÷ static, median of alternating rounds"
  if (has("live/list_1_connection_p50_ratio_median_of_rounds")) {
    ratio = value["live/list_1_connection_p50_ratio_median_of_rounds"]
    row("list vs static file", measure, sprintf("%.2f×", ratio) " (list " num(value["live/list_1_connection_list_p50_ms"], 2) " ms, static " num(value["live/list_1_connection_static_p50_ms"], 2) " ms)", "≤ 2×", verdict(ratio <= 2))
  } else missing("list vs static file", measure, "≤ 2×")
  measure = "the same, " parameter("live/clients") " connections: req/s list ÷ static; list p99"
  goal = "≥ 0.5×; p99 < 200 ms"
  if (has("live/list_n_connections_list_requests_per_second") && value["live/list_n_connections_static_requests_per_second"] > 0) {
    ratio = value["live/list_n_connections_list_requests_per_second"] / value["live/list_n_connections_static_requests_per_second"]
    p99 = value["live/list_n_connections_list_p99_ms"]
    result = sprintf("%.2f×", ratio) " (" num(value["live/list_n_connections_list_requests_per_second"], 0) " vs " num(value["live/list_n_connections_static_requests_per_second"], 0) " req/s); p99 " num(p99, 1) " ms (static " num(value["live/list_n_connections_static_p99_ms"], 1) " ms)"
    if (value["live/list_n_connections_list_errors"] > 0) result = result "; " num(value["live/list_n_connections_list_errors"], 0) " errors"
    row("list vs static file", measure, result, goal, verdict(ratio >= 0.5 && p99 < 200 && value["live/list_n_connections_list_errors"] == 0))
  } else missing("list vs static file", measure, goal)
  measure = "unchanged list: If-None-Match with its ETag, 1 connection"
  goal = "304 with no body; Cache-Control: no-cache"
  if (has("live/list_304_verified"))
    row("list", measure, (value["live/list_304_verified"] ? "304, no body" : "**not a bodiless 304**") "; " num(value["live/list_304_1_connection_requests_per_second"], 0) " req/s, p50 " num(value["live/list_304_1_connection_p50_ms"], 2) " ms", goal, verdict(value["live/list_304_verified"] == 1))
  else missing("list", measure, goal)
  measure = "bytes on the wire per list, plain / gzip / Brotli (Accept-Encoding), and p50 with Brotli, 1 connection"
  goal = "JSON over 1 KB compressed when asked"
  if (has("live/list_bytes_br"))
    row("list", measure, num(value["live/list_bytes_identity"], 0) " / " num(value["live/list_bytes_gzip"], 0) " / " num(value["live/list_bytes_br"], 0) " bytes (Brotli " sprintf("%.1f×", value["live/list_bytes_identity"] / value["live/list_bytes_br"]) " smaller); p50 " num(value["live/list_br_1_connection_p50_ms"], 2) " ms", goal, verdict(value["live/list_bytes_br"] < value["live/list_bytes_identity"] && value["live/list_bytes_gzip"] < value["live/list_bytes_identity"]))
  else missing("list", measure, goal)

  # Resident memory per service in the live run: steady, every vehicle reporting every second, no browser yet.
  split("edge api-gateway position-tracker queue-consumer position-simulator", live_services, " ")
  for (i = 1; i <= 5; i++) {
    service = live_services[i]
    measure = "resident memory, steady (" parameter("live/vehicles") " vehicles at 1 Hz for " parameter("live/memory_steady_seconds") " s), " service form("live", service)
    if (has("live/memory_resident_mib_" service))
      row("live", measure, num(value["live/memory_resident_mib_" service], 0) " MiB (of it " num(value["live/memory_mapped_files_mib_" service], 0) " MiB mapped runtime and framework files)", "≤ 80 MiB", verdict(value["live/memory_resident_mib_" service] <= 80))
    else missing("live", measure, "≤ 80 MiB")
  }
}
AWK
{
  printf '%s\n' "${header[@]}"
  echo
  awk "$table" "$results"
  if ((${#failed[@]})); then
    echo
    echo "Failed: ${failed[*]} (logs: .fleetman/bench/$stamp-<benchmark>.log); their rows are not measured."
  fi
} >"$out/$stamp.md"
cp "$out/$stamp.md" "$out/latest.md"
echo "=== all benchmarks: the table (also in .fleetman/bench/$stamp.md and .fleetman/bench/latest.md)"
echo
cat "$out/$stamp.md"
((${#failed[@]} == 0))
