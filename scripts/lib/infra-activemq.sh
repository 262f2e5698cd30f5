# shellcheck shell=bash
# shellcheck disable=SC2154 # the settings (STATE_DIR, the ports, file paths) and log/warn/die come from scripts/infra.sh
# Sourced (not run) by scripts/infra.sh: ActiveMQ Classic, started from Debian's package with a configuration of
# the project (infra/activemq), ready once a STOMP CONNECT with the credentials is answered.

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
  # The module flags that wrapper passes (Spring 3 / xbean need them on Java 17) are in java-modules.args, the
  # argument file the broker's container start.sh passes too.
  # setsid: own session, so the broker outlives this script and the caller's Ctrl-C or process
  # group kill. Without job control, the background child is not a group leader, so setsid
  # execs in place and $! is the JVM's pid.
  local -a java_opts=()
  read -r -a java_opts <<<"${FLEETMAN_ACTIVEMQ_JAVA_OPTS:-}"
  setsid "$java" -Xms128m -Xmx512m "${java_opts[@]}" -Djava.awt.headless=true -Djava.io.tmpdir="$AMQ_DIR/tmp" \
    "@$REPO_ROOT/k8s/base/activemq/java-modules.args" \
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
    report_down activemq "$STOMP_PORT"
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
