#!/bin/bash
# One-shot of the docker-compose `logging` profile, run after Elasticsearch is healthy (idempotent):
#   - the password of kibana_system, the user Kibana's server connects as (KIBANA_SYSTEM_PASSWORD);
#   - the role fleetman-log-writer (create documents in fleetman-* only) and the user fluent-bit with it
#     (FLUENT_BIT_ES_PASSWORD), so the log shipper cannot read or delete anything.
# People log into Kibana as `elastic` with ELASTIC_PASSWORD. Passwords go to curl on stdin, not its command line.
set -euo pipefail
es=${ELASTICSEARCH_URL:-http://elasticsearch:9200}

for name in ELASTIC_PASSWORD KIBANA_SYSTEM_PASSWORD FLUENT_BIT_ES_PASSWORD; do
  value="${!name:-}"
  [ -n "$value" ] || { echo "elasticsearch-setup: $name is not set (run scripts/compose-env.sh)" >&2; exit 1; }
  # Written into JSON below as they are.
  [[ "$value" =~ ^[A-Za-z0-9._~-]+$ ]] || { echo "elasticsearch-setup: $name may only hold letters, digits and . _ ~ -" >&2; exit 1; }
done

call() {
  local method=$1 path=$2 body=$3
  printf 'user = "elastic:%s"\n' "$ELASTIC_PASSWORD" |
    curl --silent --show-error --fail --config - -X "$method" -H 'Content-Type: application/json' \
      --data "$body" "$es$path" >/dev/null
  echo "elasticsearch-setup: $method $path"
}

call POST /_security/user/kibana_system/_password "{\"password\":\"$KIBANA_SYSTEM_PASSWORD\"}"
call PUT /_security/role/fleetman-log-writer \
  '{"cluster":["monitor"],"indices":[{"names":["fleetman-*"],"privileges":["create_doc","create_index","auto_configure"]}]}'
call PUT /_security/user/fluent-bit \
  "{\"password\":\"$FLUENT_BIT_ES_PASSWORD\",\"roles\":[\"fleetman-log-writer\"],\"full_name\":\"Fleetman log shipper\"}"
echo "elasticsearch-setup: done"
