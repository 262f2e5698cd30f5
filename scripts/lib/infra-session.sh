# shellcheck shell=bash
# Sourced (not run) by the scripts that need ActiveMQ and Redis for one run of theirs: the test command and the
# benchmarks. Run from the repository root.
#
# infra_for_this_run [--quiet] [activemq|redis]
#   starts the infrastructure (or the one component) unless it runs already, and on exit stops only what it started:
#   a developer's running infrastructure is left as it was. --quiet hides infra.sh's own lines.

infra_for_this_run() {
  INFRA_QUIET=false
  if [[ ${1:-} == --quiet ]]; then
    INFRA_QUIET=true
    shift
  fi
  INFRA_COMPONENTS=("$@")
  INFRA_STARTED_HERE=false
  scripts/infra.sh status "$@" >/dev/null 2>&1 || INFRA_STARTED_HERE=true
  infra_run start "$@"
  trap infra_stop_if_started_here EXIT
}

# shellcheck disable=SC2317 # called by the EXIT trap
infra_stop_if_started_here() {
  if $INFRA_STARTED_HERE; then
    infra_run stop "${INFRA_COMPONENTS[@]}" || true
  fi
}

# Not `>/dev/stdout` for the loud case: when stdout is a file (a CI log), that reopens and truncates it.
infra_run() {
  if $INFRA_QUIET; then
    scripts/infra.sh "$@" >/dev/null
  else
    scripts/infra.sh "$@"
  fi
}
