#!/usr/bin/env bash
# Benchmark: persistent messages per second end to end through the messaging library against the real broker,
# with 1 producer/1 consumer and 2/2. Starts the local infrastructure if needed (and stops it again if it did).
# With FLEETMAN_BENCH_RESULTS set to a file, every figure is also appended to it (tools/bench-all.sh reads it).
# Usage: tools/bench-messaging.sh [messages per run, default 20000] [runs per layout, default 3]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
# shellcheck source=scripts/lib/infra-session.sh
source scripts/lib/infra-session.sh
infra_for_this_run --quiet activemq
eval "$(scripts/infra.sh env)"
dotnet build tools/Fleetman.Benchmarks.Messaging -c Release --nologo -v quiet >/dev/null
dotnet tools/Fleetman.Benchmarks.Messaging/bin/Release/net10.0/Fleetman.Benchmarks.Messaging.dll "$@"
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1); broker: ActiveMQ $(dpkg-query -W -f='${Version}' activemq)"
