# shellcheck shell=bash
# Sourced (not run) by the benchmarks that run the services as processes (tools/bench-pipeline.sh, tools/bench-live.sh),
# so that each runs in the form its image ships, and its memory and start-up are those of the image: the services whose
# project files set <PublishAot>true</PublishAot> or <PublishTrimmed>true</PublishTrimmed> (scripts/build-images.sh
# --list says which, as it decides for the images) are published self-contained (Native AOT or trimmed), as their
# images' build does, and run by their own executable or launcher; the others run framework-dependent from the build
# output, the same code as their images; the trimmed ones with the runtime settings their images set
# (export_shipped_environment; the AOT image sets none).

# publish_shipped_services <log>: publishes the self-contained services into artifacts/publish/<name>/
# (scripts/build-images.sh --publish-only) and exports FLEETMAN_PUBLISHED_SERVICES, where the benchmarks' services are started from
# (tests/Fleetman.Testing's ServiceProcess). Run from the repository's root.
publish_shipped_services() {
  local self_contained
  self_contained=$(scripts/build-images.sh --list | awk '/--build-arg PUBLISH=(trimmed|aot)/ { print $1 }')
  # shellcheck disable=SC2086 # one word per image name
  if ! scripts/build-images.sh --publish-only $self_contained >"$1" 2>&1; then
    echo "the self-contained services' publish failed; its log: $1" >&2
    return 1
  fi
  export FLEETMAN_PUBLISHED_SERVICES=$PWD/artifacts/publish
}

# export_shipped_environment: exports FLEETMAN_SHIPPED_ENVIRONMENT, the runtime settings the trimmed services' images
# set (the `ENV DOTNET_…` lines of services/Dockerfile's runtime-trimmed stage, and of no other stage, e.g. the GC's
# gen-0 budget, which the runtime reads from its environment only), which the benchmarks' ServiceProcess gives every
# service it starts by its trimmed launcher (not an AOT executable, whose stage sets none): one source for both.
export_shipped_environment() {
  FLEETMAN_SHIPPED_ENVIRONMENT=$(awk '$1 == "FROM" { stage = $NF }
    stage == "runtime-trimmed" && $1 == "ENV" && $2 ~ /^DOTNET_[A-Za-z0-9_]+=/ { print $2 }' services/Dockerfile | paste -sd ' ' -)
  export FLEETMAN_SHIPPED_ENVIRONMENT
}

# aot_toolchain: what the position-simulator's Native AOT publish links with, clang against zlib, installed with apt
# (for the benchmarks' publish and scripts/test.sh's image tests alike); without apt (or without root), a failure
# naming the packages to install, instead of the linker's error minutes into the publish.
aot_toolchain() {
  local missing=()
  command -v clang >/dev/null || missing+=(clang)
  [[ -e /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
  [[ ${#missing[@]} -gt 0 ]] || return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null \
    && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    return 0
  fi
  echo "the position-simulator's Native AOT publish links with clang against zlib; missing: ${missing[*]} (apt-get install ${missing[*]})" >&2
  return 1
}

# build_shipped_services: what a benchmark runs, ready: the solution's Release build (the benchmark programs and the
# framework-dependent services), then the self-contained services' publish (its log in .fleetman/bench/), the AOT
# toolchain installed first.
build_shipped_services() {
  aot_toolchain
  dotnet build Fleetman.sln -c Release --nologo -v quiet >/dev/null
  mkdir -p .fleetman/bench
  publish_shipped_services .fleetman/bench/publish-shipped-services.log
  export_shipped_environment
}
