#!/usr/bin/env bash
# Chaos: delete a pod of each Fleetman service, one service after the other, and watch it come back.
#
# Usage: tools/chaos/delete-pods.sh [--service NAME]... [-n NAMESPACE] [-t SECONDS] [-y]
#   --service NAME   only this Deployment (repeatable; redis works too). Default, in this order:
#                    position-simulator queue-consumer position-tracker api-gateway gateway webapp
#   -n, --namespace  Fleetman's namespace (default fleetman, or $FLEETMAN_NAMESPACE)
#   -t, --timeout    seconds each replacement may take to be ready (default 180)
#   -y, --yes        do not ask before deleting
#
# For each service: picks one of its running pods, deletes it the ordinary way (SIGTERM, then the grace period:
# what an eviction or a rolling node upgrade does), waits until the Deployment has every replica ready again, and
# checks that positions are still being stored (the consumers' fleetman_queueconsumer_positions_stored grows).
#
# WHAT TO EXPECT: a new pod (another name, RESTARTS 0) is ready 10-40 s later. The services with two replicas
# (queue-consumer, position-tracker, api-gateway, gateway) serve from the other one meanwhile: the map does not
# stop. The single-replica ones leave a short gap: without position-simulator no report is sent until its
# replacement runs (the vehicles then drive on from where they were); without webapp the page cannot be loaded for
# a few seconds (a map already open keeps updating). A deleted queue-consumer stores and acks the batch in hand
# before it exits; whatever it had not acked is redelivered to the other one: nothing is lost.
#
# Alert: none. A replaced pod is not a restart (FleetmanPodRestarting counts restarts), and no pod is gone for the
# 2 minutes FleetmanTargetDown waits.
#
# Restores: nothing to restore; the Deployments put their pods back themselves.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT=180
SERVICES=()
script_option() {
  local service
  case $1 in
    --service)
      option_value service "$@"
      SERVICES+=("$service")
      ;;
    *) return 1 ;;
  esac
}
parse_args "$@"
((${#SERVICES[@]})) || SERVICES=(position-simulator queue-consumer position-tracker api-gateway gateway webapp)

step "Checking the cluster"
check_cluster
for service in "${SERVICES[@]}"; do
  check_workload deployment "$service"
done
explain_alerts
say "positions stored in 15 s before anything is deleted: $(stored_during 15)"

expect "each deleted pod is replaced by a new one, ready within about 10-40 s; with two replicas the service keeps answering meanwhile."
confirm "Delete one pod of each of: ${SERVICES[*]} (namespace $NAMESPACE)?"

failures=0
for service in "${SERVICES[@]}"; do
  step "Deleting a pod of $service"
  pod=$(pods_of "$service" running | head -n1)
  if [[ -z $pod ]]; then
    warn "$service has no running pod: skipped"
    failures=$((failures + 1))
    continue
  fi
  say "$service: $(replicas_of deployment "$service") ready before; deleting $pod (on node $(node_of "$pod"))"
  hint "kubectl -n $NAMESPACE get pods -l $FLEETMAN_APP_LABEL=$service -w"
  started=$(now)
  # --wait: returns when the pod is gone, so the readiness check below cannot see the old pod as ready.
  if ! kubectl -n "$NAMESPACE" delete pod "$pod" --wait=true --timeout="${TIMEOUT}s" >/dev/null; then
    warn "$pod was not gone within ${TIMEOUT}s"
  fi
  say "$pod gone after $(($(now) - started))s"
  if wait_until "$TIMEOUT" 2 "$service to have every replica ready again" all_ready deployment "$service"; then
    say "$service now: $(pods_of "$service" running | tr '\n' ' ')"
  else
    failures=$((failures + 1))
    kc get pods -l "$FLEETMAN_APP_LABEL=$service" || true
  fi
  stored=$(stored_during 15)
  if [[ $stored == unknown || $stored == 0 ]]; then
    warn "positions stored in the last 15 s: $stored (the pipeline may still be catching up; see the queue-consumer logs)"
  else
    ok "positions stored in the last 15 s: $stored"
  fi
done

step "Result"
if ((failures == 0)); then
  ok "every deleted pod was replaced and Fleetman kept storing positions"
else
  die "$failures service(s) did not come back within ${TIMEOUT}s: kubectl -n $NAMESPACE describe pods, and their logs, tell why"
fi
if has_prometheus; then
  firing=$(firing_alerts)
  say "Fleetman alerts firing now: ${firing:-none} (expected: none)"
fi
