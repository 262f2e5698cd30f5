# shellcheck shell=bash
# Sourced (not run) by the benchmarks that start services as processes of their own: free ports, stopping what they
# started, a process's memory from /proc. The script keeps the pids it starts in `started` (this shell's children,
# for `wait`) and calls stop_started from its EXIT trap.

started=() # pids of the services the script started, stopped on exit whatever happens

# stop_started: SIGTERM to every service still in `started`, then waits for each.
stop_started() {
  local pid
  for pid in "${started[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}

# stop_service <pid>: stops one service now and forgets it.
stop_service() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local pid kept=()
  for pid in "${started[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  started=(${kept[@]+"${kept[@]}"})
}

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    # Nothing answers a connection: free (a race with another process is possible, and would fail the start loudly).
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# mib_from_status <pid> <field>: a /proc/<pid>/status field (VmRSS, VmHWM, RssAnon, ...; given in KiB) in MiB.
mib_from_status() { awk -v field="$2:" '$1 == field { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# bench_session <name>: a temporary folder for the run in `work`, and an EXIT trap that stops the services the script
# started, removes the folder and stops the infrastructure if the run started it (scripts/lib/infra-session.sh).
bench_session() {
  work=$(mktemp -d -t "fleetman-$1-XXXXXX")
  trap bench_cleanup EXIT
}

# shellcheck disable=SC2317 # called by the EXIT trap
bench_cleanup() {
  stop_started
  rm -rf "$work"
  infra_stop_if_started_here
}

# wait_ready <pid> <port> <log> <what>: waits up to 30 s for the service's /healthz/ready to answer 200 (polled every
# 20 ms); on failure says so with the end of its log and returns 1.
wait_ready() {
  local pid=$1 port=$2 log=$3 what=$4
  for _ in $(seq 1 1500); do
    curl -fs "http://127.0.0.1:$port/healthz/ready" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  echo "$what did not become ready; its log ($log):" >&2
  tail -n 20 "$log" >&2
  return 1
}
