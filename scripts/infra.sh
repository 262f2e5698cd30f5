#!/usr/bin/env bash
# Local infrastructure for Fleetman: ActiveMQ Classic (STOMP) and Redis, run as plain loopback
# processes from Debian packages. No systemd, no Docker: the build machines have neither a usable
# init system nor pullable images (shared/notes/infra-messaging.md).
#
# Usage: scripts/infra.sh start|stop|restart|reset|status|env|kill [activemq|redis|all]   (default: all)
#
#   start    install missing Debian packages, start what is not running, wait until it answers
#   stop     SIGTERM, wait up to 20 s, then SIGKILL; idempotent
#   restart  stop + start; the broker's KahaDB is kept, so persistent messages survive
#   reset    stop, delete the stored data (the broker's KahaDB, Redis's dump), start: every queue empty again.
#            Each test or benchmark run uses queues of its own, and what a stopped run leaves in them stays; when
#            the broker's 4 GB store is full, it holds every producer back ("Usage(default:store...)" in its log)
#   status   print up/down per component; exit 0 only if every selected component is up
#   env      print `export` lines for the .NET services and tests:  eval "$(scripts/infra.sh env)"
#   kill     SIGKILL (chaos tests: the broker dies without a clean shutdown)
#
# Environment (pass the same values to every command of one instance):
#   FLEETMAN_STATE_DIR      data, logs, pids, generated config and credentials
#                           (default: <repo>/.fleetman/infra, git-ignored)
#   FLEETMAN_STOMP_PORT     ActiveMQ STOMP port      (default 61613)
#   FLEETMAN_OPENWIRE_PORT  ActiveMQ OpenWire port   (default 61616)
#   FLEETMAN_REDIS_PORT     Redis port               (default 6379)
#   FLEETMAN_INFRA_TIMEOUT  seconds to wait for readiness (default 60)
#   FLEETMAN_ACTIVEMQ_JAVA_OPTS  extra options for the broker's JVM, split on spaces (default none); the tests'
#                           short-lived private brokers use it (tests/Fleetman.Testing/BrokerInstance.cs)
# Another state dir plus other ports gives a second, independent instance (e.g. for a test).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
readonly REPO_ROOT=${script_dir%/*}

STATE_DIR=${FLEETMAN_STATE_DIR:-$REPO_ROOT/.fleetman/infra}
# Absolute, because the path ends up in pid checks, java system properties and the env output.
[[ $STATE_DIR == /* ]] || STATE_DIR=$PWD/$STATE_DIR
# Without trailing slashes, so every invocation derives the same paths (they are matched in pids).
while [[ $STATE_DIR == */ && $STATE_DIR != / ]]; do STATE_DIR=${STATE_DIR%/}; done
readonly STATE_DIR
readonly STOMP_PORT=${FLEETMAN_STOMP_PORT:-61613}
readonly OPENWIRE_PORT=${FLEETMAN_OPENWIRE_PORT:-61616}
readonly REDIS_PORT=${FLEETMAN_REDIS_PORT:-6379}
readonly TIMEOUT=${FLEETMAN_INFRA_TIMEOUT:-60}

readonly CRED_FILE=$STATE_DIR/credentials.env
readonly AMQ_DIR=$STATE_DIR/activemq
readonly AMQ_CONF=$AMQ_DIR/conf
readonly AMQ_PID=$AMQ_DIR/activemq.pid
readonly AMQ_LOG=$AMQ_DIR/activemq.log # broker log (log4j)
readonly AMQ_OUT=$AMQ_DIR/activemq.out # stdout/stderr of the JVM
readonly REDIS_DIR=$STATE_DIR/redis
readonly REDIS_PID=$REDIS_DIR/redis.pid
readonly REDIS_LOG=$REDIS_DIR/redis.log
readonly AMQ_HOME=/usr/share/activemq
readonly BROKER_USER=fleetman

log() { printf 'infra: %s\n' "$*"; }
warn() { printf 'infra: %s\n' "$*" >&2; }
die() {
  printf 'infra: error: %s\n' "$*" >&2
  exit 1
}

usage() { # the header comment above, from "Usage:" to the last line before `set -euo`
  sed -n '/^# Usage:/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

for p in "$STOMP_PORT" "$OPENWIRE_PORT" "$REDIS_PORT"; do
  if ! [[ $p =~ ^[1-9][0-9]{0,4}$ ]] || ((p > 65535)); then die "invalid port '$p'"; fi
done
[[ $STOMP_PORT != "$OPENWIRE_PORT" ]] || die "FLEETMAN_STOMP_PORT and FLEETMAN_OPENWIRE_PORT are both $STOMP_PORT"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "invalid FLEETMAN_INFRA_TIMEOUT '$TIMEOUT'"

# Microseconds since the epoch; EPOCHREALTIME's decimal separator follows the locale.
now_us() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }
elapsed() { # start_us -> "1.23s"
  local ms=$((($(now_us) - $1) / 1000))
  printf '%d.%02ds' $((ms / 1000)) $((ms % 1000 / 10))
}

# The parts, one file each (they use the settings above).
# shellcheck source=scripts/lib/infra-common.sh
source "$script_dir/lib/infra-common.sh"
# shellcheck source=scripts/lib/infra-activemq.sh
source "$script_dir/lib/infra-activemq.sh"
# shellcheck source=scripts/lib/infra-redis.sh
source "$script_dir/lib/infra-redis.sh"

# --- env -------------------------------------------------------------------------------------

print_env() {
  # Values are hex, digits and paths; single quotes keep eval safe for any state dir path.
  q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
  printf 'export Broker__Host=%s\n' "$(q 127.0.0.1)"
  printf 'export Broker__Port=%s\n' "$(q "$STOMP_PORT")"
  printf 'export Broker__Username=%s\n' "$(q "$BROKER_USER")"
  printf 'export Broker__Password=%s\n' "$(q "$BROKER_PASSWORD")"
  printf 'export ConnectionStrings__Redis=%s\n' "$(q "127.0.0.1:$REDIS_PORT,password=$REDIS_PASSWORD")"
  printf 'export FLEETMAN_INFRA_STATE=%s\n' "$(q "$STATE_DIR")"
}

# --- main ------------------------------------------------------------------------------------

COMPONENTS=()

do_start() {
  local c pkgs=()
  for c in "${COMPONENTS[@]}"; do
    case $c in
      # xstream + jettison: the broker's STOMP converter needs them for every non-text message
      # it hands out (advisories, `transformation:jms-map-json` replies of the statistics plugin);
      # Debian's activemq does not depend on them, and without them such a dispatch fails with
      # NoClassDefFoundError and the client's connection is dropped.
      activemq) pkgs+=(activemq default-jre-headless libxstream-java libjettison-java) ;;
      redis) pkgs+=(redis-server) ;;
    esac
  done
  ensure_packages "${pkgs[@]}"
  take_lock
  ensure_credentials
  for c in "${COMPONENTS[@]}"; do "start_$c"; done
}

do_stop() { # stop|kill
  local i
  [[ -d $STATE_DIR ]] || {
    log "nothing to $1 ($STATE_DIR does not exist)"
    return 0
  }
  take_lock
  # Reverse order of start: the broker first, its consumers' cache last.
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    case ${COMPONENTS[i]} in
      activemq) "$1_pid" activemq "$AMQ_PID" "$AMQ_MATCH" ;;
      redis) "$1_pid" redis "$REDIS_PID" "$REDIS_MATCH" ;;
    esac
  done
}

do_status() {
  local c rc=0
  # Read-only: no lock, no credential generation (without credentials the probes report a refusal).
  load_credentials_if_any
  for c in "${COMPONENTS[@]}"; do "status_$c" || rc=1; done
  return "$rc"
}

do_env() {
  # Works before anything is started, so services and tests can be configured first.
  if ! credentials_valid; then
    take_lock
    ensure_credentials >&2
  fi
  ensure_credentials
  print_env
}

# The stored data of the selected components (credentials, configuration and logs stay).
do_delete_data() {
  local component
  for component in "${COMPONENTS[@]}"; do
    case $component in
      activemq) rm -rf "$AMQ_DIR/data" ;;
      redis) rm -f "$REDIS_DIR"/*.rdb ;;
    esac
    log "$component data deleted"
  done
}

main() {
  local action=${1:-} target=${2:-all}
  case $action in
    -h | --help | help)
      usage
      return 0
      ;;
    start | stop | restart | reset | status | env | kill) ;;
    *)
      usage >&2
      [[ -z $action ]] && exit 2
      die "unknown command '$action'"
      ;;
  esac
  case $target in
    activemq | redis) COMPONENTS=("$target") ;;
    all) COMPONENTS=(redis activemq) ;;
    *)
      usage >&2
      die "unknown target '$target'"
      ;;
  esac
  (($# <= 2)) || {
    usage >&2
    die "too many arguments"
  }

  case $action in
    start) do_start ;;
    stop) do_stop stop ;;
    # Only the processes are replaced: data (KahaDB), logs and credentials stay.
    restart)
      do_stop stop
      do_start
      ;;
    reset)
      do_stop stop
      do_delete_data
      do_start
      ;;
    kill) do_stop kill ;;
    status) do_status ;;
    env) do_env ;;
  esac
}

main "$@"
