# shellcheck shell=bash
# shellcheck disable=SC2154 # NAMESPACE, the metric names and the output helpers come from tools/chaos/lib.sh
# Part of tools/chaos/lib.sh, sourced by it (never on its own): the prerequisites (tools, cluster, workloads, add-ons) and the pods
# and workloads of Fleetman.

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
