#!/usr/bin/env bash
# Smoke test of a running Fleetman through its edge: what a user needs for the live map works.
# Used after every deployment (Jenkinsfile) and by the local-run test against ./fleetman up.
#
# Usage: scripts/smoke-test.sh <edge base URL, e.g. http://127.0.0.1:8080> [seconds to wait for vehicles, default 120]
#
# Checks, in order (each named in the output; the first failure stops with exit code 1):
#   the edge is ready; the map page is served; the API lists vehicles (waits for the first positions);
#   a vehicle's history answers; the live-update hub negotiates; admin routes refuse requests without credentials.
set -euo pipefail

base=${1:?usage: scripts/smoke-test.sh <edge base URL> [seconds]}
base=${base%/}
wait_seconds=${2:-120}
command -v curl >/dev/null || { echo "smoke: curl is needed" >&2; exit 1; }

pass() { printf 'smoke: ok    %s\n' "$*"; }
fail() { printf 'smoke: FAIL  %s\n' "$*" >&2; exit 1; }
# status <curl arguments...>: the HTTP status code, 000 when nothing answered.
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }
body() { curl -fsS --max-time 5 "$@"; }

deadline=$((SECONDS + wait_seconds))
until [[ $(status "$base/healthz/ready") == 200 ]]; do
  ((SECONDS < deadline)) || fail "$base/healthz/ready did not answer 200 within ${wait_seconds}s"
  sleep 2
done
pass "edge ready ($base/healthz/ready)"

page=$(body "$base/") || fail "GET / failed"
[[ $page == *"<title>Fleetman"* ]] || fail "GET / is not the map page"
pass "map page served (GET /)"

vehicles=""
until [[ $vehicles == *'"name"'* ]]; do
  ((SECONDS < deadline)) || fail "GET /api/vehicles/ listed no vehicle within ${wait_seconds}s (last answer: ${vehicles:0:200})"
  vehicles=$(body "$base/api/vehicles/" 2>/dev/null || true)
  [[ $vehicles == *'"name"'* ]] || sleep 2
done
count=$(grep -o '"name"' <<<"$vehicles" | wc -l)
pass "API lists $count vehicles (GET /api/vehicles/)"

first=$(grep -o '"name":"[^"]*"' <<<"$vehicles" | head -n 1 | cut -d'"' -f4)
encoded=$(printf '%s' "$first" | sed 's/ /%20/g')
history=$(body "$base/api/history/$encoded") || fail "GET /api/history/$encoded failed"
[[ $history == '['*'"lat"'* ]] || fail "GET /api/history/$encoded is not a list of points: ${history:0:200}"
pass "history of '$first' answers (GET /api/history/...)"

negotiation=$(curl -fsS --max-time 5 -X POST "$base/hubs/vehicles/negotiate?negotiateVersion=1") || fail "hub negotiation failed"
[[ $negotiation == *'"connectionToken"'* ]] || fail "hub negotiation gave no connection token: ${negotiation:0:200}"
pass "live-update hub negotiates (POST /hubs/vehicles/negotiate)"

admin=$(status "$base/admin/simulator/status")
[[ $admin == 401 || $admin == 403 ]] || fail "GET /admin/simulator/status without credentials answered $admin, not 401/403"
pass "admin routes refuse anonymous requests ($admin)"

echo "smoke: passed ($base)"
