# shellcheck shell=bash
# Sourced (not run) by the test command: a Docker engine for the image tests. Run from the repository root.
#
# docker_for_this_run
#   installs Debian's docker.io and debootstrap (scripts/local-base-images.sh needs it) when missing, starts dockerd
#   unless an engine answers already, and on exit stops only a dockerd it started: a developer's engine is left as it
#   was. When no engine can be started (no privileges, no kernel support) it says why and goes on: the image tests are
#   then reported as skipped, with that reason.

docker_for_this_run() {
  DOCKER_STARTED_HERE=false
  DOCKER_STATE=.fleetman/docker
  if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    # Not fatal: where packages cannot be installed (a CI container that is not root) the image tests are skipped.
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null; }; then
      echo "docker: docker.io and debootstrap could not be installed (the image tests will be skipped)" >&2
      return 0
    fi
  fi
  if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    echo "docker: engine $(docker version --format '{{.Server.Version}}') already running"
    return 0
  fi
  mkdir -p "$DOCKER_STATE"
  # setsid: the engine is not in this script's process group, so a Ctrl-C reaches it only through the EXIT trap.
  setsid dockerd >"$DOCKER_STATE/dockerd.log" 2>&1 </dev/null &
  DOCKER_PID=$!
  DOCKER_STARTED_HERE=true
  # Runs after whatever EXIT trap was set before (the infrastructure's), not instead of it.
  local previous
  previous=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
  # shellcheck disable=SC2064 # the earlier trap's command is expanded now, on purpose
  trap "${previous:+$previous; }docker_stop_if_started_here" EXIT
  local waited=0
  until docker version --format '{{.Server.Version}}' >/dev/null 2>&1; do
    if ! kill -0 "$DOCKER_PID" 2>/dev/null || ((waited >= 60)); then
      echo "docker: no engine could be started (the image tests will be skipped); dockerd's last lines:" >&2
      tail -n 5 "$DOCKER_STATE/dockerd.log" >&2 || true
      return 0
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "docker: started engine $(docker version --format '{{.Server.Version}}') (pid $DOCKER_PID, log $DOCKER_STATE/dockerd.log)"
}

# base_images_in_background
#   starts scripts/local-base-images.sh --missing-only in the background, which makes the stand-ins a machine that
#   has never built the images lacks (and does nothing otherwise): debootstrap and the package downloads mostly wait on the network
#   and the disk, so they overlap with the compile and the other tests instead of adding minutes before them. Only
#   the image tests wait for it: they run the script again, which waits for this run (it runs one at a time) and then
#   finds nothing missing. base_images_wait reaps it at the end; a failure only prints its log's end (the image tests
#   tried again and reported it).
base_images_in_background() {
  BASE_IMAGES_PID=""
  docker version >/dev/null 2>&1 || return 0
  mkdir -p .fleetman/docker
  echo "docker: making any missing base image stand-ins in the background (log .fleetman/docker/base-images.log)"
  scripts/local-base-images.sh --missing-only >.fleetman/docker/base-images.log 2>&1 </dev/null &
  BASE_IMAGES_PID=$!
}

base_images_wait() {
  [[ -n ${BASE_IMAGES_PID:-} ]] || return 0
  if wait "$BASE_IMAGES_PID"; then
    echo "docker: base images ready (.fleetman/docker/base-images.log)"
  else
    echo "docker: scripts/local-base-images.sh failed; its last lines:" >&2
    tail -n 10 .fleetman/docker/base-images.log >&2 || true
  fi
}

# shellcheck disable=SC2317 # called by the EXIT trap
docker_stop_if_started_here() {
  if $DOCKER_STARTED_HERE && kill -0 "$DOCKER_PID" 2>/dev/null; then
    kill -TERM "$DOCKER_PID" 2>/dev/null || true
    # dockerd stops its containers and containerd first; give it the time it asks for.
    for _ in $(seq 1 30); do
      kill -0 "$DOCKER_PID" 2>/dev/null || return 0
      sleep 1
    done
    echo "docker: dockerd (pid $DOCKER_PID) still running 30 s after SIGTERM" >&2
  fi
}
