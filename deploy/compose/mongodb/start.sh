#!/bin/bash
# Entrypoint of docker-compose's mongodb: writes the replica set's key file from MONGO_KEYFILE_VALUE (the .env
# variable MONGO_KEYFILE), then runs the same member script as Kubernetes (k8s/base/mongodb/run.sh, mounted on
# /scripts), which starts mongod and, on this first and only member, initiates rs0 and creates the root user.
# mongod refuses a key file that anyone but its owner can read, so it is written by the user mongod runs as,
# mode 400, to /tmp (memory; the root filesystem is read-only). The key never lands on a volume.
set -euo pipefail
if [ -z "${MONGO_KEYFILE_VALUE:-}" ] || [ -z "${MONGO_KEYFILE:-}" ]; then
  echo "mongodb start: MONGO_KEYFILE_VALUE (the key) and MONGO_KEYFILE (its path) must be set (run scripts/compose-env.sh)" >&2
  exit 1
fi
umask 077
rm -f "$MONGO_KEYFILE"
printf '%s\n' "$MONGO_KEYFILE_VALUE" >"$MONGO_KEYFILE"
chmod 400 "$MONGO_KEYFILE"
unset MONGO_KEYFILE_VALUE
exec bash /scripts/run.sh
