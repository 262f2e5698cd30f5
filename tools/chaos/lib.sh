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

# Common options; a script handles its own in a function `script_option "$@"` that sets SHIFT to the number of
# words it used and returns 0, or returns 1 for an option it does not know.
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
        if declare -F script_option >/dev/null && script_option "$@"; then
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

require_number() { # option value
  [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 takes a whole number above 0, not '$2'"
}

# Asks before a disruptive step, unless --yes. Without a terminal to ask on, --yes is required.
confirm() {
  $ASSUME_YES && return 0
  [[ -t 0 ]] || die "not asking without a terminal: pass --yes to run unattended"
  local answer
  read -r -p "$* [y/N] " answer
  [[ $answer == y || $answer == Y || $answer == yes ]] || die "stopped; nothing was changed"
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

# --- prerequisites ---------------------------------------------------------------------------------------

require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed (it is needed here)"
  done
}

# The cluster and the namespace answer; says which context is used, so nobody breaks the wrong cluster.
check_cluster() {
  require_tools kubectl
  local context
  context=$(kubectl config current-context 2>/dev/null) ||
    die "kubectl has no current context: start minikube ('minikube start') or pick one ('kubectl config use-context NAME')"
  kubectl --request-timeout=15s get namespace "$NAMESPACE" >/dev/null 2>&1 ||
    die "namespace '$NAMESPACE' not found in context '$context' (or the cluster does not answer): deploy Fleetman first (k8s/README.md), or pass --namespace"
  say "cluster: kubectl context ${BOLD}$context${RESET}, namespace ${BOLD}$NAMESPACE${RESET}"
}

# A workload of the contract exists: check_workload deployment queue-consumer
check_workload() {
  kc get "$1" "$2" >/dev/null 2>&1 || die "$1/$2 not found in namespace $NAMESPACE: is Fleetman deployed there?"
}

# metrics-server answers (kubectl top, CPU autoscaling).
has_metrics_server() {
  [[ $(kubectl --request-timeout=15s get apiservice v1beta1.metrics.k8s.io \
    -o jsonpath='{.status.conditions[?(@.type=="Available")].status}' 2>/dev/null) == True ]]
}

# KEDA's custom resources and its metrics API are installed.
has_keda() {
  kubectl --request-timeout=15s get crd scaledobjects.keda.sh >/dev/null 2>&1 &&
    [[ $(kubectl --request-timeout=15s get apiservice v1beta1.external.metrics.k8s.io \
      -o jsonpath='{.status.conditions[?(@.type=="Available")].status}' 2>/dev/null) == True ]]
}

# The monitoring component's Prometheus is there (alerts can be watched).
has_prometheus() { kc get service "${PROMETHEUS_SERVICE%%:*}" >/dev/null 2>&1; }

# The cluster's network plugin enforces NetworkPolicy (minikube's default one does not).
network_policy_plugin() {
  kubectl --request-timeout=15s get pods -n kube-system -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>/dev/null |
    grep -E -o -m1 '^(calico|cilium|antrea|weave-net|kube-router|aws-node|canal)' || true
}

# --- pods and workloads ----------------------------------------------------------------------------------

# Names of the pods of a workload (by app.kubernetes.io/name), one a line. With "running": only those running and
# not being deleted (a terminating pod is still in phase Running until its process exits).
pods_of() {
  if [[ ${2:-} == running ]]; then
    kc get pods -l "$FLEETMAN_APP_LABEL=$1" --field-selector=status.phase=Running \
      -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.deletionTimestamp}{"\n"}{end}' 2>/dev/null |
      awk 'NF == 1 { print $1 }' || true
  else
    kc get pods -l "$FLEETMAN_APP_LABEL=$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>/dev/null || true
  fi
}

# "ready/desired" of a Deployment or StatefulSet: replicas_of deployment api-gateway
replicas_of() {
  local out
  out=$(kc get "$1" "$2" -o jsonpath='{.status.readyReplicas}/{.spec.replicas}' 2>/dev/null) || out='?/?'
  [[ $out == /* ]] && out="0$out"
  printf '%s' "$out"
}

# All replicas of a workload ready (and at least one).
all_ready() {
  local counts ready desired
  counts=$(replicas_of "$1" "$2")
  ready=${counts%/*}
  desired=${counts#*/}
  [[ $ready =~ ^[0-9]+$ && $desired =~ ^[0-9]+$ ]] && ((ready >= desired && desired > 0))
}

# The node a pod runs on.
node_of() { kc get pod "$1" -o jsonpath='{.spec.nodeName}' 2>/dev/null || true; }

# A container's restart count: restarts_of POD [CONTAINER index, default 0]
restarts_of() { kc get pod "$1" -o jsonpath="{.status.containerStatuses[${2:-0}].restartCount}" 2>/dev/null || echo '?'; }

# --- metrics from the pods -------------------------------------------------------------------------------

# GET http://<target>:<port><path> through `kubectl port-forward` and curl, for when the API server's proxy cannot
# reach a pod: with the network-policies component, a pod on another node than the API server only takes traffic
# from the peers its policy names, while a port-forward enters the pod's network from its own node.
via_port_forward() { # target (pod/x, svc/x) remote-port path
  command -v curl >/dev/null 2>&1 || return 1
  local port=$((20000 + RANDOM % 20000)) forward attempt rc=1
  kubectl -n "$NAMESPACE" port-forward "$1" "$port:$2" >/dev/null 2>&1 &
  forward=$!
  # The forward needs a moment to listen: up to 20 tries, 5 s in all.
  for ((attempt = 0; attempt < 20; attempt++)); do
    if curl -fsS --max-time 10 "http://127.0.0.1:$port$3" 2>/dev/null; then
      rc=0
      break
    fi
    kill -0 "$forward" 2>/dev/null || break
    sleep 0.25
  done
  kill "$forward" 2>/dev/null || true
  wait "$forward" 2>/dev/null || true
  return "$rc"
}

# A pod's /metrics (port 8080): through the API server's proxy (no local port, no curl), else a port-forward.
pod_metrics() {
  kubectl --request-timeout=10s get --raw "/api/v1/namespaces/$NAMESPACE/pods/$1:8080/proxy/metrics" 2>/dev/null ||
    via_port_forward "pod/$1" 8080 /metrics
}

# The values of one series (exact name with labels, or a bare name for every series of it) on every running pod
# of a workload, one a line; pods that do not answer are skipped.
metric_values() {
  local pod
  for pod in $(pods_of "$1" running); do
    pod_metrics "$pod" | awk -v m="$2" '$1 == m || index($1, m "{") == 1 { print $2 }' || true
  done
}

# Sum over a workload's pods (counters), or nothing when no pod answered.
metric_sum() {
  metric_values "$1" "$2" | awk '$1 != "NaN" { s += $1; n++ } END { if (n) printf "%.0f\n", s }'
}

# Largest value over a workload's pods (a gauge every replica reports alike), or nothing.
metric_max() {
  metric_values "$1" "$2" | awk '$1 != "NaN" { if (!n || $1 > m) m = $1; n++ } END { if (n) printf "%.0f\n", m }'
}

# Messages waiting in positionQueue as queue-consumer reports it, or "unknown".
queue_depth() {
  local depth
  depth=$(metric_max queue-consumer "$METRIC_QUEUE_DEPTH")
  printf '%s\n' "${depth:-unknown}"
}

# Positions stored by every running queue-consumer since it started (a sum of per-pod counters).
stored_total() {
  local total
  total=$(metric_sum queue-consumer "$METRIC_STORED")
  printf '%s\n' "${total:-unknown}"
}

published_total() {
  local total
  total=$(metric_sum position-simulator "$METRIC_PUBLISHED")
  printf '%s\n' "${total:-unknown}"
}

# Counts positions stored during the next $1 seconds (from the counters of the consumers that run throughout).
stored_during() {
  local before after
  before=$(stored_total)
  sleep "$1"
  after=$(stored_total)
  if [[ $before =~ ^[0-9]+$ && $after =~ ^[0-9]+$ ]] && ((after >= before)); then
    printf '%s\n' "$((after - before))"
  else
    printf 'unknown\n'
  fi
}

# True when positions are being stored (some stored within 15 s).
positions_flowing() {
  local n
  n=$(stored_during 15)
  [[ $n =~ ^[0-9]+$ ]] && ((n > 0))
}

# --- Prometheus (monitoring component) -------------------------------------------------------------------

urlencode() {
  local s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9.~_-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

# The JSON answer of an instant query (through the API server's proxy, else a port-forward).
prom_query() {
  local path
  path="/api/v1/query?query=$(urlencode "$1")"
  kubectl --request-timeout=15s get --raw "/api/v1/namespaces/$NAMESPACE/services/$PROMETHEUS_SERVICE/proxy$path" 2>/dev/null ||
    via_port_forward "svc/${PROMETHEUS_SERVICE%%:*}" 9090 "$path"
}

# The first value of an instant query's answer, or nothing.
prom_value() {
  prom_query "$1" | sed -n 's/.*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p' | head -n1
}

# firing, pending or inactive. Prometheus sorts label names, so alertname is followed by alertstate.
alert_state() {
  local answer
  answer=$(prom_query "ALERTS{alertname=\"$1\"}") || {
    echo unknown
    return
  }
  if [[ $answer == *'"alertstate":"firing"'* ]]; then
    echo firing
  elif [[ $answer == *'"alertstate":"pending"'* ]]; then
    echo pending
  else
    echo inactive
  fi
}

# Names of the Fleetman alerts firing now, space-separated.
firing_alerts() {
  prom_query 'ALERTS{alertstate="firing",alertname=~"Fleetman.*"}' |
    grep -o '"alertname":"[^"]*"' | sed 's/.*:"\(.*\)"/\1/' | sort -u | tr '\n' ' ' || true
}

# Says how to look at the alerts, whether or not Prometheus runs here.
explain_alerts() {
  if has_prometheus; then
    say "alerts: Prometheus of the monitoring component (its Alerts page):"
    hint "kubectl -n $NAMESPACE port-forward svc/${PROMETHEUS_SERVICE%%:*} 9090:9090   # then http://localhost:9090/alerts"
  else
    warn "Prometheus (monitoring component) is not running in $NAMESPACE: the alerts named here cannot be watched." \
      "Switch the component on (k8s/overlays/minikube, or the chart's monitoring.enabled) to see them fire."
  fi
}

ALERT_LAST_STATE=''
# Polls an alert until it fires (or time is up), telling each change of state; returns 1 if it never fired.
wait_for_alert() { # name seconds
  local name=$1 seconds=$2 start state
  has_prometheus || {
    say "(no Prometheus: $name would fire here)"
    return 1
  }
  start=$(now)
  ALERT_LAST_STATE=''
  say "watching alert $name for up to ${seconds}s"
  while (($(now) - start < seconds)); do
    state=$(alert_state "$name")
    if [[ $state != "$ALERT_LAST_STATE" ]]; then
      say "  alert $name: $state"
      ALERT_LAST_STATE=$state
    fi
    [[ $state == firing ]] && return 0
    sleep 15
  done
  return 1
}

# --- MongoDB ---------------------------------------------------------------------------------------------

# mongosh in a member; `hello` needs no login. Bounded: mongosh can hang on a member that is going away.
mongo_eval() { # pod javascript
  bounded 40 kubectl -n "$NAMESPACE" exec "$1" -c mongodb -- mongosh --quiet --norc --eval "$2" 2>/dev/null
}

# The primary's pod name (mongodb-1), asking every member in turn until one knows; nothing when none does.
mongo_primary() {
  local pod host
  for pod in $(pods_of mongodb running); do
    host=$(mongo_eval "$pod" 'print(db.hello().primary || "")' | tail -n1) || continue
    if [[ -n $host ]]; then
      printf '%s\n' "${host%%.*}"
      return 0
    fi
  done
  return 1
}

# rs.status() as "member state health" lines. Logs in as the root user of Secret mongodb-credentials, whose values
# the member's container has in its environment: the password never leaves the pod nor appears on a command line.
mongo_members() { # pod
  mongo_eval "$1" '
    db.getSiblingDB("admin").auth(process.env.MONGO_ROOT_USERNAME, process.env.MONGO_ROOT_PASSWORD);
    rs.status().members.forEach(m => print(m.name.split(".")[0] + " " + m.stateStr + (m.health ? "" : " (unreachable)")));'
}
