#!/usr/bin/env bash
# Builds Fleetman's container images: fleetman/<name>:<tag>.
#
#   scripts/build-images.sh [--prebuilt] [--tag T] [--registry R] [--push] [name...]
#
#   (default)     docker build of each Dockerfile's final stage: the SDK and node images restore, build and publish
#                 inside the build. Needs network access to NuGet and npm from inside `docker build`.
#   --prebuilt    publish on this machine first (dotnet publish into artifacts/publish/<name>/, npm ci + npm run build
#                 into webapp/dist/), then build each Dockerfile's `prebuilt` stage, which only copies that output
#                 onto the runtime image. For machines whose builds cannot reach the package registries.
#   --tag T       image tag (default 1.0.0; CI passes the commit). Never `latest`.
#   --registry R  prefix, e.g. 123456789012.dkr.ecr.eu-west-2.amazonaws.com: R/fleetman/<name>:<tag>
#   --push        docker push every image built
#   name...       some of: position-simulator queue-consumer position-tracker api-gateway gateway webapp
#                 load-generator (default all)
#
# DOCKER (default: docker) is the CLI to use. Without buildx, Debian's docker.io CLI (/usr/bin/docker) still has
# BuildKit built in; it is used when the first docker on PATH has neither (BuildKit skips stages a target does not
# need). The Dockerfiles work with the legacy builder too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ALL=(position-simulator queue-consumer position-tracker api-gateway gateway webapp load-generator)
declare -A DIR=(
  [position-simulator]=services/position-simulator [queue-consumer]=services/queue-consumer
  [position-tracker]=services/position-tracker [api-gateway]=services/api-gateway [gateway]=gateway [webapp]=webapp
  [load-generator]=tools/Fleetman.LoadGenerator)
declare -A PROJECT=(
  [position-simulator]=Fleetman.PositionSimulator [queue-consumer]=Fleetman.QueueConsumer
  [position-tracker]=Fleetman.PositionTracker [api-gateway]=Fleetman.ApiGateway [gateway]=Fleetman.Gateway
  [load-generator]=Fleetman.LoadGenerator)

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

prebuilt=false tag=1.0.0 registry="" push=false names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prebuilt) prebuilt=true ;;
    --tag) tag="${2:?--tag needs a value}"; shift ;;
    --registry) registry="${2:?--registry needs a value}"; shift ;;
    --push) push=true ;;
    -h|--help) usage ;;
    -*) echo "unknown option: $1" >&2; usage 2 >&2 ;;
    *) [ -n "${DIR[$1]:-}" ] || { echo "unknown image: $1 (one of: ${ALL[*]})" >&2; exit 2; }; names+=("$1") ;;
  esac
  shift
done
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
[ "$tag" != latest ] || { echo "refusing the tag 'latest': images are tagged with a version or a commit" >&2; exit 2; }

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

publish_dotnet() {
  local name=$1 out=artifacts/publish/$1
  echo "==> dotnet publish ${PROJECT[$name]} -> $out"
  rm -rf "$out"
  # --artifacts-path keeps this Release build's bin/obj apart from the working tree's, so a running local
  # Fleetman or an IDE build is not disturbed. Same publish options as the Dockerfiles' build stage.
  dotnet publish "${DIR[$name]}/${PROJECT[$name]}.csproj" -c Release -a "$arch" --self-contained false \
    -p:UseAppHost=false --artifacts-path artifacts/build -o "$out" -nologo
}

publish_webapp() {
  echo "==> npm ci && npm run build -> webapp/dist"
  (cd webapp && npm ci --no-audit --no-fund && npm run build)
}

images=()
for name in "${names[@]}"; do
  if $prebuilt; then
    if [ "$name" = webapp ]; then publish_webapp; else publish_dotnet "$name"; fi
  fi
  image="${registry:+$registry/}fleetman/$name:$tag"
  target=final
  $prebuilt && target=prebuilt
  echo "==> ${docker_cmd[*]} build --target $target -t $image -f ${DIR[$name]}/Dockerfile ."
  "${docker_cmd[@]}" build --target "$target" -t "$image" -f "${DIR[$name]}/Dockerfile" \
    --label "org.opencontainers.image.version=$tag" \
    --label "org.opencontainers.image.revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)" .
  images+=("$image")
done

if $push; then
  for image in "${images[@]}"; do "${docker_cmd[@]}" push "$image"; done
fi

echo "Built:"
printf '  %s\n' "${images[@]}"
