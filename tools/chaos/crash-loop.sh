#!/usr/bin/env bash
# Chaos: start a crash-looping pod (a Fleetman image with a bad setting) and watch Kubernetes back off and the
# restart alert fire.
#
# Usage: tools/chaos/crash-loop.sh [--keep] [-n NAMESPACE] [-t SECONDS]
#   --keep           leave the bad Deployment running at the end (delete it later with
#                    kubectl -n fleetman delete deployment chaos-crash-loop)
#   -n, --namespace  Fleetman's namespace (default fleetman, or $FLEETMAN_NAMESPACE)
#   -t, --timeout    seconds to wait for the alerts (default 600)
#
# The bad pod: Deployment chaos-crash-loop, one replica of position-simulator's image (whatever tag the cluster
# runs) with Broker__Port=not-a-port. Every Fleetman service checks its settings at start and exits with status 1
# and one fatal log line that names the setting:
#   Invalid configuration, the service cannot start: Broker:Port (environment variable Broker__Port): 'not-a-port'
#   is not a valid Int32.
# It meets the namespace's restricted Pod Security profile like every Fleetman pod, and is annotated for scraping,
# so Prometheus sees it as a target that never answers. It touches nothing else.
#
# WHAT TO EXPECT: STATUS Error, then CrashLoopBackOff, RESTARTS 1, 2, 3, ... further apart each time (Kubernetes
# waits 10 s, 20 s, 40 s, ... up to 5 minutes between attempts); `kubectl logs --previous` shows the fatal line.
#
# Alerts (monitoring component): FleetmanPodRestarting about 2-3 minutes in (more than two restarts in 15
# minutes, from kube-state-metrics' kube_pod_container_status_restarts_total), and FleetmanTargetDown after 2
# minutes (its /metrics never answers).
#
# Restores: deletes the Deployment (unless --keep), also when interrupted.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT=600
KEEP=false
NAME=chaos-crash-loop
script_option() {
  case $1 in
    --keep)
      KEEP=true
      SHIFT=1
      ;;
    *) return 1 ;;
  esac
}
parse_args "$@"

bad_pod() { pods_of "$NAME" | head -n1; }

status_line() {
  local pod=$1
  kc get pod "$pod" --no-headers -o custom-columns='STATUS:.status.containerStatuses[0].state.waiting.reason,TERMINATED:.status.containerStatuses[0].lastState.terminated.reason,EXIT:.status.containerStatuses[0].lastState.terminated.exitCode,RESTARTS:.status.containerStatuses[0].restartCount' 2>/dev/null |
    awk '{ printf "waiting: %s, last exit: %s (code %s), restarts: %s", $1, $2, $3, $4 }'
}

step "Checking the cluster"
check_cluster
check_workload deployment position-simulator
image=$(kc get deployment position-simulator -o jsonpath='{.spec.template.spec.containers[0].image}')
pull_policy=$(kc get deployment position-simulator -o jsonpath='{.spec.template.spec.containers[0].imagePullPolicy}')
say "image: $image (position-simulator's)"
if kc get deployment "$NAME" >/dev/null 2>&1; then
  warn "deployment $NAME already exists (from an earlier run?): it is replaced"
fi
explain_alerts

expect "pod $NAME-...: Error, then CrashLoopBackOff with RESTARTS growing (10 s, 20 s, 40 s, ... apart); its log's fatal line names Broker__Port; FleetmanTargetDown after ~2 min and FleetmanPodRestarting after ~2-3 min."
$KEEP || on_exit "kc delete deployment '$NAME' --ignore-not-found --wait=false"

step "Starting the bad pod"
kc apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $NAME
  labels:
    app.kubernetes.io/name: $NAME
    app.kubernetes.io/part-of: fleetman
    app.kubernetes.io/component: chaos
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: $NAME
  template:
    metadata:
      labels:
        app.kubernetes.io/name: $NAME
        app.kubernetes.io/part-of: fleetman
        app.kubernetes.io/component: chaos
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "8090"
        prometheus.io/path: /metrics
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 1654
        runAsGroup: 1654
        fsGroup: 1654
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: bad-setting
          image: $image
          imagePullPolicy: ${pull_policy:-IfNotPresent}
          env:
            - name: ASPNETCORE_HTTP_PORTS
              value: "8080"
            - name: Management__Port
              value: "8090"
            - name: Broker__Host
              value: activemq
            # The bad setting: not a number.
            - name: Broker__Port
              value: not-a-port
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 8090
          resources:
            requests:
              cpu: 10m
              memory: 64Mi
            limits:
              cpu: 200m
              memory: 128Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 16Mi
EOF
hint "kubectl -n $NAMESPACE get pods -l $FLEETMAN_APP_LABEL=$NAME -w"

step "Crash loop"
started=$(now)
pod=''
restarts=0
shown_log=false
while (($(now) - started < 240)); do
  pod=$(bad_pod)
  if [[ -n $pod ]]; then
    restarts=$(restarts_of "$pod")
    say "$pod: $(status_line "$pod")"
    if ! $shown_log && [[ $restarts =~ ^[0-9]+$ ]] && ((restarts >= 1)); then
      shown_log=true
      say "its last words (kubectl -n $NAMESPACE logs $pod --previous):"
      kc logs "$pod" --previous --tail=3 2>/dev/null | sed 's/^/  /' || true
    fi
    [[ $restarts =~ ^[0-9]+$ ]] && ((restarts >= 3)) && break
  fi
  sleep 10
done
if ! [[ $restarts =~ ^[0-9]+$ ]] || ((restarts < 3)); then
  die "the pod did not crash-loop as expected (restarts: $restarts): kubectl -n $NAMESPACE describe pod $pod"
fi
ok "$pod restarted $restarts times in $(($(now) - started))s and is in back-off"

# Waits for the alert for what is left of the timeout, but at least the given seconds, and says whether it fired.
alert_fires() { # alert at-least-seconds [what to look at when it does not]
  local remaining=$((TIMEOUT - ($(now) - started)))
  ((remaining > $2)) || remaining=$2
  if wait_for_alert "$1" "$remaining"; then
    ok "$1 fired $(($(now) - started))s after the pod started"
  else
    warn "$1 did not fire within ${TIMEOUT}s${3:+ ($3)}"
  fi
}

step "Alerts"
if has_prometheus; then
  alert_fires FleetmanPodRestarting 60 "is kube-state-metrics running? kubectl -n $NAMESPACE get pods"
  alert_fires FleetmanTargetDown 30
  say "Fleetman alerts firing now: $(firing_alerts)"
else
  say "with the monitoring component, FleetmanPodRestarting and FleetmanTargetDown would fire now"
fi

step "Result"
if $KEEP; then
  say "left running as asked; remove it with: kubectl -n $NAMESPACE delete deployment $NAME"
else
  say "the bad Deployment is deleted now; the alerts resolve within a few minutes of it being gone"
fi
