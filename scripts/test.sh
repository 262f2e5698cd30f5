#!/usr/bin/env bash
# The one test command: on a fresh machine of the project's kind it installs what is missing, starts the
# infrastructure (ActiveMQ, Redis) on loopback, checks formatting, builds, and runs every test against the real
# components. Infrastructure this script started is stopped again at the end.
#
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Stomp]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
results=$repo/.fleetman/test-results
step() { printf '\n== %s\n' "$*"; }

step "infrastructure"
# shellcheck source=scripts/lib/infra-session.sh
source scripts/lib/infra-session.sh
# shellcheck disable=SC2119 # no arguments: both components
infra_for_this_run

step "browser"
# The live-map tests drive Debian's Chromium through Playwright (no browser download).
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
chromium --version 2>/dev/null | grep -v 'unexpected operator' || true

step "container engine"
# tests/Fleetman.Images.Tests builds every image with scripts/build-images.sh and starts each in Docker.
# shellcheck source=scripts/lib/docker-session.sh
source scripts/lib/docker-session.sh
docker_for_this_run
base_images_in_background

step "webapp (npm ci, typecheck, unit tests, build)"
rm -rf "$results"
mkdir -p "$results"
command -v npm >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
}
(
  cd webapp
  npm ci --no-audit --no-fund --loglevel=error
  npm run --silent typecheck
  npm test --silent -- --reporter=default --reporter=json --outputFile="$results/webapp-vitest.json"
  npm run --silent build
)

step "deployment manifests (helm lint/template, kustomize, docker-compose config)"
# Rendered offline into .fleetman/rendered/; tests/Fleetman.Deploy.Tests then load every document strictly.
if ! command -v docker-compose >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
scripts/render-manifests.sh
# The deploy tests run shellcheck on the course's secrets script (k8s/course/create-secrets.sh).
command -v shellcheck >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
}

step "restore"
dotnet restore Fleetman.sln --nologo -v quiet

step "format (dotnet format --verify-no-changes)"
dotnet format Fleetman.sln --verify-no-changes --no-restore

step "build"
dotnet build Fleetman.sln -c Release --no-restore --nologo -v quiet -warnaserror

step "test"
base_images_wait
status=0
dotnet test Fleetman.sln -c Release --no-build --nologo --results-directory "$results" \
  --logger "console;verbosity=normal" --logger trx "$@" | tee "$results.log" || status=$?

# One closing line for the whole run: every test assembly's TRX report plus the webapp's Vitest report.
webapp_counts=$(node -e 'const r = require(process.argv[1]);
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests)' "$results/webapp-vitest.json")
{ cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>'; echo "webapp $webapp_counts"; } | awk '
  $1 == "webapp" { p += $2; f += $3; s += $4; next }
  { for (i = 1; i <= NF; i++) { split($i, kv, "\""); key = kv[1]
      if (key == "passed=") p += kv[2]; if (key == "failed=") f += kv[2]
      if (key == "total=") s += kv[2]; if (key == "executed=") s -= kv[2] } }
  END { printf "\n%d passed, %d failed, %d skipped\n", p, f, s }'
exit "$status"
