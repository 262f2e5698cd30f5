#!/usr/bin/env bash
# The one test command: on a fresh machine of the project's kind it installs what is missing, starts what the chosen
# layer needs (ActiveMQ and Redis on loopback, Chromium, a Docker engine), builds, and runs that layer's tests against
# the real components. Whatever this script started is stopped again at the end.
#
# Usage: scripts/test.sh [unit|integration|system|deploy|all] [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Stomp]
#   unit         no network, no process, no broker: the Unit namespaces, plus the webapp's typecheck and Vitest
#   integration  real ActiveMQ, Redis, SQLite, services hosted in-process: the Integration namespaces
#   system       services as processes, pipeline, chaos, browser, images: the System namespaces (+ Chromium, Docker, webapp build)
#   deploy       rendered manifests and scripts: Fleetman.Deploy.Tests (helm/kustomize render, docker-compose, shellcheck)
#   all          (default, what CI runs) every step once, plus the warnings-as-errors build of everything (analyzers,
#                code style, whitespace) and what of dotnet format's check it leaves (line ends, encoding, using order)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
results=$repo/.fleetman/test-results
# Each step's header says when it began (seconds since the start), so a slow run shows where its time went.
step() { printf '\n== [%4d s] %s\n' "$SECONDS" "$*"; }

mode=all
case ${1:-} in
  unit | integration | system | deploy | all)
    mode=$1
    shift
    ;;
esac
# True when the current mode is `all` or one of the given modes.
for_mode() { [[ $mode == all || " $* " == *" $mode "* ]]; }

apt_install() {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# One run at a time in a checkout: every run clears and fills the same results folder and builds the same outputs, so a
# second one would break the first. Another checkout (a git worktree) runs beside it. A pid file, not a lock held on an
# open file: the services and engines a run starts would inherit the file and hold such a lock after the run.
mkdir -p "$repo/.fleetman"
run_pid_file=$repo/.fleetman/test-run.pid
if other=$(cat "$run_pid_file" 2>/dev/null) && [[ $other =~ ^[0-9]+$ && $other != "$$" ]] &&
  tr '\0' ' ' 2>/dev/null <"/proc/$other/cmdline" | grep -q 'test\.sh'; then
  echo "scripts/test.sh: another test run (pid $other) is going on in $repo; wait for it to end" >&2
  exit 1
fi
echo $$ >"$run_pid_file"
rm -rf "$results"
mkdir -p "$results"
# This run's id: the test processes that need the services published as their images ship them (the image tests, the
# api-gateway's trimmed test) share one publish per run (tests/Fleetman.Testing/ShippedPublish.cs).
FLEETMAN_TEST_RUN="$$-$(date +%s%N)"
export FLEETMAN_TEST_RUN

if for_mode integration system; then
  step "infrastructure"
  # shellcheck source=scripts/lib/infra-session.sh
  source scripts/lib/infra-session.sh
  # shellcheck disable=SC2119 # no arguments: both components
  infra_for_this_run
fi

if for_mode system; then
  step "browser"
  # The live-map tests drive Debian's Chromium through Playwright (no browser download).
  command -v chromium >/dev/null || apt_install chromium
  chromium --version 2>/dev/null | grep -v 'unexpected operator' || true

  step "monitoring tools"
  # The monitoring test scrapes the local run with Prometheus and routes its alerts through Alertmanager, beside
  # redis_exporter (tests/Fleetman.Chaos.Tests/System/MonitoringTests.cs).
  command -v prometheus >/dev/null || apt_install prometheus
  command -v prometheus-alertmanager >/dev/null || apt_install prometheus-alertmanager
  command -v prometheus-redis-exporter >/dev/null || apt_install prometheus-redis-exporter

  step "native AOT toolchain"
  # The services' publish for the image tests (tests/Fleetman.Testing/ShippedPublish.cs) compiles the
  # position-simulator Native AOT, which links with clang against zlib: installed as for the benchmarks' publish.
  # shellcheck source=scripts/lib/shipped-services.sh
  source scripts/lib/shipped-services.sh
  aot_toolchain

  step "container engine"
  # tests/Fleetman.Images.Tests builds every image with scripts/build-images.sh and starts each in Docker.
  # shellcheck source=scripts/lib/docker-session.sh
  source scripts/lib/docker-session.sh
  docker_for_this_run
  base_images_in_background
fi

webapp_report=""
webapp_pid=""
if for_mode unit system; then
  webapp_steps=()
  if for_mode unit; then webapp_steps+=("typecheck" "unit tests"); fi
  if for_mode system; then webapp_steps+=("build"); fi
  joined=$(IFS=,; echo "${webapp_steps[*]}")
  step "webapp (npm ci, ${joined//,/, }): in the background (log $results/webapp.log)"
  command -v npm >/dev/null || apt_install nodejs npm
  if for_mode unit; then webapp_report=$results/webapp-vitest.json; fi
  # Beside the .NET restore, build and tests instead of before them: Node's steps wait on nothing of .NET's, and
  # the unit layer's whole time was these steps plus the .NET ones one after the other. Printed when they end
  # (webapp_wait); a failure fails the run.
  # shellcheck disable=SC2034 # read by the EXIT trap below, which shellcheck does not follow into its string
  webapp_began=$SECONDS
  (
    # How long the steps took, not when they were waited for.
    trap 'echo "webapp: done after $((SECONDS - webapp_began)) s"' EXIT
    # shellcheck source=scripts/lib/webapp-deps.sh
    source scripts/lib/webapp-deps.sh
    webapp_dependencies --loglevel=error
    cd webapp
    if [[ -n $webapp_report ]]; then
      npm run --silent typecheck
      npm test --silent -- --reporter=default --reporter=json --outputFile="$webapp_report"
    fi
    # The live-map tests and the edge serve the built webapp.
    if for_mode system; then
      npm run --silent build
    fi
  ) >"$results/webapp.log" 2>&1 </dev/null &
  webapp_pid=$!
fi
# Waits for the webapp's steps, prints their output, and returns their exit code.
webapp_wait() {
  [[ -n $webapp_pid ]] || return 0
  local code=0
  wait "$webapp_pid" || code=$?
  webapp_pid=""
  step "webapp: exit code $code"
  cat "$results/webapp.log"
  return "$code"
}

if for_mode deploy; then
  step "deployment manifests (helm lint/template, kustomize, docker-compose config)"
  # Rendered offline into .fleetman/rendered/; tests/Fleetman.Deploy.Tests then load every document strictly.
  command -v docker-compose >/dev/null || apt_install docker-compose
  scripts/render-manifests.sh
  # The deploy tests run shellcheck on the course's secrets script (k8s/course/create-secrets.sh).
  command -v shellcheck >/dev/null || apt_install shellcheck
  # The alert rules and Alertmanager's routing are checked with Prometheus' and Alertmanager's own tools: promtool
  # (check rules, and the rules' unit tests) and amtool (check-config).
  command -v promtool >/dev/null || apt_install prometheus
  command -v amtool >/dev/null || apt_install prometheus-alertmanager
fi

# What to build and test: everything for `all`; otherwise the test projects with a folder of that layer (each test
# class lives in tests/<project>/<Layer>/ with the namespace <project>.<Layer>; a test in Fleetman.Deploy.Tests checks
# that no test class is outside a layer), filtered to that layer's namespace.
layer_filter=""
projects=()
case $mode in
  unit | integration | system)
    folder=${mode^}
    layer_filter="FullyQualifiedName~.Tests.$folder."
    for dir in tests/*/"$folder"/; do
      project=${dir%/"$folder"/}
      projects+=("$project/$(basename "$project").csproj")
    done
    ;;
  deploy)
    layer_filter="FullyQualifiedName~Fleetman.Deploy.Tests."
    projects=(tests/Fleetman.Deploy.Tests/Fleetman.Deploy.Tests.csproj)
    ;;
esac

# A --filter given after the mode narrows the layer's selection instead of replacing it.
test_args=()
user_filter=0
while (($#)); do
  if [[ $1 == --filter && $# -ge 2 ]]; then
    user_filter=1
    if [[ -n $layer_filter ]]; then layer_filter="($layer_filter)&($2)"; else layer_filter=$2; fi
    shift 2
  else
    test_args+=("$1")
    shift
  fi
done
extra_args=("${test_args[@]}")
[[ -z $layer_filter ]] || test_args+=(--filter "$layer_filter")

selection_tool_project=tools/Fleetman.TestSelection/Fleetman.TestSelection.csproj
if [[ $mode == all ]]; then
  target=Fleetman.sln
else
  # A solution filter of the chosen projects: one restore and one parallel build, as for the whole solution.
  target=.fleetman/test-$mode.slnf
  # With a filter, the tool that picks the assemblies it can select tests of is built too (see "which assemblies").
  slnf_projects=("${projects[@]}")
  if ((user_filter)); then slnf_projects+=("$selection_tool_project"); fi
  printf '{"solution":{"path":"../Fleetman.sln","projects":[%s]}}\n' \
    "$(printf '"%s",' "${slnf_projects[@]}" | sed 's/,$//')" >"$target"
fi

# Every compile of this run through one C# compiler server (VBCSCompiler): the build's forty-odd projects and the
# services' compile again for the images' publish (tests/Fleetman.Testing/ShippedPublish.cs runs it with this
# environment). Without it each project starts a compiler process of its own, which loads and warms up the compiler
# and the framework's reference assemblies again: the warnings-as-errors build of the solution from scratch took
# 248 CPU-seconds that way and 153 through the server (docs/testing.md, "The compiler server"). The SDK uses it by
# default; set here because an environment may turn it off (UseSharedCompilation=false, as on the project's machine),
# and stopped at the end when this run started it.
export UseSharedCompilation=true
# The server as the SDK starts it (its launcher, or dotnet with its dll), with the pipe it listens on.
compiler_server_running() { pgrep -u "$(id -u)" -f 'VBCSCompiler(\.dll)? -pipename:' >/dev/null; }
if ! compiler_server_running; then
  # shellcheck disable=SC2317 # called by the EXIT trap
  compiler_server_stop() { dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1 || true; }
  # After whatever EXIT trap was set before (the infrastructure's, the engine's), not instead of it.
  previous_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
  # shellcheck disable=SC2064 # the earlier trap's command is expanded now, on purpose
  trap "${previous_trap:+$previous_trap; }compiler_server_stop" EXIT
fi

step "restore"
dotnet restore "$target" --nologo -v quiet

step "build"
dotnet build "$target" -c Release --no-restore --nologo -v quiet -warnaserror

# The system tests need the built webapp.
if for_mode system; then webapp_wait; fi

step "test ($mode)"
# The CPU time of what Docker's daemon runs (the images' containers and their builds' steps), which no assembly's count
# below includes: the engine's cgroup, read before and after the tests (cgroup v1's cpuacct, whose usage keeps the time
# of removed containers; in nanoseconds). Any container on that engine meanwhile counts, whoever started it. Only in
# the modes that use the engine.
docker_cgroup=/sys/fs/cgroup/cpuacct/docker/cpuacct.usage
docker_cpu_before=""
if for_mode system; then docker_cpu_before=$(cat "$docker_cgroup" 2>/dev/null || true); fi
format_pid=""
if [[ $mode == all ]]; then
  # What of dotnet format's check the build above does not do (docs/testing.md, "What checks the code's form"): a
  # file's final newline, line ends and encoding (`whitespace --folder`: each file on its own, no project loaded) and
  # the order of its usings (`style`, the one formatter that needs the projects; --diagnostics narrows its analyzers to
  # the using placement's, silent here: the build has run them all). The build has checked indentation and spacing (IDE0055), the
  # code style rules and the analyzers, warnings as errors; the whole `dotnet format` ran them all again (about 140
  # CPU-seconds against 39). Beside the tests, which mostly wait; niced, so the tests' processes come first. Its
  # verdict is printed, and counts, at the end.
  nice -n 10 bash -c 'dotnet format whitespace --folder --verify-no-changes . &&
    dotnet format style Fleetman.sln --verify-no-changes --no-restore --diagnostics IDE0065' >"$results/format.log" 2>&1 &
  format_pid=$!
  echo "dotnet format --verify-no-changes (line ends, final newlines, encoding, using order): in the background (log $results/format.log)"
  projects=()
  for project in tests/*/*.csproj; do
    if grep -q 'Include="Microsoft.NET.Test.Sdk"' "$project"; then projects+=("$project"); fi
  done
fi
# With a filter, only the test assemblies it can select a test of are started: each assembly started costs 8-23 s and
# 2-4 CPU-seconds even when none of its tests runs (docs/testing.md, "A filtered run starts only the assemblies that
# can match"). tools/Fleetman.TestSelection reads each built assembly's tests from its metadata (nothing is loaded or
# run) and evaluates the filter as xUnit's adapter does; what it cannot tell for certain counts as a match, and an
# assembly it says nothing of is started. TEST_SELECT=0 starts them all. Run settings (`--settings`, `-- ...`) may
# change the tests' display names, so with them all are started too. Without a filter nothing of this runs.
if ((user_filter)); then
  step "which test assemblies the filter can select a test of"
  if [[ ${TEST_SELECT:-1} != 1 ]]; then
    echo "all of them (TEST_SELECT=$TEST_SELECT)"
  elif [[ " ${extra_args[*]} " =~ \ (--|--settings|-s)\  ]]; then
    echo "all of them: run settings are given, which may change what the filter compares"
  else
    declare -A assembly_of=()
    assemblies=()
    for project in "${projects[@]}"; do
      for dll in "${project%/*}"/bin/Release/*/"$(basename "$project" .csproj)".dll; do
        if [[ -f $dll ]]; then
          assembly_of[$project]=$dll
          assemblies+=("$dll")
        fi
      done
    done
    selection_tool=${selection_tool_project%/*}/bin/Release/net10.0/Fleetman.TestSelection.dll
    code=0
    verdicts=$(dotnet "$selection_tool" --filter "$layer_filter" "${assemblies[@]}") || code=$?
    if ((code != 0)); then
      echo "all of them: $selection_tool exited with $code"
    else
      declare -A skipped=()
      while IFS=$'\t' read -r verdict dll why; do
        echo "$(basename "$dll" .dll): $verdict ($why)"
        [[ $verdict != skip ]] || skipped[$dll]=1
      done <<<"$verdicts"
      chosen=()
      for project in "${projects[@]}"; do
        if [[ -z ${assembly_of[$project]:-} || -z ${skipped[${assembly_of[$project]}]:-} ]]; then chosen+=("$project"); fi
      done
      projects=("${chosen[@]}")
      if ((${#projects[@]} == 0)); then echo "No test assembly of this layer has a test the filter can select."; fi
    fi
  fi
fi
# The test assemblies side by side, TEST_JOBS at a time (2 unless set), the longest first as measured in whole runs
# (most of their time is spent waiting on processes, brokers, browsers and containers, not computing), so the run
# ends with short ones instead of one long assembly alone. Three at a time measured slower on two cores (the image
# builds, the chaos pipeline and the browser then share them) and left the system tests' patience too thin. Each writes its log to
# .fleetman/test-results/<assembly>.log, printed when it ends. An assembly not listed here starts after these.
# (The load generator, 31 s in the idle run of 2026-12-07 15:54 UTC, comes before the deploy tests' 20 s: listed
# after them it started at 620 s and ran the run's last 10 s alone, one core idle.)
longest_first=(Images Chaos ApiGateway Webapp Messaging PositionSimulator Pipeline LoadGenerator TestSelection Deploy PositionTracker
  Gateway QueueConsumer PositionStore ServiceDefaults)
longest_first=("${longest_first[@]/#/Fleetman.}")
longest_first=("${longest_first[@]/%/.Tests}")
queue=()
for name in "${longest_first[@]}"; do
  for project in "${projects[@]}"; do
    if [[ $project == */"$name.csproj" ]]; then queue+=("$project"); fi
  done
done
for project in "${projects[@]}"; do
  name=${project##*/}
  if [[ " ${longest_first[*]} " != *" ${name%.csproj} "* ]]; then queue+=("$project"); fi
done
counted() { # report-file command...
  local report=$1
  shift
  if command -v python3 >/dev/null; then python3 tools/cpu-seconds.py --grace 3 --report "$report" "$@"; else "$@"; fi
}
jobs_at_once=${TEST_JOBS:-2}
status=0
declare -A running=() began=() exit_code=()
: >"$results.log"
while ((${#queue[@]} + ${#running[@]} > 0)); do
  while ((${#running[@]} < jobs_at_once && ${#queue[@]} > 0)); do
    project=${queue[0]}
    queue=("${queue[@]:1}")
    name=${project##*/}
    name=${name%.csproj}
    # Under tools/cpu-seconds.py (counted), which writes the CPU-seconds (user + sys) of the assembly's whole process
    # tree to <assembly>.cpu: the `dotnet test` process, its test host, and everything they started (the services run
    # as processes, the browsers, the docker CLI, the images' publish with the MSBuild nodes, ILLink and the AOT
    # compiler that outlive the `dotnet` that started them: it is their subreaper). Not counted: what Docker's daemon
    # runs (the containers and the image builds' steps; the Docker line below), the compiler server that the build
    # started and the publish's compiles go through, and a process still running 3 s after the assembly's end (left
    # running). Without python3 nothing is counted ("?").
    counted "$results/$name.cpu" dotnet test "$project" -c Release --no-build --nologo --results-directory "$results" \
      --logger "console;verbosity=normal" --logger "trx;LogFileName=$name.trx" "${test_args[@]}" >"$results/$name.log" 2>&1 &
    running[$!]=$name
    began[$name]=$SECONDS
  done
  finished=""
  code=0
  wait -n -p finished "${!running[@]}" || code=$?
  name=${running[$finished]}
  unset "running[$finished]"
  cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$results/$name.cpu" 2>/dev/null || true)
  step "$name: exit code $code after $((SECONDS - began[$name])) s, ${cpu:-?} CPU-s"
  tee -a "$results.log" <"$results/$name.log"
  exit_code[$name]=$code
  ((code == 0)) || status=$code
done

# A test that failed while other assemblies ran beside it runs once more, alone (TEST_RERUN=0: not at all). It is
# still reported as failed at first (the list below names it); the run passes only if it passes alone, and only if
# every failing assembly failed by its tests (not by a crash or a hang without a failed test).
rerun_note=""
if ((status != 0)) && [[ ${TEST_RERUN:-1} == 1 ]]; then
  declare -A again=()
  while IFS=$'\t' read -r assembly test; do
    again[$assembly]+="${again[$assembly]:+|}FullyQualifiedName~$test"
  done < <(node scripts/lib/failed-tests.mjs "$results" --names)
  rerun_ok=1
  for name in "${!exit_code[@]}"; do
    if ((exit_code[$name] != 0)) && [[ -z ${again[$name]:-} ]]; then rerun_ok=0; fi
  done
  if ((rerun_ok)) && ((${#again[@]} > 0)); then
    mkdir -p "$results/again"
    for name in "${!again[@]}"; do
      step "$name: the tests that failed, once more, alone"
      code=0
      dotnet test "tests/$name/$name.csproj" -c Release --no-build --nologo --results-directory "$results/again" \
        --logger "console;verbosity=normal" --logger "trx;LogFileName=$name.trx" "${extra_args[@]}" \
        --filter "${again[$name]}" >"$results/again/$name.log" 2>&1 || code=$?
      tail -n 30 "$results/again/$name.log"
      ((code == 0)) || rerun_ok=0
    done
    # Each failed test must have passed alone (a rerun whose tests were all skipped exits 0 too).
    unconfirmed=$(node scripts/lib/failed-tests.mjs "$results" --unconfirmed "$results/again")
    if [[ -n $unconfirmed ]]; then
      echo "Did not pass when run again alone:"
      echo "$unconfirmed"
      rerun_ok=0
    fi
    if ((rerun_ok)); then
      status=0
      rerun_note="every test that failed beside other assemblies passed when run again alone (listed above: failed under load)"
    else
      rerun_note="run again alone, a test failed again (its report: $results/again/)"
    fi
  fi
fi
if [[ -n $docker_cpu_before ]] && docker_cpu_after=$(cat "$docker_cgroup" 2>/dev/null); then
  echo "Docker's containers and image builds during the tests: $(((docker_cpu_after - docker_cpu_before) / 1000000000)) CPU-s ($docker_cgroup)"
fi
webapp_wait || status=$?
# The image tests waited for the base images themselves (scripts/local-base-images.sh runs one at a time); the other
# test assemblies did not. Here only its end is reaped, and a failure's log shown.
if for_mode system; then base_images_wait; fi
if [[ -n $format_pid ]]; then
  code=0
  wait "$format_pid" || code=$?
  step "dotnet format --verify-no-changes: exit code $code"
  cat "$results/format.log"
  ((code == 0)) || status=$code
fi

# What failed, with its message (CI shows the tail of a run), then one closing line for the whole run: every test
# assembly's TRX report plus the webapp's Vitest report.
webapp_counts="0 0 0"
if [[ -n $webapp_report ]]; then
  webapp_counts=$(node -e 'const r = require(process.argv[1]);
    console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests)' "$webapp_report")
fi
node scripts/lib/failed-tests.mjs "$results"
if [[ -d $results/again ]]; then
  echo
  echo "Run again alone:"
  # From the second run's TRX reports, as the verdict above is: every result, skipped or not run too.
  node scripts/lib/failed-tests.mjs "$results/again" --outcomes
  node scripts/lib/failed-tests.mjs "$results/again"
fi
{ cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>'; echo "webapp $webapp_counts"; } | awk '
  $1 == "webapp" { p += $2; f += $3; s += $4; next }
  { for (i = 1; i <= NF; i++) { split($i, kv, "\""); key = kv[1]
      if (key == "passed=") p += kv[2]; if (key == "failed=") f += kv[2]
      if (key == "total=") s += kv[2]; if (key == "executed=") s -= kv[2] } }
  END { printf "\n%d passed, %d failed, %d skipped\n", p, f, s }'
[[ -z $rerun_note ]] || echo "$rerun_note"
echo "test command ($mode) took $SECONDS s"
exit "$status"
