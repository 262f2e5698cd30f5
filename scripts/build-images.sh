#!/usr/bin/env bash
# Builds Fleetman's container images: fleetman/<name>:<tag>, or with --course the Kubernetes course's images
# fleetman-course/<name>:<tag>.
#
#   scripts/build-images.sh [--prebuilt [--published]] [--tag T] [--registry R] [--push] [name...]
#   scripts/build-images.sh --course [--prebuilt | --from-built] [--tag T]... [--registry R] [--push] [name...]
#   scripts/build-images.sh --publish-only [--from-build] [name...]
#
#   (default)     docker build of each Dockerfile's final stage: the SDK and node images restore, build and publish
#                 inside the build. Needs network access to NuGet and npm from inside `docker build`.
#   --prebuilt    publish on this machine first (dotnet publish into artifacts/publish/<name>/, npm ci + npm run build
#                 into artifacts/publish/webapp/), then build each Dockerfile's `prebuilt` stage, which only copies that
#                 output onto the runtime image. For machines whose builds cannot reach the package registries.
#   --published   with --prebuilt: the .NET services as an earlier --publish-only left them in artifacts/publish/<name>/,
#                 not published again (the test command publishes once for the image tests and the api-gateway's
#                 trimmed test: tests/Fleetman.Testing/ShippedPublish.cs)
#   --tag T       image tag (default 1.0.0; CI passes the commit). Never `latest`.
#   --registry R  prefix, e.g. 123456789012.dkr.ecr.eu-west-2.amazonaws.com: R/fleetman/<name>:<tag>
#   --push        docker push every image built
#   --publish-only  the host publish of --prebuilt (artifacts/publish/<name>/) of the .NET images named (the webapp
#                 left out), and nothing else (no Docker): each service as its image runs it. The benchmarks run the
#                 trimmed and AOT ones from there.
#   --from-build  with --publish-only: right after `dotnet build Fleetman.sln -c Release` of this working tree (the
#                 test command's run publishes so, tests/Fleetman.Testing/ShippedPublish.cs): in the working tree's
#                 bin/obj instead of artifacts/build/, and without the commit in the version, as that build, so the
#                 libraries it compiled are up to date; the framework-dependent services are that build's assemblies
#                 (--no-build), only the self-contained ones are compiled again, for their runtime (without the analyzers,
#                 which that build ran on the same sources). The commit stays on every
#                 image's label (org.opencontainers.image.revision).
#   --list        print `<name> <Dockerfile> [--build-arg K=V]...` for each production image and build nothing: for
#                 builders that run the Dockerfiles themselves (the Jenkinsfile's kaniko, which has no bash)
#   name...       some of: position-simulator queue-consumer position-tracker api-gateway gateway webapp
#                 load-generator (default all)
#
#   --course      the course's images (deploy/course-images/: webapp/, queue/, and service/ for the four .NET
#                 services): first the production images they are made from (fleetman/<name>:1.0.0, local;
#                 --prebuilt applies to them) and the .NET ones' base (base/, fleetman-course/base:1.0.0, local),
#                 then fleetman-course/<name>:<tag> for every --tag given (default:
#                 release0 and release0-5). The release baked in (FLEETMAN_RELEASE; the webapp's Gateway__Release,
#                 shown in the page's header) is the tag without its "release" prefix: release0-5 -> 0-5.
#                 Names: webapp queue position-simulator queue-consumer position-tracker api-gateway (default all).
#   --from-built  with --course: the course's images only, from the production images built before (e.g. by
#                 `scripts/build-images.sh --prebuilt`), which are not built again
#
# DOCKER (default: docker) is the CLI to use. Without buildx, Debian's docker.io CLI (/usr/bin/docker) still has
# BuildKit built in; it is used when the first docker on PATH has neither (BuildKit skips stages a target does not
# need). The Dockerfiles work with the legacy builder too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/webapp-deps.sh
source scripts/lib/webapp-deps.sh

ALL=(position-simulator queue-consumer position-tracker api-gateway gateway webapp load-generator)
declare -A DIR=(
  [position-simulator]=services/position-simulator [queue-consumer]=services/queue-consumer
  [position-tracker]=services/position-tracker [api-gateway]=services/api-gateway [gateway]=gateway [webapp]=webapp
  [load-generator]=tools/Fleetman.LoadGenerator)
declare -A PROJECT=(
  [position-simulator]=Fleetman.PositionSimulator [queue-consumer]=Fleetman.QueueConsumer
  [position-tracker]=Fleetman.PositionTracker [api-gateway]=Fleetman.ApiGateway [gateway]=Fleetman.Gateway
  [load-generator]=Fleetman.LoadGenerator)
# The five .NET services share services/Dockerfile, told apart by build arguments (dockerfile_args); the webapp and
# the load generator (a console app on the plain .NET runtime, no port) have their own.
declare -A DOCKERFILE=(
  [position-simulator]=services/Dockerfile [queue-consumer]=services/Dockerfile [position-tracker]=services/Dockerfile
  [api-gateway]=services/Dockerfile [gateway]=services/Dockerfile [webapp]=webapp/Dockerfile
  [load-generator]=tools/Fleetman.LoadGenerator/Dockerfile)

# The course's images and the production images each is made from (the queue is the official ActiveMQ image).
COURSE_ALL=(webapp queue position-simulator queue-consumer position-tracker api-gateway)
declare -A COURSE_FROM=(
  [webapp]="gateway webapp" [queue]="" [position-simulator]=position-simulator [queue-consumer]=queue-consumer
  [position-tracker]=position-tracker [api-gateway]=api-gateway)
# The tag of the production images the course's are made from.
PRODUCTION_TAG=1.0.0
# The base of the course's .NET images (deploy/course-images/base/), built by this script before them.
COURSE_BASE=fleetman-course/base:$PRODUCTION_TAG

# How a .NET image's service is published, as its project file says (so that a plain `dotnet publish` of it does the
# same), read here and not listed again: aot (<PublishAot>true</PublishAot>: one native executable, the
# position-simulator), trimmed (<PublishTrimmed>true</PublishTrimmed>: self-contained and trimmed, the edge gateway and
# the api-gateway), both onto the runtime-deps base, or framework-dependent (the others: they use the MongoDB driver,
# which is not trim-safe).
publish_kind_of() { # name
  local project="${DIR[$1]}/${PROJECT[$1]}.csproj"
  if grep -q '<PublishAot>true</PublishAot>' "$project"; then echo aot
  elif grep -q '<PublishTrimmed>true</PublishTrimmed>' "$project"; then echo trimmed
  else echo framework-dependent; fi
}

# The build arguments an image's Dockerfile needs, as KEY=VALUE words (none contains a space).
dockerfile_args() {
  [ "${DOCKERFILE[$1]}" = services/Dockerfile ] || return 0
  echo "APP=$1 PROJECT=${DIR[$1]}/${PROJECT[$1]}.csproj PUBLISH=$(publish_kind_of "$1")"
}

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

prebuilt=false published=false course=false from_built=false list=false publish_only=false from_build=false tags=() registry=""
push=false names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prebuilt) prebuilt=true ;;
    --published) published=true ;;
    --course) course=true ;;
    --from-built) from_built=true ;;
    --tag) tags+=("${2:?--tag needs a value}"); shift ;;
    --registry) registry="${2:?--registry needs a value}"; shift ;;
    --push) push=true ;;
    --list) list=true ;;
    --publish-only) publish_only=true ;;
    --from-build) from_build=true ;;
    -h|--help) usage ;;
    -*) echo "unknown option: $1" >&2; usage 2 >&2 ;;
    *) names+=("$1") ;;
  esac
  shift
done
for name in "${names[@]}"; do
  if $course; then
    [ -n "${COURSE_FROM[$name]+set}" ] || { echo "unknown course image: $name (one of: ${COURSE_ALL[*]})" >&2; exit 2; }
  else
    [ -n "${DIR[$name]:-}" ] || { echo "unknown image: $name (one of: ${ALL[*]})" >&2; exit 2; }
  fi
done
if $course; then
  [ ${#names[@]} -gt 0 ] || names=("${COURSE_ALL[@]}")
  [ ${#tags[@]} -gt 0 ] || tags=(release0 release0-5)
else
  [ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
  [ ${#tags[@]} -gt 0 ] || tags=("$PRODUCTION_TAG")
  [ ${#tags[@]} -eq 1 ] || { echo "one --tag for the production images (several only with --course)" >&2; exit 2; }
fi
! $published || $prebuilt || { echo "--published goes with --prebuilt (the images made from that publish)" >&2; exit 2; }
! $from_build || $publish_only || { echo "--from-build goes with --publish-only (the test command's publish)" >&2; exit 2; }
if $list; then
  ! $course || { echo "--list lists the production images (the course's are built from them by this script)" >&2; exit 2; }
  for name in "${names[@]}"; do
    line="$name ${DOCKERFILE[$name]}"
    for arg in $(dockerfile_args "$name"); do line+=" --build-arg $arg"; done
    echo "$line"
  done
  exit 0
fi
for tag in "${tags[@]}"; do
  [ "$tag" != latest ] || { echo "refusing the tag 'latest': images are tagged with a version or a commit" >&2; exit 2; }
done

docker_cmd=("${DOCKER:-docker}")
if [ -z "${DOCKER:-}" ] && ! docker buildx version >/dev/null 2>&1 && [ -x /usr/bin/docker ] \
   && [ "$(command -v docker)" != /usr/bin/docker ]; then
  docker_cmd=(env DOCKER_BUILDKIT=1 /usr/bin/docker)
fi

# The architecture the host publish is for: the images built here run on this machine's architecture.
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

# The host publish of the given .NET images, in one MSBuild invocation for each kind of publish (framework-dependent,
# then self-contained: trimmed and AOT side by side, each project as its file says): the libraries they share are
# compiled once per kind and the projects side by side, instead of a `dotnet publish` (start-up, restore, evaluation)
# per image. A solution filter of their projects; --artifacts-path keeps this Release build's bin/obj apart from the working tree's, so a running local Fleetman or an
# IDE build is not disturbed. Same publish options as the Dockerfiles' build stage. Each project's output is then
# artifacts/build/publish/<project>/release_<rid>/.
publish_dotnet() { # name...
  [ $# -gt 0 ] || return 0
  local name framework=() self_contained=()
  for name in "$@"; do
    if [ "$(publish_kind_of "$name")" = framework-dependent ]; then framework+=("$name"); else self_contained+=("$name"); fi
  done
  # Framework-dependent: no native launcher, `dotnet app.dll` runs the assembly linked to.
  publish_kind framework-dependent "${framework[@]}"
  # Self-contained: trimmed (the runtime's trimmed assemblies beside the app's, the launcher is the entry point) and
  # AOT (the native executable is); the trimmer's and the AOT compiler's warnings are errors (the repository's
  # TreatWarningsAsErrors). Native AOT links with clang: scripts/test.sh installs it.
  publish_kind self-contained "${self_contained[@]}"
}

publish_kind() { # framework-dependent|self-contained name...
  local kind=$1 name out from filter=artifacts/publish-images-$1.slnf projects=() how where
  shift
  [ $# -gt 0 ] || return 0
  ! $from_build || ask_target_framework "${DIR[$1]}/${PROJECT[$1]}.csproj"
  for name in "$@"; do
    projects+=("\"${DIR[$name]}/${PROJECT[$name]}.csproj\"")
    # Only what this publish writes: no file left over from an earlier one.
    rm -rf "$(publish_dir "$name")"
  done
  mkdir -p artifacts/publish
  printf '{"solution":{"path":"../Fleetman.sln","projects":[%s]}}\n' "$(IFS=,; echo "${projects[*]}")" >"$filter"
  if [ "$kind" = self-contained ]; then how=(--self-contained); else how=(--self-contained false -p:UseAppHost=false); fi
  if $from_build; then
    # As the working tree's build (no commit in the version): its libraries are up to date, the services are compiled
    # for their runtime beside its output (bin/Release/<tfm>/<rid>/, which nothing else uses), without the analyzers
    # that build ran on the same sources (AnalyzedInBuild, Directory.Build.props: the same code, half the compile).
    where=(-p:AnalyzedInBuild=true)
  else
    # The commit in the services' informational version (/version, telemetry), as a plain build leaves it out
    # (Directory.Build.props): an image says which commit it was built from.
    where=(--artifacts-path artifacts/build -p:IncludeSourceRevisionInInformationalVersion=true)
  fi
  echo "==> dotnet publish ($kind) $* -> artifacts/publish/<name>"
  local began=$SECONDS
  if $from_build && [ "$kind" = framework-dependent ]; then
    # Nothing to compile: the build's own assemblies (obj/Release/<tfm>/, hence no runtime in the output path), with
    # the runtime's package assets (a restore for it: the native libraries of this architecture only, as a compile
    # for it gives). The same files as that compile's publish; only the deps file keeps the build's other-platform
    # entries, which the host skips.
    dotnet restore "$filter" -r "linux-$arch" -nologo
    dotnet publish "$filter" -c Release -r "linux-$arch" "${how[@]}" --no-build -p:AppendRuntimeIdentifierToOutputPath=false -nologo
  else
    dotnet publish "$filter" -c Release -a "$arch" "${how[@]}" "${where[@]}" -nologo
  fi
  # Each kind's time in the log: where a slow publish spends it (docs/testing.md has the image tests' phases).
  echo "==> dotnet publish ($kind): done after $((SECONDS - began)) s"
  for name in "$@"; do
    out=artifacts/publish/$name
    rm -rf "$out"
    mv "$(publish_dir "$name")" "$out"
    # The entry point of services/Dockerfile, as its build stage makes it: app.dll (run by dotnet) or app (the
    # launcher or the native executable), linked to the service.
    [ "${DOCKERFILE[$name]}" = services/Dockerfile ] || continue
    if [ "$kind" = self-contained ]; then ln -s "${PROJECT[$name]}" "$out/app"; else ln -s "${PROJECT[$name]}.dll" "$out/app.dll"; fi
  done
}

# Where `dotnet publish` of an image's project puts its output, before it is moved to artifacts/publish/<name>/.
publish_dir() { # name
  if $from_build; then
    echo "${DIR[$1]}/bin/Release/${TARGET_FRAMEWORK:?}/linux-$arch/publish"
  else
    echo "artifacts/build/publish/${PROJECT[$1]}/release_linux-$arch"
  fi
}

# TARGET_FRAMEWORK: the target framework the .NET projects build for (publish_dir's with --from-build), as MSBuild
# evaluates it (Directory.Build.props sets it for all of them): asked once, of the given project.
ask_target_framework() { # project
  [ -z "${TARGET_FRAMEWORK:-}" ] || return 0
  TARGET_FRAMEWORK=$(dotnet msbuild "$1" -getProperty:TargetFramework -nologo)
  [ -n "$TARGET_FRAMEWORK" ] || { echo "MSBuild names no TargetFramework for $1" >&2; exit 1; }
}

# Into a folder of its own, not webapp/dist: that one is the developer's and the tests' (the edge serves it, ./fleetman
# and the browser tests run against it), and a build empties it first; the image tests once rebuilt it under a browser
# test that was serving it.
publish_webapp() {
  echo "==> npm ci (unless installed from this lock file) && npm run build -> artifacts/publish/webapp"
  # shellcheck disable=SC2119 # no extra npm arguments
  webapp_dependencies
  mkdir -p artifacts/publish
  (cd webapp && npm run build -- --outDir ../artifacts/publish/webapp --emptyOutDir)
}

# The .NET services' publish that an earlier --publish-only made, checked instead of made (--published).
check_published() { # name...
  local name
  for name in "$@"; do
    [ -d "artifacts/publish/$name" ] || { echo "--published: no artifacts/publish/$name (run scripts/build-images.sh --publish-only first)" >&2; exit 1; }
  done
}

if $publish_only; then
  ! $course || { echo "--publish-only publishes the production images' services (the course's are made from them)" >&2; exit 2; }
  dotnet=()
  for name in "${names[@]}"; do [ "$name" = webapp ] || dotnet+=("$name"); done # the webapp's is npm run build
  publish_dotnet "${dotnet[@]}"
  exit 0
fi

# Image builds go side by side, at most JOBS at a time (BuildKit builds concurrently, and most of a build with the
# host's publish waits on the context's transfer and the layer cache), each with its output in a log of its own that
# is printed, in the order given, once all have ended; any failure fails the script after every build has ended.
JOBS=4
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
started=()
in_background() { # id command...
  local id=$1 log=$logs/${#started[@]}
  shift
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  started+=("$id")
  (
    begun=$SECONDS
    if "$@" >"$log.log" 2>&1; then status=0; else status=$?; fi
    echo "==> $id: exit code $status after $((SECONDS - begun)) s" >>"$log.log"
    echo "$status" >"$log.status"
  ) &
}
wait_for_all() {
  wait
  local i failed=()
  for i in "${!started[@]}"; do
    cat "$logs/$i.log"
    [ "$(cat "$logs/$i.status")" = 0 ] || failed+=("${started[$i]}")
  done
  rm -f "$logs"/*
  started=()
  [ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]} (their output is above)" >&2; exit 1; }
}

images=()
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"

# The production images, each from its Dockerfile's final stage or, with --prebuilt, from one host publish of them all.
build_production() { # registry-prefix tag name...
  local prefix=$1 tag=$2 name image target=final dotnet=() args
  shift 2
  if $prebuilt; then
    for name in "$@"; do [ "$name" = webapp ] || dotnet+=("$name"); done
    if $published; then check_published "${dotnet[@]}"; else publish_dotnet "${dotnet[@]}"; fi
    for name in "$@"; do [ "$name" != webapp ] || publish_webapp; done
    target=prebuilt
  fi
  for name in "$@"; do
    image="${prefix}fleetman/$name:$tag"
    args=()
    for arg in $(dockerfile_args "$name"); do args+=(--build-arg "$arg"); done
    echo "==> ${docker_cmd[*]} build --target $target -t $image -f ${DOCKERFILE[$name]} ${args[*]} ."
    in_background "$image" "${docker_cmd[@]}" build --target "$target" -t "$image" -f "${DOCKERFILE[$name]}" "${args[@]}" \
      --label "org.opencontainers.image.version=$tag" --label "org.opencontainers.image.revision=$revision" .
    images+=("$image")
  done
  wait_for_all
}

# The release a course tag stands for: release0-5 -> 0-5 (the course's tags), any other tag as it is.
release_of() { local tag=$1; tag=${tag#release}; printf '%s' "${tag#-}"; }

build_course() { # name tag
  local name=$1 tag=$2 image dockerfile context args=()
  image="${registry:+$registry/}fleetman-course/$name:$tag"
  # The queue's configuration is production's (k8s/base/activemq/); the others copy from images, not the context.
  case $name in
    webapp)
      dockerfile=deploy/course-images/webapp/Dockerfile context=deploy/course-images/webapp
      args=(--build-arg "GATEWAY_IMAGE=fleetman/gateway:$PRODUCTION_TAG" --build-arg "WEBAPP_IMAGE=fleetman/webapp:$PRODUCTION_TAG"
        --build-arg "BASE_IMAGE=$COURSE_BASE") ;;
    queue) dockerfile=deploy/course-images/queue/Dockerfile context=k8s/base/activemq ;;
    # The four .NET services share one Dockerfile: the production image and the assembly to run differ.
    *)
      dockerfile=deploy/course-images/service/Dockerfile context=deploy/course-images/service
      args=(--build-arg "APP_IMAGE=fleetman/$name:$PRODUCTION_TAG" --build-arg "ASSEMBLY=${PROJECT[$name]}"
        --build-arg "BASE_IMAGE=$COURSE_BASE") ;;
  esac
  echo "==> ${docker_cmd[*]} build -t $image -f $dockerfile $context (release $(release_of "$tag"))"
  in_background "$image" "${docker_cmd[@]}" build -t "$image" -f "$dockerfile" "${args[@]}" \
    --build-arg "RELEASE=$(release_of "$tag")" \
    --label "org.opencontainers.image.version=$tag" --label "org.opencontainers.image.revision=$revision" "$context"
  images+=("$image")
}

if $course; then
  # Each production image once, however many course images are made from it; local names, never pushed from here.
  declare -A built=()
  from_images=()
  for name in "${names[@]}"; do
    for from in ${COURSE_FROM[$name]}; do
      [ -n "${built[$from]:-}" ] || { from_images+=("$from"); built[$from]=1; }
    done
  done
  $from_built || build_production "" "$PRODUCTION_TAG" "${from_images[@]}"
  # The .NET course images' shared base (the official ASP.NET image with wget, user 1654, port 8080), before them:
  # local like the production images, its layers inside every image built on it.
  if [ ${#from_images[@]} -gt 0 ]; then
    echo "==> ${docker_cmd[*]} build -t $COURSE_BASE deploy/course-images/base"
    "${docker_cmd[@]}" build -t "$COURSE_BASE" deploy/course-images/base
  fi
  images=()
  for name in "${names[@]}"; do
    for tag in "${tags[@]}"; do build_course "$name" "$tag"; done
  done
  wait_for_all
else
  build_production "${registry:+$registry/}" "${tags[0]}" "${names[@]}"
fi

if $push; then
  for image in "${images[@]}"; do "${docker_cmd[@]}" push "$image"; done
fi

echo "Built:"
printf '  %s\n' "${images[@]}"
