# shellcheck shell=bash
# Sourced (not run) by the test command: a Docker engine for the image tests. Run from the repository root.
#
# docker_for_this_run
#   installs Debian's docker.io and debootstrap (scripts/local-base-images.sh needs it) when missing, starts dockerd
#   unless an engine answers already, and on exit stops a dockerd that a run of the test command started once the last
#   run using it has ended: runs in two checkouts side by side share one engine, and the first to end does not stop it
#   under the other. A developer's own engine (one no run started) is left as it was. When no engine can be started
#   (no privileges, no kernel support) it says why and goes on: the image tests are then reported as skipped, with
#   that reason.
#
# Who uses the engine is kept outside the checkout ($DOCKER_SHARED, one per user), since the runs sharing it are in
# different checkouts: users/<pid> per run, engine.pid for an engine a run started, and a lock file held only while
# a run joins or leaves (never by a process that outlives it: dockerd is started with the descriptor closed).
DOCKER_SHARED=${XDG_RUNTIME_DIR:-/tmp}/fleetman-docker-$(id -u)

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
  mkdir -p "$DOCKER_SHARED/users" "$DOCKER_STATE"
  # Joining is one step under the lock: a run that ends meanwhile cannot stop the engine this one is about to use.
  exec 9>"$DOCKER_SHARED/lock"
  flock 9
  : >"$DOCKER_SHARED/users/$$"
  local previous
  previous=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
  # Runs after whatever EXIT trap was set before (the infrastructure's), not instead of it.
  # shellcheck disable=SC2064 # the earlier trap's command is expanded now, on purpose
  trap "${previous:+$previous; }docker_leave" EXIT
  if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    exec 9>&-
    echo "docker: engine $(docker version --format '{{.Server.Version}}') already running"
    return 0
  fi
  # setsid: the engine is not in this script's process group, so a Ctrl-C reaches it only through the EXIT trap.
  setsid dockerd >"$DOCKER_STATE/dockerd.log" 2>&1 </dev/null 9>&- &
  DOCKER_PID=$!
  DOCKER_STARTED_HERE=true
  echo "$DOCKER_PID" >"$DOCKER_SHARED/engine.pid"
  local waited=0
  until docker version --format '{{.Server.Version}}' >/dev/null 2>&1; do
    if ! kill -0 "$DOCKER_PID" 2>/dev/null || ((waited >= 60)); then
      exec 9>&-
      echo "docker: no engine could be started (the image tests will be skipped); dockerd's last lines:" >&2
      tail -n 5 "$DOCKER_STATE/dockerd.log" >&2 || true
      return 0
    fi
    sleep 1
    waited=$((waited + 1))
  done
  exec 9>&-
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
# The run leaves; the last run out stops an engine a run started (whichever run that was), and waits for it to stop
# while holding the lock, so that a run joining meanwhile starts a new engine instead of using one that is going.
docker_leave() {
  exec 9>"$DOCKER_SHARED/lock"
  flock 9
  rm -f "$DOCKER_SHARED/users/$$"
  local user pid
  for user in "$DOCKER_SHARED"/users/*; do
    [[ -e $user ]] || continue
    pid=${user##*/}
    # A run killed before its trap ran leaves its file behind; a pid reused since is not a run of the test command.
    if kill -0 "$pid" 2>/dev/null && grep -qa "test.sh" "/proc/$pid/cmdline" 2>/dev/null; then
      exec 9>&-
      return 0
    fi
    rm -f "$user"
  done
  pid=$(cat "$DOCKER_SHARED/engine.pid" 2>/dev/null || true)
  rm -f "$DOCKER_SHARED/engine.pid"
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && grep -qa dockerd "/proc/$pid/cmdline" 2>/dev/null; then
    $DOCKER_STARTED_HERE || echo "docker: stopping the engine an earlier run started (pid $pid): no run uses it now"
    kill -TERM "$pid" 2>/dev/null || true
    # dockerd stops its containers and containerd first; give it the time it asks for.
    local _
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then echo "docker: dockerd (pid $pid) still running 30 s after SIGTERM" >&2; fi
  fi
  exec 9>&-
}
