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
