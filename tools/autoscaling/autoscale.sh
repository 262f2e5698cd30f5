#!/usr/bin/env bash
# Autoscaling walkthrough: put load on Fleetman, watch api-gateway and position-tracker scale out on CPU and
# queue-consumer on the depth of positionQueue (KEDA), take the load away and watch them scale back in.
#
# Usage: tools/autoscaling/autoscale.sh [options]
#   --install                 install what is missing first: minikube's metrics-server addon, and KEDA 2.21.1
#                             (kubectl apply --server-side of its release manifest; needs network; another
#                             version with KEDA_VERSION=x.y.z in the environment)
#   --duration SECONDS        how long the load lasts (default 600)
#   --cooldown SECONDS        how long to watch the scale-in afterwards (default 600)
#   --load-replicas N         load-generator pods, 200 simulated map users each (default 1)
#   --vehicles N              simulator vehicles during the load (default 2000; the base runs 38)
#   --report-interval-ms N    simulator report interval during the load (default 200; the base 1000).
#                             2000 vehicles every 200 ms ask for 10,000 reports/s: more than a small cluster's
#                             consumers store, so the queue grows
#   --no-queue-load           leave the simulator alone (only the map users' load)
#   -n, --namespace NAME      Fleetman's namespace (default fleetman, or $FLEETMAN_NAMESPACE)
#   -t, --timeout SECONDS     for installs and the load generator's start (default 300)
#   -y, --yes                 do not ask before starting
#
# Needs: metrics-server (CPU figures for the HPAs: `minikube addons enable metrics-server`), the load-generator
# component (its image built into minikube) and, for the queue-depth part, KEDA plus the keda component; all in
# docs/scenarios.md. Without the keda component queue-consumer scales on CPU (its own HPA) and the script says so.
#
# Load: the load generator's users (page, REST calls, SignalR follow) through the edge load api-gateway and
# position-tracker; the simulator, turned up, fills positionQueue faster than the consumers store it.
#
# WHAT TO EXPECT, under load (poll every 15 s; or `kubectl -n fleetman get hpa -w` in another terminal):
#   - api-gateway and position-tracker: CPU above the 70 % target within a minute or two, then REPLICAS 2 -> 3 ->
#     ... (at most 10). metrics-server samples every 15-60 s and the HPA decides every 15 s, so the first step takes
#     1-2 minutes; each step adds as many pods as the CPU asks for.
#   - queue-consumer (KEDA, keda-hpa-queue-consumer): one replica per 500 waiting messages, at least 2, at most
#     10; once the depth passes 1,000 it goes to 3, 4, ... within about 30 s (KEDA asks the broker every 10 s).
#     The depth then stops growing or falls: more consumers store more.
#   - Pods that stay Pending: the cluster is out of CPU or memory (start minikube bigger, see k8s/README.md).
# After the load (load generator scaled to 0, simulator back to its settings):
#   - the queue drains, the CPU falls; the replica counts stay up for the HPAs' scale-down stabilization window
#     (120 s in Fleetman's HPAs and ScaledObject; Kubernetes' default is 300 s), then drop back to 2.
#
# Alerts (monitoring component): none while the autoscalers keep up. A backlog still growing after 5 minutes (no
# room for more consumers, or the 10-replica maximum reached) fires FleetmanQueueDepthGrowing; api-gateways short of
# CPU for 5 minutes fire FleetmanPushLagHigh. Both resolve after the load.
#
# Restores: the load generator to 0 replicas and the simulator's settings, also when interrupted. KEDA and
# metrics-server stay installed.
set -euo pipefail
KEDA_VERSION=${KEDA_VERSION:-2.21.1}
# shellcheck source-path=SCRIPTDIR source=../chaos/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../chaos/lib.sh"

TIMEOUT=300
DURATION=600
COOLDOWN=600
LOAD_REPLICAS=1
VEHICLES=2000
REPORT_INTERVAL_MS=200
QUEUE_LOAD=true
INSTALL=false
value_option --duration DURATION
value_option --cooldown COOLDOWN
value_option --load-replicas LOAD_REPLICAS
value_option --vehicles VEHICLES
value_option --report-interval-ms REPORT_INTERVAL_MS
script_option() {
  case $1 in
    --install) INSTALL=true SHIFT=1 ;;
    --no-queue-load) QUEUE_LOAD=false SHIFT=1 ;;
    *) return 1 ;;
  esac
}
parse_args "$@"
require_number --duration "$DURATION"
require_number --cooldown "$COOLDOWN"
require_number --load-replicas "$LOAD_REPLICAS"
require_number --vehicles "$VEHICLES"
require_number --report-interval-ms "$REPORT_INTERVAL_MS"
((VEHICLES <= 10000)) || die "--vehicles goes up to 10000 (the simulator's limit)"
((REPORT_INTERVAL_MS >= 100)) || die "--report-interval-ms is at least 100 (the simulator's limit)"

KEDA_MANIFEST=https://github.com/kedacore/keda/releases/download/v$KEDA_VERSION/keda-$KEDA_VERSION.yaml
SIMULATOR_SETTINGS=(Simulator__Vehicles Simulator__ReportIntervalMilliseconds)

# --- what scales ---------------------------------------------------------------------------------------------

QUEUE_HPA=queue-consumer
hpa_field() { kc get hpa "$1" -o jsonpath="$2" 2>/dev/null || true; }

# "ready/desired (metric now/target)" of a CPU-scaled workload.
cpu_status() { # deployment
  local cpu target
  cpu=$(hpa_field "$1" '{.status.currentMetrics[0].resource.current.averageUtilization}')
  target=$(hpa_field "$1" '{.spec.metrics[0].resource.target.averageUtilization}')
  printf '%s (cpu %s%%/%s%%)' "$(replicas_of deployment "$1")" "${cpu:-?}" "${target:-?}"
}

queue_status() {
  local per_pod target
  if [[ $QUEUE_HPA == queue-consumer ]]; then
    cpu_status queue-consumer
  else
    per_pod=$(hpa_field "$QUEUE_HPA" '{.status.currentMetrics[0].external.current.averageValue}')
    target=$(hpa_field "$QUEUE_HPA" '{.spec.metrics[0].external.target.averageValue}')
    printf '%s (waiting per pod %s/%s)' "$(replicas_of deployment queue-consumer)" "${per_pod:-?}" "${target:-?}"
  fi
  printf ', depth %s' "$(queue_depth)"
}

MAX_GATEWAY=0 MAX_TRACKER=0 MAX_CONSUMER=0
desired_of() { kc get deployment "$1" -o jsonpath='{.spec.replicas}' 2>/dev/null || echo 0; }
track_max() {
  local n
  n=$(desired_of api-gateway) && ((n > MAX_GATEWAY)) && MAX_GATEWAY=$n
  n=$(desired_of position-tracker) && ((n > MAX_TRACKER)) && MAX_TRACKER=$n
  n=$(desired_of queue-consumer) && ((n > MAX_CONSUMER)) && MAX_CONSUMER=$n
  return 0
}

row() { # elapsed
  track_max
  say "$(printf '%5ss' "$1")  api-gateway $(cpu_status api-gateway)  position-tracker $(cpu_status position-tracker)  queue-consumer $(queue_status)"
}

min_of() { local m; m=$(hpa_field "$1" '{.spec.minReplicas}'); printf '%s' "${m:-1}"; }
scaled_in() {
  (($(desired_of api-gateway) <= $(min_of api-gateway))) &&
    (($(desired_of position-tracker) <= $(min_of position-tracker))) &&
    (($(desired_of queue-consumer) <= $(min_of "$QUEUE_HPA")))
}

# --- the simulator's load knob -------------------------------------------------------------------------------

# Sets the two settings on the Deployment (a new simulator pod starts with them). Values the Deployment already
# had in its env are put back afterwards; otherwise the added ones are removed again (the ConfigMap's apply).
turn_up_simulator() {
  local name value restore=()
  for name in "${SIMULATOR_SETTINGS[@]}"; do
    value=$(kc get deployment position-simulator \
      -o jsonpath="{.spec.template.spec.containers[0].env[?(@.name==\"$name\")].value}" 2>/dev/null || true)
    if [[ -n $value ]]; then restore+=("$name=$value"); else restore+=("$name-"); fi
  done
  on_exit "kc set env deployment/position-simulator ${restore[*]}"
  kc set env deployment/position-simulator "Simulator__Vehicles=$VEHICLES" \
    "Simulator__ReportIntervalMilliseconds=$REPORT_INTERVAL_MS"
}

# --- prerequisites -------------------------------------------------------------------------------------------

install_metrics_server() {
  command -v minikube >/dev/null 2>&1 ||
    die "metrics-server is missing and this is not minikube (no minikube command): install it the cluster's way (EKS: the metrics-server add-on)"
  say "minikube addons enable metrics-server"
  minikube addons enable metrics-server
  wait_until "$TIMEOUT" 5 "metrics-server to serve CPU figures" has_metrics_server ||
    die "metrics-server is not available: kubectl -n kube-system get pods -l k8s-app=metrics-server"
}

install_keda() {
  say "installing KEDA $KEDA_VERSION: kubectl apply --server-side -f $KEDA_MANIFEST"
  kubectl apply --server-side -f "$KEDA_MANIFEST"
  kubectl -n keda rollout status deployment/keda-operator --timeout="${TIMEOUT}s"
  kubectl -n keda rollout status deployment/keda-operator-metrics-apiserver --timeout="${TIMEOUT}s"
  wait_until "$TIMEOUT" 5 "KEDA's metrics API" has_keda || die "KEDA's metrics API is not available: kubectl -n keda get pods"
}

step "Checking the cluster"
check_cluster
for workload in api-gateway position-tracker queue-consumer position-simulator gateway; do
  check_workload deployment "$workload"
done

if has_metrics_server; then
  ok "metrics-server answers (kubectl top pods works)"
elif $INSTALL; then
  install_metrics_server
else
  die "metrics-server is missing: the CPU autoscalers have no figures. minikube: 'minikube addons enable metrics-server' (or run with --install)"
fi

if kc get scaledobject queue-consumer >/dev/null 2>&1; then
  if ! has_keda; then
    if $INSTALL; then install_keda; else
      die "the keda component's ScaledObject is there but KEDA is not installed: run with --install, or 'kubectl apply --server-side -f $KEDA_MANIFEST'"
    fi
  fi
  QUEUE_HPA=keda-hpa-queue-consumer
  ok "queue-consumer scales on the queue depth (ScaledObject queue-consumer, HPA $QUEUE_HPA)"
  if kc get hpa queue-consumer >/dev/null 2>&1; then
    die "the base's CPU HPA queue-consumer is still there next to KEDA's: two autoscalers would fight over queue-consumer. Delete it (kubectl -n $NAMESPACE delete hpa queue-consumer) or apply the overlay with --prune (k8s/README.md, Components)"
  fi
else
  if $INSTALL && ! has_keda; then install_keda; fi
  warn "no ScaledObject queue-consumer: queue-consumer scales on CPU (HPA queue-consumer). For queue-depth scaling" \
    "switch the keda component on (k8s/overlays/minikube/kustomization.yaml, or the chart's keda.enabled) and run again."
fi
for hpa in api-gateway position-tracker "$QUEUE_HPA"; do
  kc get hpa "$hpa" >/dev/null 2>&1 || die "HPA $hpa not found in $NAMESPACE"
done

kc get deployment load-generator >/dev/null 2>&1 ||
  die "no load-generator Deployment: switch the load-generator component on (uncomment it in k8s/overlays/minikube/kustomization.yaml, or helm --set loadGenerator.enabled=true) after building its image into minikube (k8s/README.md); then scale it to 0 and run this again"

step "Before the load"
kc get hpa
windows=$(kc get hpa -o jsonpath='{range .items[*]}{.metadata.name}={.spec.behavior.scaleDown.stabilizationWindowSeconds}{" "}{end}')
say "scale-down stabilization windows (s; empty: Kubernetes' default of 300): $windows"
if (($(desired_of load-generator) > 0)); then
  warn "the load generator is already running: scaling it to 0 first (the counts below may still be up from it)"
  kc scale deployment load-generator --replicas=0
fi
row 0
explain_alerts

expect "within 1-2 minutes api-gateway and position-tracker above 70 % CPU and adding replicas; queue-consumer adding one replica per 500 waiting messages once the depth passes 1,000; after the load, all back to 2 after the stabilization window."
hint "kubectl -n $NAMESPACE get hpa -w"
hint "kubectl -n $NAMESPACE top pods"
$QUEUE_LOAD && say "the simulator goes to $VEHICLES vehicles every ${REPORT_INTERVAL_MS} ms for the load (restored afterwards)"
confirm "Start ${LOAD_REPLICAS} load-generator pod(s) for ${DURATION}s in $NAMESPACE?"

step "Load on"
on_exit "kc scale deployment load-generator --replicas=0"
kc scale deployment load-generator --replicas="$LOAD_REPLICAS"
$QUEUE_LOAD && turn_up_simulator
load_running() { [[ -n $(pods_of load-generator running) ]]; }
wait_until "$TIMEOUT" 5 "the load generator to run" load_running ||
  die "the load generator does not start: kubectl -n $NAMESPACE describe pods -l $FLEETMAN_APP_LABEL=load-generator (image built into minikube?)"
hint "kubectl -n $NAMESPACE logs -f deploy/load-generator    # its users, requests per second and latencies"

started=$(now)
while (($(now) - started < DURATION)); do
  row "$(($(now) - started))"
  sleep 15
done
row "$(($(now) - started))"
kc get hpa

step "Load off"
restore_now
ended=$(now)
expect "the queue drains and the CPU falls at once; the replica counts hold for the stabilization window, then return to their minimum."
while (($(now) - ended < COOLDOWN)); do
  row "$(($(now) - started))"
  if scaled_in; then
    ok "every autoscaled workload is back at its minimum $(($(now) - ended))s after the load stopped"
    break
  fi
  sleep 15
done
kc get hpa

step "Result"
if has_prometheus; then
  firing=$(firing_alerts)
  say "Fleetman alerts firing now: ${firing:-none}"
fi
say "most replicas seen: api-gateway $MAX_GATEWAY, position-tracker $MAX_TRACKER, queue-consumer $MAX_CONSUMER"
scaled_out=true
((MAX_GATEWAY > $(min_of api-gateway))) || {
  scaled_out=false
  warn "api-gateway did not scale out: more load (--load-replicas 2) or a smaller CPU request would"
}
((MAX_TRACKER > $(min_of position-tracker))) || {
  scaled_out=false
  warn "position-tracker did not scale out: more load (--load-replicas 2) would"
}
((MAX_CONSUMER > $(min_of "$QUEUE_HPA"))) || {
  scaled_out=false
  warn "queue-consumer did not scale out: its consumers kept up (raise --vehicles or lower --report-interval-ms)"
}
$scaled_out && ok "all three scaled out under load"
scaled_in || warn "not everything is back at its minimum yet: the HPAs finish on their own (kubectl -n $NAMESPACE get hpa -w)"
