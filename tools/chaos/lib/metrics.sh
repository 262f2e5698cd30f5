# shellcheck shell=bash
# shellcheck disable=SC2154 # NAMESPACE, the metric names and the output helpers come from tools/chaos/lib.sh
# Part of tools/chaos/lib.sh, sourced by it (never on its own): what the pods' /metrics say (through the API server's proxy, or a
# port-forward) and Prometheus' queries and alerts.

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

# A pod's /metrics, on the services' management port 8090 (their port 8080 answers it with 404): through the API
# server's proxy (no local port, no curl), else a port-forward.
pod_metrics() {
  kubectl --request-timeout=10s get --raw "/api/v1/namespaces/$NAMESPACE/pods/$1:8090/proxy/metrics" 2>/dev/null ||
    via_port_forward "pod/$1" 8090 /metrics
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

