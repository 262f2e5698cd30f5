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
started_here=false
if ! scripts/infra.sh status >/dev/null 2>&1; then
  started_here=true
fi
scripts/infra.sh start
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { if $started_here; then scripts/infra.sh stop || true; fi; }
trap cleanup EXIT

step "restore"
dotnet restore Fleetman.sln --nologo -v quiet

step "format (dotnet format --verify-no-changes)"
dotnet format Fleetman.sln --verify-no-changes --no-restore

step "build"
dotnet build Fleetman.sln -c Release --no-restore --nologo -v quiet -warnaserror

step "test"
rm -rf "$results"
status=0
dotnet test Fleetman.sln -c Release --no-build --nologo --results-directory "$results" \
  --logger "console;verbosity=normal" --logger trx "$@" | tee "$results.log" || status=$?

# One closing line for the whole run, summed over every test assembly's TRX report.
cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "\""); key = kv[1]
      if (key == "passed=") p += kv[2]; if (key == "failed=") f += kv[2]
      if (key == "total=") s += kv[2]; if (key == "executed=") s -= kv[2] } }
  END { printf "\n%d passed, %d failed, %d skipped\n", p, f, s }'
exit "$status"
