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

# --- state dir, lock, credentials ------------------------------------------------------------

ensure_state_dir() {
  # Credentials and configs with secrets live here: keep it private to the user.
  (umask 077 && mkdir -p "$STATE_DIR" "$AMQ_CONF" "$AMQ_DIR/data" "$AMQ_DIR/tmp" "$REDIS_DIR")
}

# Serialises commands on one state dir (two test runs starting the same instance would otherwise
# race to start two brokers). fd 9 must not leak into the daemons, or they would hold the lock
# forever: every launch below closes it with 9>&-.
take_lock() {
  ensure_state_dir
  exec 9>>"$STATE_DIR/.lock"
  flock -w $((TIMEOUT + 30)) 9 || die "another infra.sh holds $STATE_DIR/.lock"
}

cred_get() { sed -n "s/^$1=//p" "$CRED_FILE" | tail -n 1; }

random_secret() { # 128 bits as hex: safe unquoted in .env, .properties, redis.conf and connection strings
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

credentials_valid() {
  [[ -s $CRED_FILE ]] || return 1
  [[ $(cred_get FLEETMAN_BROKER_PASSWORD) =~ ^[0-9a-f]{32}$ ]] || return 1
  [[ $(cred_get FLEETMAN_REDIS_PASSWORD) =~ ^[0-9a-f]{32}$ ]]
}

# Generated once per state dir and reused, so restarts and `env` agree. Delete the file (and
# restart) to rotate. No default passwords exist anywhere.
ensure_credentials() {
  if ! credentials_valid; then
    [[ ! -e $CRED_FILE ]] || warn "$CRED_FILE is incomplete; generating new credentials"
    local tmp
    tmp=$(umask 077 && mktemp "$CRED_FILE.XXXXXX")
    {
      printf '# Generated by scripts/infra.sh; local secrets for this state dir. Delete and restart to rotate.\n'
      printf 'FLEETMAN_BROKER_USERNAME=%s\n' "$BROKER_USER"
      printf 'FLEETMAN_BROKER_PASSWORD=%s\n' "$(random_secret)"
      printf 'FLEETMAN_REDIS_PASSWORD=%s\n' "$(random_secret)"
    } >"$tmp"
    mv -f "$tmp" "$CRED_FILE"
    warn "generated credentials in $CRED_FILE"
  fi
  chmod 600 "$CRED_FILE"
  BROKER_PASSWORD=$(cred_get FLEETMAN_BROKER_PASSWORD)
  REDIS_PASSWORD=$(cred_get FLEETMAN_REDIS_PASSWORD)
}

load_credentials_if_any() {
  BROKER_PASSWORD=""
  REDIS_PASSWORD=""
  if credentials_valid; then
    BROKER_PASSWORD=$(cred_get FLEETMAN_BROKER_PASSWORD)
    REDIS_PASSWORD=$(cred_get FLEETMAN_REDIS_PASSWORD)
  fi
}

# --- packages --------------------------------------------------------------------------------

ensure_packages() {
  command -v dpkg >/dev/null 2>&1 || {
    warn "no dpkg: not installing packages, expecting $* to be present"
    return 0
  }
  local p missing=()
  for p in "$@"; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "missing packages (${missing[*]}) and not root; install them first"
    sudo=(sudo)
  fi
  log "installing ${missing[*]} (apt-get)"
  "${sudo[@]}" apt-get update -qq
  # The packages' postinst tries to start a system-wide service; policy-rc.d denies that in
  # containers ("invoke-rc.d: policy-rc.d denied execution"), which is harmless: we run our own.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- process helpers -------------------------------------------------------------------------

# kill -0 also succeeds on a zombie (a dead daemon its parent has not reaped yet: on the build VMs
# PID 1 reaps late, so a stopped broker stays a zombie for a while); look at the process state too.
pid_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [[ $state != Z ]]
}

# Prints the pid recorded in $1 if that process is alive and its command line contains $2
# (guards against a recycled pid after a reboot or a SIGKILL).
live_pid() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  if [[ -r /proc/$pid/cmdline ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
  fi
  printf '%s' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_gone() { # pid tenths-of-a-second; true once the process is gone
  local i
  for ((i = 0; i < $2; i++)); do
    pid_alive "$1" || return 0
    sleep 0.1
  done
  ! pid_alive "$1"
}

stop_pid() { # name pidfile match
  local name=$1 pidfile=$2 pid
  if ! pid=$(live_pid "$pidfile" "$3"); then
    rm -f "$pidfile"
    log "$name already stopped"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  # 20 s covers a broker flushing KahaDB; past that, it is hung.
  if ! wait_gone "$pid" 200; then
    warn "$name (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 50 || true
  fi
  rm -f "$pidfile"
  log "$name stopped (pid $pid)"
}

kill_pid() { # name pidfile match
  local name=$1 pidfile=$2 pid
  if ! pid=$(live_pid "$pidfile" "$3"); then
    rm -f "$pidfile"
    log "$name not running"
    return 0
  fi
  kill -KILL "$pid" 2>/dev/null || true
  # Wait until it is really gone so the ports and the KahaDB lock are free for a restart.
  wait_gone "$pid" 50 || true
  rm -f "$pidfile"
  log "$name killed (SIGKILL, pid $pid)"
}

# --- ActiveMQ --------------------------------------------------------------------------------

# The pid check matches the instance's own base dir, so two instances never confuse each other.
readonly AMQ_MATCH="-Dactivemq.base=$AMQ_DIR "

# Real STOMP 1.2 CONNECT with the credentials, using bash's /dev/tcp (builtin printf: the
# password is not on any command line). Exit 0 = CONNECTED, 1 = ERROR frame (message printed),
# 2 = no connection or no answer.
stomp_probe() (
  exec 3<>"/dev/tcp/127.0.0.1/$STOMP_PORT" || exit 2
  printf 'CONNECT\naccept-version:1.2\nhost:localhost\nlogin:%s\npasscode:%s\nheart-beat:0,0\n\n\0' \
    "$BROKER_USER" "$BROKER_PASSWORD" >&3 || exit 2
  line=""
  IFS= read -r -t 5 -u 3 line || exit 2
  if [[ $line == CONNECTED ]]; then
    printf 'DISCONNECT\n\n\0' >&3 || true
    exit 0
  fi
  if [[ $line == ERROR ]]; then
    while IFS= read -r -t 2 -u 3 line && [[ -n $line ]]; do
      [[ $line != message:* ]] || printf '%s\n' "${line#message:}"
    done
    exit 1
  fi
  exit 2
) 2>/dev/null

# Byte sizes of the logs when this start launched the JVM: excerpts show only this attempt.
AMQ_LOG_OFFSET=0
AMQ_OUT_OFFSET=0

log_excerpt() { # file offset: the last errors written since offset (else its last lines)
  local text errors
  [[ -s $1 ]] || return 0
  text=$(tail -c "+$(($2 + 1))" "$1")
  errors=$(grep -E 'ERROR|FATAL|Caused by|Exception' <<<"$text" | grep -vE '^[[:space:]]+at ' | tail -n 6) || true
  printf '%s\n' "${errors:-$(tail -n 6 <<<"$text")}" | sed 's/^/  | /' >&2
}

amq_fail() {
  warn "$1"
  warn "broker log: $AMQ_LOG"
  log_excerpt "$AMQ_LOG" "$AMQ_LOG_OFFSET"
  warn "JVM output: $AMQ_OUT"
  log_excerpt "$AMQ_OUT" "$AMQ_OUT_OFFSET"
  exit 1
}

# Ready = the process lives, OpenWire accepts and a STOMP CONNECT is answered with CONNECTED.
wait_activemq() { # pid start_us
  local pid=$1 t0=$2 deadline rc msg
  deadline=$(($(now_us) + TIMEOUT * 1000000))
  while (($(now_us) < deadline)); do
    if ! pid_alive "$pid"; then
      rm -f "$AMQ_PID"
      amq_fail "activemq (pid $pid) exited during start"
    fi
    if port_open "$OPENWIRE_PORT"; then
      rc=0
      msg=$(stomp_probe) || rc=$?
      ((rc != 0)) || return 0
      ((rc != 1)) || amq_fail "activemq refused the credentials of $CRED_FILE: ${msg:-ERROR frame}
  (were they regenerated while the broker ran? then: $0 restart activemq)"
    fi
    sleep 0.1
  done
  # Left running: on a loaded machine it may still come up, and the next `start` waits for it again.
  amq_fail "activemq not ready after $(elapsed "$t0") (timeout ${TIMEOUT}s; OpenWire :$OPENWIRE_PORT, STOMP :$STOMP_PORT);
  it is still running as pid $pid: wait and run \`$0 start activemq\` again, or \`$0 stop activemq\`"
}

java_bin() {
  if [[ -x /usr/lib/jvm/default-java/bin/java ]]; then
    # Debian's default JRE (17), the one the activemq package is built and tested against; a
    # JAVA_HOME or PATH pointing at another JDK is not trusted with Spring 3 / xbean.
    printf '%s' /usr/lib/jvm/default-java/bin/java
  else
    command -v java || die "no java found (package default-jre-headless)"
  fi
}

start_activemq() {
  local pid t0 java p
  t0=$(now_us)
  if pid=$(live_pid "$AMQ_PID" "$AMQ_MATCH"); then
    wait_activemq "$pid" "$t0"
    log "activemq already up (pid $pid, STOMP 127.0.0.1:$STOMP_PORT, OpenWire 127.0.0.1:$OPENWIRE_PORT)"
    return 0
  fi
  rm -f "$AMQ_PID"
  for p in "$STOMP_PORT" "$OPENWIRE_PORT"; do
    ! port_open "$p" || die "port 127.0.0.1:$p is taken by a process that is not this instance's broker" \
      "(state dir $STATE_DIR); stop it or choose FLEETMAN_STOMP_PORT / FLEETMAN_OPENWIRE_PORT"
  done
  [[ -r $AMQ_HOME/bin/activemq.jar ]] || die "$AMQ_HOME/bin/activemq.jar missing (package activemq)"
  java=$(java_bin)
  # Extra jars (see do_start) go on the broker classpath if present; the broker runs without them.
  local classpath=$AMQ_CONF jar
  for jar in /usr/share/java/xstream.jar /usr/share/java/jettison.jar; do
    [[ ! -r $jar ]] || classpath+=":$jar"
  done

  # Copied on every start so a broker always runs with the repo's current config, and the running
  # copy sits next to its data for inspection.
  cp "$REPO_ROOT/infra/activemq/activemq.xml" "$REPO_ROOT/infra/activemq/log4j.properties" "$AMQ_CONF/"
  # Read by the PropertyPlaceholderConfigurer in activemq.xml; never on the command line.
  (
    umask 077
    printf 'fleetman.broker.username=%s\nfleetman.broker.password=%s\n' "$BROKER_USER" "$BROKER_PASSWORD" \
      >"$AMQ_CONF/credentials.properties"
  )
  chmod 600 "$AMQ_CONF/credentials.properties"

  touch "$AMQ_LOG" "$AMQ_OUT"
  AMQ_LOG_OFFSET=$(stat -c %s "$AMQ_LOG")
  AMQ_OUT_OFFSET=$(stat -c %s "$AMQ_OUT")
  printf '===== %s starting activemq =====\n' "$(date -Is)" >>"$AMQ_OUT"
  # The java process directly, not /usr/bin/activemq: the Debian wrapper sources
  # /usr/share/activemq/activemq-options, which overrides the heap, ACTIVEMQ_BASE and the pid file.
  # The --add-* flags are the ones that wrapper passes (Spring 3 / xbean need them on Java 17).
  # setsid: own session, so the broker outlives this script and the caller's Ctrl-C or process
  # group kill. Without job control, the background child is not a group leader, so setsid
  # execs in place and $! is the JVM's pid.
  setsid "$java" -Xms128m -Xmx512m -Djava.awt.headless=true -Djava.io.tmpdir="$AMQ_DIR/tmp" \
    --add-reads=java.xml=java.logging \
    --add-opens java.base/java.security=ALL-UNNAMED --add-opens java.base/java.net=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED \
    --add-opens java.naming/javax.naming.spi=ALL-UNNAMED --add-opens java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED \
    --add-opens java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens java.base/java.util.concurrent.atomic=ALL-UNNAMED \
    -Dactivemq.home="$AMQ_HOME" -Dactivemq.base="$AMQ_DIR" -Dactivemq.conf="$AMQ_CONF" \
    -Dactivemq.data="$AMQ_DIR/data" -Dactivemq.classpath="$classpath" \
    -Dlog4j.configuration="file:$AMQ_CONF/log4j.properties" -Dfleetman.activemq.log="$AMQ_LOG" \
    -Dfleetman.stomp.port="$STOMP_PORT" -Dfleetman.openwire.port="$OPENWIRE_PORT" \
    -jar "$AMQ_HOME/bin/activemq.jar" start "xbean:file:$AMQ_CONF/activemq.xml" \
    </dev/null >>"$AMQ_OUT" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$AMQ_PID"
  wait_activemq "$pid" "$t0"
  log "activemq up in $(elapsed "$t0") (pid $pid, STOMP 127.0.0.1:$STOMP_PORT, OpenWire 127.0.0.1:$OPENWIRE_PORT, log $AMQ_LOG)"
}

status_activemq() {
  local pid rc=0 msg
  if ! pid=$(live_pid "$AMQ_PID" "$AMQ_MATCH"); then
    if port_open "$STOMP_PORT"; then
      echo "activemq: down (but 127.0.0.1:$STOMP_PORT is taken by another process)"
    else
      echo "activemq: down"
    fi
    return 1
  fi
  msg=$(stomp_probe) || rc=$?
  case $rc in
    0) echo "activemq: up (pid $pid, STOMP 127.0.0.1:$STOMP_PORT, OpenWire 127.0.0.1:$OPENWIRE_PORT)" ;;
    1) echo "activemq: running (pid $pid) but refuses the credentials: $msg" ;;
    *) echo "activemq: running (pid $pid) but not answering on 127.0.0.1:$STOMP_PORT (starting or hung?)" ;;
  esac
  return $((rc != 0))
}

# --- Redis -----------------------------------------------------------------------------------

# Only the program name: the pid file is already per state dir, and a port in the match would make
# `stop` miss a redis started with another FLEETMAN_REDIS_PORT.
readonly REDIS_MATCH="redis-server"

# PING after AUTH; REDISCLI_AUTH keeps the password off the command line.
redis_ping() {
  [[ $(REDISCLI_AUTH=$REDIS_PASSWORD timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

start_redis() {
  local pid t0 deadline
  t0=$(now_us)
  if pid=$(live_pid "$REDIS_PID" "$REDIS_MATCH"); then
    redis_ping || die "redis (pid $pid) runs but does not answer PING with this state dir's password; see $REDIS_LOG"
    log "redis already up (pid $pid, 127.0.0.1:$REDIS_PORT)"
    return 0
  fi
  rm -f "$REDIS_PID"
  ! port_open "$REDIS_PORT" || die "port 127.0.0.1:$REDIS_PORT is taken by a process that is not this" \
    "instance's redis (state dir $STATE_DIR); stop it or choose FLEETMAN_REDIS_PORT"
  # The password goes into a private config file, not onto the command line.
  (
    umask 077
    cat >"$REDIS_DIR/redis.conf" <<EOF
# Generated by scripts/infra.sh on every start; edits are overwritten.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
requirepass $REDIS_PASSWORD
dir $REDIS_DIR
# Redis holds a cache of latest positions and the SignalR backplane: nothing to persist.
save ""
appendonly no
daemonize yes
pidfile $REDIS_PID
logfile $REDIS_LOG
EOF
  )
  chmod 600 "$REDIS_DIR/redis.conf"
  redis-server "$REDIS_DIR/redis.conf" </dev/null 9>&- || die "redis-server failed to start; see $REDIS_LOG"
  deadline=$(($(now_us) + TIMEOUT * 1000000))
  until redis_ping; do
    (($(now_us) < deadline)) || {
      [[ ! -s $REDIS_LOG ]] || tail -n 15 "$REDIS_LOG" | sed 's/^/  | /' >&2
      die "redis not ready after ${TIMEOUT}s; see $REDIS_LOG"
    }
    sleep 0.05
  done
  pid=$(live_pid "$REDIS_PID" "$REDIS_MATCH") || die "redis answers but its pid file $REDIS_PID is missing; see $REDIS_LOG"
  log "redis up in $(elapsed "$t0") (pid $pid, 127.0.0.1:$REDIS_PORT, log $REDIS_LOG)"
}

status_redis() {
  local pid
  if ! pid=$(live_pid "$REDIS_PID" "$REDIS_MATCH"); then
    if port_open "$REDIS_PORT"; then
      echo "redis: down (but 127.0.0.1:$REDIS_PORT is taken by another process)"
    else
      echo "redis: down"
    fi
    return 1
  fi
  if redis_ping; then
    echo "redis: up (pid $pid, 127.0.0.1:$REDIS_PORT)"
  else
    echo "redis: running (pid $pid) but PING with this state dir's password fails"
    return 1
  fi
}

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
