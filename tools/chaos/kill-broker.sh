#!/usr/bin/env bash
# Chaos: kill the ActiveMQ broker's pod and watch the persisted messages survive and every client come back.
#
# Usage: tools/chaos/kill-broker.sh [--mode crash|graceful] [-n NAMESPACE] [-t SECONDS] [-y]
#   --mode crash     (default) delete the pod with no grace period (--grace-period=0 --force): the broker gets no
#                    time to shut down, as in a node or JVM crash; KahaDB recovers from its journal at the next start.
#   --mode graceful  an ordinary delete: SIGTERM, the broker closes its store cleanly.
#   -n, --namespace  Fleetman's namespace (default fleetman, or $FLEETMAN_NAMESPACE)
#   -t, --timeout    seconds the broker and then its clients may take to be ready again (default 240)
#   -y, --yes        do not ask before killing
#
# The StatefulSet makes activemq-0 again with the same volume (PVC data-activemq-0), so what the broker had stored
# is there when it starts. To show that nothing confirmed was lost, the script reads the counters of the simulator
# (fleetman_simulator_positions_published: reports the broker confirmed) and of the consumers
# (fleetman_queueconsumer_positions_stored) and the queue depth (fleetman_messaging_queue_depth) before the kill
# and once the pipeline has recovered: stored = published + waiting before - waiting after, give or take the
# reports in flight between two readings.
#
# WHAT TO EXPECT: the broker pod is back and ready in about 30-90 s (JVM start, then KahaDB recovery). Meanwhile
# position-simulator, queue-consumer and api-gateway turn not ready (their broker check fails) but are not
# restarted; the simulator's reports wait up to 30 s for the broker, then are counted as failed, and the vehicles
# drive on. Once it is back, every client reconnects within seconds (backoff up to 10 s), the consumers receive
# the messages that were waiting (those in flight at the kill come again, marked redelivered, and are stored once),
# and the map moves again. The accounting at the end shows no confirmed report missing.
#
# Alert: none. No service restarts (FleetmanPodRestarting), the broker has no /metrics target
# (FleetmanTargetDown), and FleetmanNoPositionsStored needs the simulator to publish while nothing is stored, which
# it cannot do without a broker.
#
# Restores: nothing to restore; the StatefulSet makes the pod again. It waits until the pipeline flows.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT=240
choice_option --mode MODE crash graceful
parse_args "$@"

BROKER=activemq-0

# The broker pod is a new one (another uid) and ready.
broker_back() {
  local uid ready
  uid=$(kc get pod "$BROKER" -o jsonpath='{.metadata.uid}' 2>/dev/null) || return 1
  ready=$(kc get pod "$BROKER" -o jsonpath='{.status.containerStatuses[0].ready}' 2>/dev/null) || return 1
  [[ -n $uid && $uid != "$OLD_UID" && $ready == true ]]
}

clients_ready() {
  all_ready deployment position-simulator && all_ready deployment queue-consumer && all_ready deployment api-gateway
}

queue_settled() {
  local depth
  depth=$(queue_depth)
  [[ $depth =~ ^[0-9]+$ ]] && ((depth < 200))
}

# Every number known.
numbers() { [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ && $3 =~ ^[0-9]+$ ]]; }

step "Checking the cluster"
check_cluster
check_workload statefulset activemq
for workload in position-simulator queue-consumer api-gateway; do
  check_workload deployment "$workload"
done
OLD_UID=$(kc get pod "$BROKER" -o jsonpath='{.metadata.uid}' 2>/dev/null) || die "pod $BROKER not found"
say "broker: $BROKER on node $(node_of "$BROKER"), volume $(kc get pvc "data-$BROKER" -o jsonpath='{.spec.volumeName}' 2>/dev/null || echo '?')"
consumers_before=$(pods_of queue-consumer running | sort | tr '\n' ' ')
published_before=$(published_total)
stored_before=$(stored_total)
depth_before=$(queue_depth)
say "before: published $published_before, stored $stored_before, waiting in positionQueue $depth_before"
explain_alerts

expect "the broker back in about 30-90 s; the clients not ready meanwhile (not restarted); then everything reconnects, the waiting messages are delivered, and the accounting shows nothing confirmed was lost."
hint "kubectl -n $NAMESPACE get pods -w"
hint "kubectl -n $NAMESPACE logs -f deploy/position-simulator    # 'Lost the connection to broker', then 'Connected to broker'"
begin_fault "Kill the broker pod $BROKER ($MODE)?" "Killing $BROKER ($MODE)"
if [[ $MODE == crash ]]; then
  kubectl -n "$NAMESPACE" delete pod "$BROKER" --grace-period=0 --force --wait=false
else
  kubectl -n "$NAMESPACE" delete pod "$BROKER" --wait=false
fi

step "The broker comes back"
wait_until "$TIMEOUT" 3 "a new $BROKER to be ready" broker_back ||
  die "the broker is not back within ${TIMEOUT}s: kubectl -n $NAMESPACE describe pod $BROKER; kubectl -n $NAMESPACE logs $BROKER"
say "broker ready $(($(now) - started))s after the kill"

step "The clients come back"
wait_until "$TIMEOUT" 3 "position-simulator, queue-consumer and api-gateway to be ready" clients_ready ||
  warn "not every client is ready: kubectl -n $NAMESPACE get pods"
wait_until "$TIMEOUT" 1 "positions to be stored again" positions_flowing ||
  die "nothing is stored ${TIMEOUT}s after the broker came back: look at the queue-consumer logs"
ok "the pipeline flows again $(($(now) - started))s after the kill"

step "Accounting"
# Let the consumers work off what waited, so that the last reading is of a settled queue.
wait_until 120 5 "the queue to be worked off (under 200 waiting)" queue_settled || true
consumers_after=$(pods_of queue-consumer running | sort | tr '\n' ' ')
published_after=$(published_total)
stored_after=$(stored_total)
depth_after=$(queue_depth)
say "after:  published $published_after, stored $stored_after, waiting in positionQueue $depth_after"
if [[ $consumers_before != "$consumers_after" ]]; then
  warn "the set of queue-consumer pods changed during the scenario ($consumers_before -> $consumers_after):" \
    "a pod that left took its counter with it, so the accounting below is only indicative"
fi
if numbers "$published_before" "$stored_before" "$depth_before" && numbers "$published_after" "$stored_after" "$depth_after"; then
  published=$((published_after - published_before))
  stored=$((stored_after - stored_before))
  unaccounted=$((published + depth_before - depth_after - stored))
  say "confirmed by the broker during the scenario: $published; stored: $stored; waiting before: $depth_before, after: $depth_after"
  # A margin for what is in flight between two readings of different pods: two seconds of traffic, at least 100.
  elapsed=$(($(now) - started))
  ((elapsed > 0)) || elapsed=1
  margin=$((published * 2 / elapsed))
  ((margin < 100)) && margin=100
  if ((unaccounted <= 0)); then
    ok "unaccounted: none (the counters were read a moment apart, hence $((-unaccounted)) more stored than the sum): nothing confirmed was lost"
  elif ((unaccounted > margin)); then
    warn "$unaccounted confirmed report(s) unaccounted for (margin $margin): look at DLQ.positionQueue and the consumer logs"
  else
    ok "unaccounted: $unaccounted (within $margin in flight between readings): nothing confirmed was lost"
  fi
else
  warn "some counters could not be read (a pod did not answer): accounting skipped"
fi

step "Result"
if has_prometheus; then
  firing=$(firing_alerts)
  say "Fleetman alerts firing now: ${firing:-none} (expected: none)"
fi
ok "the broker was killed and came back; the clients reconnected and the pipeline flows"
