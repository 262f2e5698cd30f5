#!/usr/bin/env bash
# Writes .env next to docker-compose.yml: the credentials of the compose stack, random, readable by you alone
# (mode 600), git-ignored. docker-compose.yml has no default for any of them and stops if one is missing.
#
#   scripts/compose-env.sh                 creates .env, or adds the variables it lacks (existing values are kept)
#   scripts/compose-env.sh --output FILE   the same for another file (e.g. docker-compose --env-file FILE)
#
# To choose a value yourself, edit .env before the first `docker-compose up` (MongoDB, Elasticsearch and Grafana
# keep the passwords of their first start in their volumes). Use letters, digits and . _ ~ - only: the values go
# into connection strings and JSON as they are.
set -euo pipefail
env_file=.env
if [ "${1:-}" = --output ]; then
  env_file=$(realpath -m "${2:?--output needs a file}")
elif [ $# -gt 0 ]; then
  echo "unknown argument: $1 (usage: scripts/compose-env.sh [--output FILE])" >&2
  exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# N random letters and digits from the kernel's generator.
random() {
  local n=$1 s=""
  while [ ${#s} -lt "$n" ]; do
    s+=$(LC_ALL=C tr -dc 'A-Za-z0-9' < <(head -c 2048 /dev/urandom))
  done
  printf '%s' "${s:0:$n}"
}

umask 077
[ -e "$env_file" ] || : >"$env_file"
chmod 600 "$env_file"

added=()
add() {
  local name=$1 value=$2
  if ! grep -q "^$name=" "$env_file"; then
    printf '%s=%s\n' "$name" "$value" >>"$env_file"
    added+=("$name")
  fi
}

if [ ! -s "$env_file" ]; then
  printf '# docker-compose credentials of Fleetman, made by scripts/compose-env.sh. Keep this file private.\n' >"$env_file"
fi
# The compose project's name (containers fleetman_<service>_1, volumes fleetman_<volume>), whatever the folder.
add COMPOSE_PROJECT_NAME fleetman
# Secret activemq-credentials: the one broker user of every service.
add ACTIVEMQ_BROKER_USERNAME fleetman
add ACTIVEMQ_BROKER_PASSWORD "$(random 32)"
# Secret mongodb-credentials: MongoDB's root user and the replica set's key file (6 to 1024 base64 characters).
add MONGO_USERNAME fleetman
add MONGO_PASSWORD "$(random 32)"
add MONGO_KEYFILE "$(random 756)"
# Secret mongodb-exporter-credentials: the MongoDB exporter's own user (monitoring profile), never root.
add MONGO_EXPORTER_USERNAME exporter
add MONGO_EXPORTER_PASSWORD "$(random 32)"
# Secret redis-credentials.
add REDIS_PASSWORD "$(random 32)"
# Secret gateway-admin: user `admin` on the edge's /admin routes and in the ActiveMQ web console.
add GATEWAY_ADMIN_PASSWORD "$(random 24)"
# Secret grafana-admin (observability profile).
add GRAFANA_ADMIN_USER admin
add GRAFANA_ADMIN_PASSWORD "$(random 24)"
# Logging profile: `elastic` logs into Kibana; kibana_system and fluent-bit are the servers' own users.
add ELASTIC_PASSWORD "$(random 24)"
add KIBANA_SYSTEM_PASSWORD "$(random 32)"
add FLUENT_BIT_ES_PASSWORD "$(random 32)"
add KIBANA_ENCRYPTION_KEY "$(random 32)"
# Where the log shipper finds the containers' log files: under Docker's data root.
if command -v docker >/dev/null 2>&1 && root=$(docker info --format '{{.DockerRootDir}}' 2>/dev/null) && [ -n "$root" ]; then
  add DOCKER_CONTAINERS_DIR "$root/containers"
fi

if [ ${#added[@]} -gt 0 ]; then
  echo "$env_file: added ${added[*]}"
else
  echo "$env_file: complete, nothing changed"
fi
echo "Logins: the edge's /admin routes and the ActiveMQ console as admin, Grafana as \$GRAFANA_ADMIN_USER, Kibana as"
echo "elastic; the passwords are in $env_file (e.g. grep GATEWAY_ADMIN_PASSWORD $env_file)."
