#!/bin/bash
# Runs one member of the MongoDB replica set (k8s/base/mongodb.yaml) and, on the first member (ordinal 0), sees
# to it that the replica set is initiated and its root user exists.
#
# Why here and not in a Job: the first user of a database with access control can only be created over the
# localhost exception, i.e. from inside the member's own pod, before any user exists. A script beside mongod can
# do that; a Job in another pod cannot. It also runs on every start of member 0, so a set that was never
# completed (a crash between the steps, a lost volume) is finished whenever member 0 comes back. Each step checks
# first and is skipped when already done (init-replica-set.js), so restarts change nothing.
#
# Environment: MONGO_REPLICA_SET, MONGO_MEMBERS (count), MONGO_SERVICE (the headless Service), MONGO_KEYFILE,
# MONGO_ROOT_USERNAME, MONGO_ROOT_PASSWORD (Secret mongodb-credentials), MONGO_CACHE_GB; with the exporters,
# MONGO_EXPORTER_USERNAME and MONGO_EXPORTER_PASSWORD (Secret mongodb-exporter-credentials); the pod's HOSTNAME is
# <statefulset>-<ordinal>.
set -euo pipefail

ordinal=${HOSTNAME##*-}

# mongod in the background so this script can also run the initialisation, and stays PID 1 to pass SIGTERM on
# (mongod then steps down if it is the primary and shuts down cleanly).
mongod \
  --replSet "$MONGO_REPLICA_SET" \
  --bind_ip_all \
  --port 27017 \
  --dbpath /data/db \
  --keyFile "$MONGO_KEYFILE" \
  --wiredTigerCacheSizeGB "$MONGO_CACHE_GB" \
  --unixSocketPrefix /tmp \
  --quiet &
mongod_pid=$!
trap 'kill -TERM "$mongod_pid" 2>/dev/null || true' TERM INT

initialise() {
  local attempt=0
  until mongosh --quiet --norc --host 127.0.0.1 --port 27017 --file /scripts/init-replica-set.js; do
    attempt=$((attempt + 1))
    echo "replica-set-init: not done yet (attempt $attempt), trying again in 5 s" >&2
    sleep 5
  done
}

if [[ $ordinal == 0 ]]; then
  initialise &
fi

status=0
wait "$mongod_pid" || status=$?
# wait returns early when the trap runs; keep waiting until mongod has really exited.
while kill -0 "$mongod_pid" 2>/dev/null; do
  wait "$mongod_pid" || status=$?
done
exit "$status"
