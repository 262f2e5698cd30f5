#!/usr/bin/env bash
# Chaos: drain a node (as for a node upgrade) and watch Fleetman move to the other nodes without an outage.
#
# Usage: tools/chaos/drain-node.sh [--node NAME] [-n NAMESPACE] [-t SECONDS] [-y]
#   --node NAME      the node to drain (default: the worker node running the most Fleetman pods)
#   -n, --namespace  Fleetman's namespace (default fleetman, or $FLEETMAN_NAMESPACE)
#   -t, --timeout    seconds the drain, and then the recovery, may take each (default 300)
#   -y, --yes        do not ask before draining
#
# Needs at least two schedulable nodes: `minikube start --nodes 3` (k8s/README.md has sizes). On a single node
# every evicted pod would stay Pending until the node is uncordoned.
#
# What it does: cordons and drains the node with `kubectl drain --ignore-daemonsets --delete-emptydir-data`
# (the pods' /tmp emptyDirs go with them), which evicts its pods through the Eviction API, so every
# PodDisruptionBudget is honoured; then waits until every Fleetman Deployment and StatefulSet is fully ready on the
# remaining nodes and checks that positions are still being stored. It uncordons the node at the end.
#
# WHAT TO EXPECT: "evicting pod fleetman/..." lines. An eviction that would break a budget is refused and retried
# ("Cannot evict pod as it would violate the pod's disruption budget") until the replacement runs elsewhere: the
# two-replica services (queue-consumer, position-tracker, api-gateway, gateway: minAvailable 1) always keep one pod
# serving, and MongoDB loses at most one member at a time (maxUnavailable 1), so the replica set keeps its majority
# and its primary (or elects another in about 10 s). Single-replica workloads (position-simulator, webapp, redis,
# activemq) have a short gap while they restart elsewhere; reports sent meanwhile wait in the simulator and the
# broker, so the pipeline catches up. After the drain every workload is ready again on the other nodes; the
# drained node stays empty even after uncordon (Kubernetes does not move pods back by itself).
#
# Alert: none. No container restarts (FleetmanPodRestarting) and no target is down for 2 minutes
# (FleetmanTargetDown). A broker that takes long to start elsewhere pauses the flow, but the simulator cannot
# publish either, so FleetmanNoPositionsStored stays quiet.
#
# Storage caveat: a pod of a StatefulSet follows its volume. minikube's default storage provisioner keeps volumes
# in the directory of the node that created them and is not multi-node aware, so an activemq or mongodb pod moved to
# another minikube node may find an empty volume there (MongoDB resyncs the member from the others; the broker
# starts empty). Cloud volumes (EBS) move with the pod within their zone.
#
# Restores: `kubectl uncordon` of the node, also when interrupted.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT=300
NODE=''
value_option --node NODE
parse_args "$@"

# Fleetman pods per node, "count node" lines, most first.
fleetman_pods_per_node() {
  kc get pods -l app.kubernetes.io/part-of=fleetman --field-selector=status.phase=Running \
    -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort | uniq -c | sort -rn
}

# Every Deployment and StatefulSet of the namespace has all its replicas ready (those scaled to 0 count as ready).
everything_ready() {
  local name ready desired
  while read -r name ready desired; do
    [[ -z $name ]] && continue
    [[ $ready == '<none>' ]] && ready=0
    ((ready >= desired)) || return 1
  done < <(kc get deployments,statefulsets --no-headers \
    -o custom-columns=NAME:.metadata.name,READY:.status.readyReplicas,DESIRED:.spec.replicas 2>/dev/null || echo "x 0 1")
  return 0
}

step "Checking the cluster"
check_cluster
schedulable=$(kubectl --request-timeout=30s get nodes --no-headers \
  -o custom-columns=NAME:.metadata.name,UNSCHEDULABLE:.spec.unschedulable | awk '$2 != "true"' | wc -l | tr -d ' ')
if ((schedulable < 2)); then
  die "only $schedulable schedulable node: the evicted pods would have nowhere to go. Start a cluster with more nodes (minikube start --nodes 3), see k8s/README.md"
fi
say "Fleetman pods per node:"
fleetman_pods_per_node | sed 's/^/  /'

if [[ -z $NODE ]]; then
  control_plane=$(kubectl --request-timeout=30s get nodes -l node-role.kubernetes.io/control-plane \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>/dev/null || true)
  while read -r _ node; do
    [[ -z $node ]] && continue
    if ! grep -qx -- "$node" <<<"$control_plane"; then
      NODE=$node
      break
    fi
  done < <(fleetman_pods_per_node)
  [[ -n $NODE ]] || NODE=$(fleetman_pods_per_node | awk 'NR == 1 { print $2 }')
  [[ -n $NODE ]] || die "no node runs a Fleetman pod in $NAMESPACE: is Fleetman running?"
fi
kubectl --request-timeout=30s get node "$NODE" >/dev/null 2>&1 || die "no node named $NODE"

say "node to drain: ${BOLD}$NODE${RESET}; the Fleetman pods on it:"
kc get pods -l app.kubernetes.io/part-of=fleetman --field-selector="spec.nodeName=$NODE" -o wide | sed 's/^/  /'
stateful_here=$(kc get pods --field-selector="spec.nodeName=$NODE" \
  -o jsonpath='{range .items[?(@.metadata.ownerReferences[0].kind=="StatefulSet")]}{.metadata.name}{" "}{end}')
if [[ -n $stateful_here ]] && kubectl get node "$NODE" -o jsonpath='{.metadata.labels}' | grep -q 'minikube.k8s.io'; then
  warn "stateful pods on this minikube node ($stateful_here): with minikube's default storage their volumes" \
    "stay on $NODE (see 'Storage caveat' in --help)."
fi
explain_alerts
before=$(stored_during 15)
say "positions stored in 15 s before the drain: $before"

expect "pods evicted one by one, refused evictions retried until a replacement runs elsewhere, every workload ready again on the other nodes, positions stored throughout (with a pause of seconds when the broker moves)."
hint "kubectl -n $NAMESPACE get pods -o wide -w        # in another terminal, to watch them move"
confirm "Drain node $NODE?"

on_exit "kubectl uncordon '$NODE'"
step "Draining $NODE"
started=$(now)
drained=true
kubectl drain "$NODE" --ignore-daemonsets --delete-emptydir-data --timeout="${TIMEOUT}s" || drained=false
if $drained; then
  ok "drained in $(($(now) - started))s"
else
  warn "the drain did not finish within ${TIMEOUT}s (a budget could not be met: see above); carrying on with what moved"
fi

step "Recovery on the remaining nodes"
if wait_until "$TIMEOUT" 5 "every Deployment and StatefulSet in $NAMESPACE to be ready" everything_ready; then
  recovered=true
else
  recovered=false
  kc get deployments,statefulsets || true
  kc get pods -o wide | grep -v ' Running ' || true
fi
say "Fleetman pods per node now:"
fleetman_pods_per_node | sed 's/^/  /'
flowing=true
wait_until "$TIMEOUT" 1 "positions to be stored (positions stored in 15 s before the drain: $before)" positions_flowing ||
  flowing=false

step "Result"
if has_prometheus; then
  firing=$(firing_alerts)
  say "Fleetman alerts firing now: ${firing:-none} (expected: none)"
fi
$recovered || die "not every workload was ready again within ${TIMEOUT}s after draining $NODE (see above)"
$flowing || die "every workload is ready, but no position is stored: look at the queue-consumer and activemq logs"
ok "Fleetman moved off $NODE and kept working"
