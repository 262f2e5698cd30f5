#!/usr/bin/env bash
# Benchmark: the position pipeline with real processes. Prints time to ready and memory per service, positions per
# second publish→stored with 1,000 and 10,000 vehicles, and publish→stored latency at 1,000 positions/s.
# With FLEETMAN_BENCH_RESULTS set to a file, every figure is also appended to it (tools/bench-all.sh reads it).
# Each service runs as its image ships it (self-contained and trimmed where its project file says so, framework-dependent
# otherwise). Starts the local infrastructure if needed (and stops it again if it did).
# Usage: tools/bench-pipeline.sh [positions per throughput run, default 60000] [seconds of the latency run, default 20]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/infra-session.sh
source scripts/lib/infra-session.sh
infra_for_this_run --quiet
# shellcheck source=scripts/lib/shipped-services.sh
source scripts/lib/shipped-services.sh
build_shipped_services
dotnet tools/Fleetman.Benchmarks.Pipeline/bin/Release/net10.0/Fleetman.Benchmarks.Pipeline.dll "$@"
