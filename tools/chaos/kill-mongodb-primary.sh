#!/usr/bin/env bash
# Chaos: kill the primary of the MongoDB replica set and watch the election, then the writes resume.
#
# Usage: tools/chaos/kill-mongodb-primary.sh [--mode kill|delete] [-n NAMESPACE] [-t SECONDS] [-y]
#   --mode kill      (default) SIGKILL the primary's mongod inside its pod: a crash, no step-down, no goodbye.
#                    The container exits and the kubelet restarts it in the same pod (RESTARTS goes up by one).
#   --mode delete    delete the primary's pod the ordinary way: mongod gets SIGTERM, steps down and hands over
#                    first (a planned restart); the StatefulSet makes the pod again with the same name and volume.
#   -n, --namespace  Fleetman's namespace (default fleetman, or $FLEETMAN_NAMESPACE)
#   -t, --timeout    seconds the election, the resumed writes and the member's return may take each (default 180)
#   -y, --yes        do not ask before killing
#
# How it looks: `db.hello()` in a member (no login needed) names the primary; `rs.status()` lists every member's
# state, logged in as the root user of Secret mongodb-credentials through the member's own environment (the password
# never leaves the pod). Writes are the queue-consumers' (fleetman_queueconsumer_positions_stored).
#
# WHAT TO EXPECT: the two other members notice the primary is gone and elect one of themselves within about
# 10-15 s (kill: the 10 s election timeout; delete: the step-down hands over in a second or two). Meanwhile the
# queue-consumers' writes fail and are retried (the batches stay unacked: nothing is dead-lettered or lost), their
# readiness may flip, and position-tracker's reads may fail briefly; then positions are stored again, at a higher
# rate for a moment while the backlog is worked off. The old primary comes back (kill: same pod, RESTARTS 1;
# delete: new pod, same name), catches up from the others and stays a SECONDARY: the primary does not move back.
#
# Alert: none. One restart is below FleetmanPodRestarting's "more than twice in 15 minutes", and the pause in
# writes is far shorter than FleetmanNoPositionsStored's minute.
#
# Restores: nothing to restore; it waits until the old primary is a healthy SECONDARY again.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT=180
choice_option --mode MODE kill delete
parse_args "$@"

# The primary as another member sees it; differs from the killed one once the election is over.
new_primary_elected() {
  local pod host
  for pod in $(pods_of mongodb running); do
    [[ $pod == "$OLD_PRIMARY" ]] && continue
    host=$(mongo_eval "$pod" 'print(db.hello().primary || "")' | tail -n1) || continue
    if [[ -n $host && ${host%%.*} != "$OLD_PRIMARY" ]]; then
      NEW_PRIMARY=${host%%.*}
      return 0
    fi
  done
  return 1
}

# The old primary is back: its pod is ready and the set reports it SECONDARY.
old_primary_secondary() {
  [[ $(kc get pod "$OLD_PRIMARY" -o jsonpath='{.status.containerStatuses[0].ready}' 2>/dev/null) == true ]] || return 1
  [[ $(mongo_eval "$OLD_PRIMARY" 'print(db.hello().secondary)' | tail -n1) == true ]]
}

step "Checking the cluster"
check_cluster
check_workload statefulset mongodb
members=$(pods_of mongodb running | wc -l | tr -d ' ')
((members >= 3)) || die "only $members MongoDB member(s) running: the replica set needs 3 for a primary to survive a loss"
OLD_PRIMARY=$(mongo_primary) || die "no member names a primary: the replica set is not healthy yet (kubectl -n $NAMESPACE logs mongodb-0)"
NEW_PRIMARY=''
say "primary: ${BOLD}$OLD_PRIMARY${RESET} (on node $(node_of "$OLD_PRIMARY")), restarts so far: $(restarts_of "$OLD_PRIMARY")"
witness=$(pods_of mongodb running | grep -vx -- "$OLD_PRIMARY" | head -n1)
say "members as $witness sees them:"
mongo_members "$witness" | sed 's/^/  /' || warn "rs.status() failed (credentials?); carrying on with db.hello()"
explain_alerts
say "positions stored in 15 s before: $(stored_during 15)"

if [[ $MODE == kill ]]; then
  expect "a new primary within about 10-15 s; writes pause for that long and resume; $OLD_PRIMARY restarts (RESTARTS +1) and rejoins as SECONDARY."
else
  expect "$OLD_PRIMARY steps down and hands over within a few seconds; writes resume; the pod is made again and rejoins as SECONDARY."
fi
hint "kubectl -n $NAMESPACE logs -f -l $FLEETMAN_APP_LABEL=queue-consumer --max-log-requests 10   # the consumers' retries"
begin_fault "$MODE the MongoDB primary $OLD_PRIMARY?" "Killing the primary ($MODE)"
if [[ $MODE == kill ]]; then
  # mongod runs under the pod's script (PID 1), which exits with mongod's status: the container dies with it.
  # No pkill in the image: walk /proc for the process named mongod. Same user as mongod, so the signal is allowed.
  # shellcheck disable=SC2016 # expanded by the pod's shell, not here
  bounded 30 kubectl -n "$NAMESPACE" exec "$OLD_PRIMARY" -c mongodb -- bash -c \
    'for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = mongod ] && kill -KILL "${p#/proc/}"; done; true' ||
    true # the exec may be cut off as the container dies
else
  kubectl -n "$NAMESPACE" delete pod "$OLD_PRIMARY" --wait=false
fi
say "$MODE sent to $OLD_PRIMARY"

step "Election"
if wait_until "$TIMEOUT" 2 "another member to become primary" new_primary_elected; then
  ok "new primary: ${BOLD}$NEW_PRIMARY${RESET}, $(($(now) - started))s after the $MODE"
else
  die "no new primary within ${TIMEOUT}s: kubectl -n $NAMESPACE logs $witness"
fi

step "Writes"
if wait_until "$TIMEOUT" 1 "positions to be stored again" positions_flowing; then
  ok "writes resumed $(($(now) - started))s after the $MODE"
else
  warn "no position stored within ${TIMEOUT}s after the election: look at the queue-consumer logs"
fi

step "The old primary comes back"
if wait_until "$TIMEOUT" 5 "$OLD_PRIMARY to rejoin as SECONDARY" old_primary_secondary; then
  say "restarts of $OLD_PRIMARY now: $(restarts_of "$OLD_PRIMARY")"
else
  warn "$OLD_PRIMARY is not a SECONDARY yet: kubectl -n $NAMESPACE describe pod $OLD_PRIMARY"
fi
say "members now:"
mongo_members "$NEW_PRIMARY" | sed 's/^/  /' || true

step "Result"
say "positions stored in 15 s after: $(stored_during 15)"
if has_prometheus; then
  firing=$(firing_alerts)
  say "Fleetman alerts firing now: ${firing:-none} (expected: none)"
fi
ok "primary moved from $OLD_PRIMARY to $NEW_PRIMARY; writes go on"
