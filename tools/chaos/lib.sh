# shellcheck shell=bash
# Shared by the chaos scenarios (tools/chaos/*.sh) and the autoscaling walkthrough (tools/autoscaling/*.sh):
# common options, prerequisite checks, bounded waits, clean-up on exit, and the ways the scripts observe Fleetman:
#   - a pod's /metrics through the Kubernetes API server's proxy (no port-forward, no curl needed),
#   - Prometheus' query API through the same proxy, when the monitoring component runs,
#   - MongoDB's replica-set state with mongosh inside a member pod.
# Sourced, never run. Written for bash 3.2 and later (macOS' /bin/bash included): no associative arrays.

FLEETMAN_APP_LABEL=app.kubernetes.io/name
NAMESPACE=${FLEETMAN_NAMESPACE:-fleetman}
TIMEOUT=${TIMEOUT:-300}
ASSUME_YES=false
SCRIPT_NAME=$(basename "$0")
# The metric names of docs/deployment-reference.md ("Metrics and alerts").
METRIC_QUEUE_DEPTH='fleetman_messaging_queue_depth{queue="positionQueue"}'
METRIC_STORED=fleetman_queueconsumer_positions_stored
METRIC_PUBLISHED=fleetman_simulator_positions_published
# The Prometheus of the monitoring component: Service prometheus, port "web" (9090).
PROMETHEUS_SERVICE=${FLEETMAN_PROMETHEUS_SERVICE:-prometheus:web}

if [[ -t 1 ]]; then
  BOLD=$'\033[1m' DIM=$'\033[2m' RED=$'\033[31m' GREEN=$'\033[32m' YELLOW=$'\033[33m' CYAN=$'\033[36m' RESET=$'\033[0m'
else
  BOLD='' DIM='' RED='' GREEN='' YELLOW='' CYAN='' RESET=''
fi

# --- output ----------------------------------------------------------------------------------------------

say() { printf '%s %s\n' "${DIM}$(date +%H:%M:%S)${RESET}" "$*"; }
step() { printf '\n%s== %s ==%s\n' "$BOLD" "$*" "$RESET"; }
ok() { say "${GREEN}OK${RESET} $*"; }
warn() { say "${YELLOW}WARNING${RESET} $*" >&2; }
die() {
  printf '%s%s: %s%s\n' "$RED" "$SCRIPT_NAME" "$*" "$RESET" >&2
  exit 1
}
# What the user should see next; printed before the action that causes it.
expect() { printf '%sWHAT TO EXPECT:%s %s\n' "$CYAN" "$RESET" "$*"; }
# A command shown to the user so they can run it themselves in another terminal.
hint() { printf '  %s$ %s%s\n' "$DIM" "$*" "$RESET"; }

# The script's header comment (from line 2 to the first line that is not a comment), without the '# '.
usage() { sed -n '2,/^[^#]/p' "$0" | sed -e '/^[^#]/d' -e 's/^# \{0,1\}//'; }

# --- options ---------------------------------------------------------------------------------------------

# The script's own options that take a value: `value_option --node NODE` before parse_args makes `--node x` set NODE.
declare -A VALUE_OPTIONS=()
value_option() { # option variable
  VALUE_OPTIONS[$1]=$2
}

# An option with a few possible values: `choice_option --mode MODE crash graceful` sets MODE to the first (the
# default); parse_args takes another of them and dies naming the choices for anything else.
declare -A CHOICE_OPTIONS=()
choice_option() { # option variable choice...
  value_option "$1" "$2"
  printf -v "$2" '%s' "$3"
  CHOICE_OPTIONS[$1]="${*:3}"
}

# Common options and the value options; a script handles any other of its own in a function `script_option "$@"`
# that sets SHIFT to the number of words it used and returns 0, or returns 1 for an option it does not know.
parse_args() {
  SHIFT=0
  while (($#)); do
    case $1 in
      -n | --namespace)
        (($# >= 2)) || die "$1 needs a value"
        NAMESPACE=$2
        shift 2
        ;;
      -t | --timeout)
        (($# >= 2)) || die "$1 needs a value"
        TIMEOUT=$2
        shift 2
        ;;
      -y | --yes)
        ASSUME_YES=true
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        if [[ -v "VALUE_OPTIONS[$1]" ]]; then
          option_value "${VALUE_OPTIONS[$1]}" "$@"
          # shellcheck disable=SC2086 # the choices are words
          [[ -v "CHOICE_OPTIONS[$1]" ]] && require_choice "$1" "$2" ${CHOICE_OPTIONS[$1]}
          shift "$SHIFT"
        elif declare -F script_option >/dev/null && script_option "$@"; then
          shift "$SHIFT"
        else
          die "unknown option '$1' (see $SCRIPT_NAME --help)"
        fi
        ;;
    esac
  done
  require_number --timeout "$TIMEOUT"
  [[ $NAMESPACE =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "'$NAMESPACE' is not a namespace name"
}

# In a script_option: `--name) option_value VARIABLE "$@" ;;` sets VARIABLE to the option's value (the next word),
# or dies when there is none.
option_value() { # variable option [value ...]
  (($# >= 3)) || die "$2 needs a value"
  printf -v "$1" '%s' "$3"
  SHIFT=2
}

require_number() { # option value
  [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 takes a whole number above 0, not '$2'"
}

require_choice() { # option value choice...
  local option=$1 value=$2 choice choices=''
  shift 2
  for choice; do
    [[ $value == "$choice" ]] && return 0
    choices+="${choices:+ or }$choice"
  done
  die "$option is $choices, not '$value'"
}

# Asks before a disruptive step, unless --yes. Without a terminal to ask on, --yes is required.
confirm() {
  $ASSUME_YES && return 0
  [[ -t 0 ]] || die "not asking without a terminal: pass --yes to run unattended"
  local answer
  read -r -p "$* [y/N] " answer
  [[ $answer == y || $answer == Y || $answer == yes ]] || die "stopped; nothing was changed"
}

# Asks before the fault itself, then announces it and notes in `started` when it began: the scenario's timings
# ("back after 42s") count from there.
begin_fault() { # question step
  confirm "$1"
  step "$2"
  # shellcheck disable=SC2034 # read by the scenario that called it
  started=$(now)
}

# --- bounded commands ------------------------------------------------------------------------------------

# kubectl in the chosen namespace; every API call gives up after 30 s instead of hanging. (Commands that wait on
# purpose, like delete --wait, rollout status or drain, use plain kubectl with their own --timeout.)
kc() { kubectl --request-timeout=30s -n "$NAMESPACE" "$@"; }

# Runs a command for at most $1 seconds (kubectl exec and port-forward have no time limit of their own).
bounded() {
  local seconds=$1 pid watchdog rc=0
  shift
  if command -v timeout >/dev/null 2>&1; then
    timeout "$seconds" "$@" || rc=$?
    return "$rc"
  fi
  "$@" &
  pid=$!
  (sleep "$seconds" && kill "$pid" 2>/dev/null) &
  watchdog=$!
  wait "$pid" || rc=$?
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  return "$rc"
}

now() { date +%s; }

# wait_until SECONDS INTERVAL "what" command...: runs the command every INTERVAL seconds until it succeeds.
# Says every 30 s that it is still waiting; returns 1 (without dying) when time is up.
wait_until() {
  local seconds=$1 interval=$2 what=$3 start last
  shift 3
  start=$(now)
  last=$start
  say "waiting up to ${seconds}s for $what"
  until "$@"; do
    if (($(now) - start >= seconds)); then
      warn "gave up after ${seconds}s waiting for $what"
      return 1
    fi
    if (($(now) - last >= 30)); then
      say "  still waiting for $what ($(($(now) - start))s)"
      last=$(now)
    fi
    sleep "$interval"
  done
  ok "$what (after $(($(now) - start))s)"
}

# --- restoring the system --------------------------------------------------------------------------------

CLEANUPS=()
# Registers a command (one string, evaluated) to run when the script ends, however it ends; last in, first out.
on_exit() { CLEANUPS+=("$1"); }
run_cleanups() {
  local rc=$? i
  trap - EXIT INT TERM
  if ((${#CLEANUPS[@]})); then
    step "Restoring the system"
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
      say "${CLEANUPS[i]}"
      eval "${CLEANUPS[i]}" || warn "could not restore: ${CLEANUPS[i]} (run it by hand)"
    done
  fi
  exit "$rc"
}
# Restores now, in the middle of a scenario (to watch the recovery), instead of at the end.
restore_now() {
  local i
  for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
    say "${CLEANUPS[i]}"
    eval "${CLEANUPS[i]}" || warn "could not restore: ${CLEANUPS[i]} (run it by hand)"
  done
  CLEANUPS=()
}
trap run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# The rest, by what it looks at: the cluster and its workloads, metrics and alerts, MongoDB.
# shellcheck source-path=SCRIPTDIR source=lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
# shellcheck source-path=SCRIPTDIR source=lib/metrics.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/metrics.sh"
# shellcheck source-path=SCRIPTDIR source=lib/mongodb.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mongodb.sh"
