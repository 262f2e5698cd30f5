#!/usr/bin/env bash
# Benchmark: the cost of deriving fleet events per 1,000 positions, in process (no broker, no Redis): the derivation
# alone, and with the SQLite store's work for it. With FLEETMAN_BENCH_RESULTS set to a file, every figure is also
# appended to it. Usage: tools/bench-events.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
dotnet build tools/Fleetman.Benchmarks.Events/Fleetman.Benchmarks.Events.csproj -c Release --nologo -v quiet >/dev/null
dotnet tools/Fleetman.Benchmarks.Events/bin/Release/net10.0/Fleetman.Benchmarks.Events.dll "$@"
