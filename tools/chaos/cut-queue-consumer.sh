#!/usr/bin/env bash
# Chaos: cut queue-consumer off from its store with a NetworkPolicy, watch the queue grow and the alerts fire, then
# lift the cut and watch the backlog drain.
#
# Usage: tools/chaos/cut-queue-consumer.sh [--duration SECONDS] [-n NAMESPACE] [-t SECONDS] [-y]
#   --duration SECONDS  how long the cut lasts (default 480: long enough for both alerts below to fire)
#   -n, --namespace     Fleetman's namespace (default fleetman, or $FLEETMAN_NAMESPACE)
#   -t, --timeout       seconds the backlog may take to drain after the cut (default 600)
#   -y, --yes           do not ask before cutting
#
# Needs a network plugin that enforces NetworkPolicy (`minikube start --cni=calico`); without one the policy is
# accepted and changes nothing, which the script notices and reports.
#
# The cut: queue-consumer may still reach the broker (and DNS), but not MongoDB nor Redis. It keeps its broker
# connection, so it keeps reporting fleetman_messaging_queue_depth (the consumers are where that gauge comes from;
# cut from the broker they could not say how deep the queue is), takes its prefetch of messages and cannot store
# them: they stay unacked in the queue, and every new report adds to it.
#   - With the network-policies component (or the chart's networkPolicies.enabled), NetworkPolicies only ever add
#     permissions, so a deny cannot be laid on top: the egress rules of the policy that selects queue-consumer are
#     saved and replaced by the broker rule alone, and put back afterwards.
#   - Without it, a policy chaos-cut-queue-consumer selecting queue-consumer is created (egress: DNS and the broker
#     only) and deleted afterwards.
# The queue-consumer pods are then deleted so that their replacements start under the policy: some network plugins
# let connections opened before a policy change carry on, and the MongoDB driver keeps its connections open.
#
# WHAT TO EXPECT, during the cut: the new queue-consumer pods run but stay not ready (their store check fails) and
# store nothing; the map stops moving; the queue depth climbs by the simulator's rate (38 reports/s by default:
# about 2,300 a minute). With KEDA (keda component) queue-consumer scales out as the depth passes 1,000, 1,500, ...
# (one replica per 500 waiting), and the new replicas are cut off too. After the cut: the consumers reach the store
# again without a restart, become ready, and work the backlog off in seconds to a minute (far faster than it
# grew); the map catches up; KEDA scales them back in after its two-minute stabilization window.
#
# Alerts (monitoring component): FleetmanNoPositionsStored fires about 2 minutes into the cut (no position
# stored for a minute while the simulator publishes, held for a minute); FleetmanQueueDepthGrowing fires about
# 5 minutes after the depth passed 1,000 (depth above 1,000 and growing, held for 5 minutes). Both resolve once
# the backlog is gone. No FleetmanPodRestarting: nothing restarts.
#
# Restores: the original egress rules (or deletes the added policy), also when interrupted.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT=600
DURATION=480
CUT_POLICY=chaos-cut-queue-consumer
value_option --duration DURATION
parse_args "$@"
require_number --duration "$DURATION"

# The egress that remains: the broker's STOMP port. (DNS comes from the component's allow-dns policy, or from the
# added policy below.)
BROKER_ONLY='[{"to":[{"podSelector":{"matchLabels":{"app.kubernetes.io/name":"activemq"}}}],"ports":[{"protocol":"TCP","port":61613}]}]'

# NetworkPolicies that select the queue-consumer pods by name and restrict their egress. (matchLabels is printed as
# JSON and matched as text: jsonpath filters on label keys with dots are not portable across kubectl versions.)
consumer_egress_policies() {
  local name
  for name in $(kc get networkpolicy \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.podSelector.matchLabels}{"\n"}{end}' 2>/dev/null |
    awk '/"app\.kubernetes\.io\/name":"queue-consumer"/ { print $1 }'); do
    [[ -n $(kc get networkpolicy "$name" -o jsonpath='{.spec.egress}' 2>/dev/null) ]] && printf '%s\n' "$name"
  done
  return 0
}

report() { # elapsed label
  local line
  line="$(printf '%5ss  depth %-8s consumers ready %-6s stored by them %s' "$1" "$(queue_depth)" \
    "$(replicas_of deployment queue-consumer)" "$(stored_total)")"
  if has_prometheus; then
    line+="  NoPositionsStored: $(alert_state FleetmanNoPositionsStored)  QueueDepthGrowing: $(alert_state FleetmanQueueDepthGrowing)"
  fi
  say "$line"
}

step "Checking the cluster"
check_cluster
check_workload deployment queue-consumer
check_workload statefulset activemq
plugin=$(network_policy_plugin)
if [[ -n $plugin ]]; then
  say "network plugin: $plugin (enforces NetworkPolicy)"
else
  warn "no NetworkPolicy-enforcing network plugin recognised in kube-system (calico, cilium, ...): the cut may change" \
    "nothing. minikube: minikube start --cni=calico. The script checks whether it worked."
fi
depth_start=$(queue_depth)
say "queue depth now: $depth_start; positions stored in 15 s: $(stored_during 15)"
[[ $depth_start != unknown ]] || warn "the queue depth cannot be read from the consumers yet; carrying on"
explain_alerts

policies=$(consumer_egress_policies)
if [[ -n $policies ]]; then
  say "NetworkPolicies restricting queue-consumer's egress: $(tr '\n' ' ' <<<"$policies")(their egress becomes the broker only)"
else
  say "no NetworkPolicy restricts queue-consumer's egress: adding $CUT_POLICY (egress: DNS and the broker only)"
fi
expect "new queue-consumer pods that run but are not ready and store nothing; the depth climbing by ~38/s; FleetmanNoPositionsStored after ~2 min and FleetmanQueueDepthGrowing ~5 min after the depth passes 1,000; then, after ${DURATION}s, the backlog drains and the alerts resolve."
confirm "Cut queue-consumer off from MongoDB and Redis for ${DURATION}s (namespace $NAMESPACE)?"

step "Cutting queue-consumer off from its store"
saved_dir=$(mktemp -d)
on_exit "rm -rf '$saved_dir'"
if [[ -n $policies ]]; then
  for policy in $policies; do
    kc get networkpolicy "$policy" -o jsonpath='{.spec.egress}' >"$saved_dir/$policy.json"
    printf '{"spec":{"egress":%s}}' "$(cat "$saved_dir/$policy.json")" >"$saved_dir/$policy.restore.json"
    on_exit "kc patch networkpolicy '$policy' --type=merge --patch-file '$saved_dir/$policy.restore.json'"
    kc patch networkpolicy "$policy" --type=merge -p "{\"spec\":{\"egress\":$BROKER_ONLY}}"
  done
else
  on_exit "kc delete networkpolicy '$CUT_POLICY' --ignore-not-found"
  kc apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: $CUT_POLICY
  labels:
    app.kubernetes.io/name: queue-consumer
    app.kubernetes.io/part-of: fleetman
    app.kubernetes.io/component: chaos
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: queue-consumer
  policyTypes:
    - Egress
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: activemq
      ports:
        - protocol: TCP
          port: 61613
EOF
fi
started=$(now)
say "restarting the queue-consumer pods so that every connection they open is subject to the cut"
kubectl -n "$NAMESPACE" delete pod -l "$FLEETMAN_APP_LABEL=queue-consumer" --wait=false
sleep 20
consumers_running() { [[ -n $(pods_of queue-consumer running) ]]; }
wait_until 120 5 "replacement queue-consumer pods to run" consumers_running ||
  die "no queue-consumer pod runs: kubectl -n $NAMESPACE describe pods -l $FLEETMAN_APP_LABEL=queue-consumer"

step "During the cut (${DURATION}s)"
hint "kubectl -n $NAMESPACE get pods -l $FLEETMAN_APP_LABEL=queue-consumer -w"
peak=0
checked=false
while (($(now) - started < DURATION)); do
  report "$(($(now) - started))"
  depth=$(queue_depth)
  [[ $depth =~ ^[0-9]+$ ]] && ((depth > peak)) && peak=$depth
  # By then the deleted pods (45 s grace at most) are gone: only consumers started under the cut are counted.
  if ! $checked && (($(now) - started >= 90)); then
    checked=true
    stored=$(stored_total)
    if [[ $stored =~ ^[0-9]+$ ]] && ((stored > 0)); then
      die "the cut-off consumers stored $stored positions: the network plugin does not enforce NetworkPolicy (minikube start --cni=calico)"
    fi
    ok "the cut holds: the new consumers have stored nothing"
  fi
  sleep 30
done
report "$(($(now) - started))"
say "peak depth during the cut: $peak"

step "Lifting the cut"
restore_now
lifted=$(now)
queue_drained() {
  local depth
  depth=$(queue_depth)
  [[ $depth =~ ^[0-9]+$ ]] && ((depth < 200))
}
drained=false
while (($(now) - lifted < TIMEOUT)); do
  report "$(($(now) - started))"
  if queue_drained && positions_flowing; then
    drained=true
    break
  fi
  sleep 10
done

step "Result"
if has_prometheus; then
  firing=$(firing_alerts)
  say "Fleetman alerts firing now: ${firing:-none} (they resolve within a few minutes of the drain)"
fi
if $drained; then
  ok "peak depth $peak; drained $(($(now) - lifted))s after the cut was lifted; positions are stored again"
else
  die "the queue did not drain within ${TIMEOUT}s after the cut (depth $(queue_depth)): look at the queue-consumer logs"
fi
