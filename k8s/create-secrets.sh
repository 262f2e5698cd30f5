#!/usr/bin/env bash
# Creates the Secrets Fleetman's Kubernetes manifests read (docs/deployment-reference.md, "Secrets"), each value
# random, in the given namespace (default: fleetman), which it creates if it is missing. Run it before the first
# `kubectl apply -k`.
#
#   k8s/create-secrets.sh [namespace]
#
# A Secret that already exists is kept as it is, so running this again changes nothing: the stores and the broker
# keep the credentials they were set up with (MongoDB's root user is created once, with the first password). To
# change one, delete the Secret (and, for MongoDB, its volumes) and run this again.
#
# Needs kubectl, pointed at the cluster, and openssl. Passwords are never printed, nor passed on a command line:
# they go from openssl into files only this user can read, and from there to kubectl. The values are hex, so they
# can be put into URLs, connection strings and configuration files without escaping.
set -euo pipefail

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
  -*)
    usage >&2
    exit 2
    ;;
esac
[[ $# -le 1 ]] || {
  usage >&2
  exit 2
}

namespace=${1:-fleetman}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

die() {
  echo "create-secrets: $*" >&2
  exit 1
}

command -v kubectl >/dev/null || die "kubectl is needed (https://kubernetes.io/docs/tasks/tools/)"
command -v openssl >/dev/null || die "openssl is needed (apt-get install openssl)"
kubectl version --request-timeout=10s >/dev/null 2>&1 || die "kubectl cannot reach a cluster (kubectl config current-context)"

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 24 random bytes as 48 hex characters (192 bits).
password() {
  openssl rand -hex 24 | tr -d '\n' >"$work/$1"
}

literal() { # file, value (not secret: a user name)
  printf '%s' "$2" >"$work/$1"
}

if kubectl get namespace "$namespace" >/dev/null 2>&1; then
  echo "kept    namespace/$namespace"
elif [[ $namespace == fleetman ]]; then
  # The base's own Namespace object (with its Pod Security labels), so `kubectl apply -k` later updates it quietly.
  kubectl apply -f "$here/base/namespace.yaml" >/dev/null
  echo "created namespace/$namespace"
else
  kubectl create namespace "$namespace" >/dev/null
  echo "created namespace/$namespace"
fi

# secret NAME KEY... : creates NAME from the files $work/NAME.KEY unless NAME exists; an existing one is checked
# for the keys only.
secret() {
  local name=$1 key missing=()
  shift
  if kubectl -n "$namespace" get secret "$name" >/dev/null 2>&1; then
    for key in "$@"; do
      [[ -n $(kubectl -n "$namespace" get secret "$name" -o "jsonpath={.data.$key}") ]] || missing+=("$key")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
      echo "kept    secret/$name, but it lacks ${missing[*]}: delete it and run this again" >&2
    else
      echo "kept    secret/$name"
    fi
    return 0
  fi
  local args=()
  for key in "$@"; do
    args+=("--from-file=$key=$work/$name.$key")
  done
  kubectl -n "$namespace" create secret generic "$name" "${args[@]}" >/dev/null
  kubectl -n "$namespace" label secret "$name" app.kubernetes.io/part-of=fleetman >/dev/null
  echo "created secret/$name"
}

# The broker's connection user: ActiveMQ, the simulator, the consumers, the api-gateways.
literal activemq-credentials.username fleetman
password activemq-credentials.password
secret activemq-credentials username password

# MongoDB's root user (created by the replica set's first member) and the members' shared key file: base64
# characters, 1008 of them (MongoDB accepts 6 to 1024).
literal mongodb-credentials.username root
password mongodb-credentials.password
openssl rand -base64 756 | tr -d '\n' >"$work/mongodb-credentials.keyfile"
secret mongodb-credentials username password keyfile

# The MongoDB exporter's own user (monitoring components: roles clusterMonitor and read on local, never root),
# created by the replica set's first member.
literal mongodb-exporter-credentials.username exporter
password mongodb-exporter-credentials.password
secret mongodb-exporter-credentials username password

# Redis (requirepass): the consumers, the tracker, the api-gateways.
password redis-credentials.password
secret redis-credentials password

# The edge's admin routes (user admin) and ActiveMQ's web console: one password for both.
password gateway-admin.password
secret gateway-admin password

# The monitoring component's Grafana.
literal grafana-admin.username admin
password grafana-admin.password
secret grafana-admin username password

# The logging component's Elasticsearch: `elastic` (people, and the set-up of the others), `kibana_system`
# (Kibana), `fluent-bit` (the log shipper, which may only write log indices).
password elasticsearch-credentials.elastic-password
password elasticsearch-credentials.kibana-system-password
password elasticsearch-credentials.fluent-bit-password
secret elasticsearch-credentials elastic-password kibana-system-password fluent-bit-password

cat <<EOF

The Secrets are in namespace $namespace. The admin password (user admin: the edge's /admin routes and the ActiveMQ
web console) is read with:
  kubectl -n $namespace get secret gateway-admin -o jsonpath='{.data.password}' | base64 -d; echo
Grafana's (user admin) and Elasticsearch's (user elastic) the same way: secret grafana-admin, key password;
secret elasticsearch-credentials, key elastic-password.
EOF
