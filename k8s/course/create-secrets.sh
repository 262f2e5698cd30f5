#!/usr/bin/env bash
# Creates the Secret fleetman-credentials that the course's manifests read (k8s/course/), with random passwords.
# Run it once, in chapter 02 (the queue pod is the first to need it), before any chapter that starts the queue.
#
#   k8s/course/create-secrets.sh [--namespace NS]      (default namespace: default)
#
# Keys: queue-username, queue-password (the broker's one user: the queue and every service that connects to it),
# admin-password (user admin: the ActiveMQ web console and the edge's /admin routes), redis-password,
# mongodb-username, mongodb-password (MongoDB's root user), mongodb-keyfile (the shared key the members of chapter
# 20's replica set prove themselves to each other with), mongodb-exporter-username, mongodb-exporter-password (the
# user chapter 20's MongoDB exporters read with: monitoring roles only, never root).
#
# Running it again changes nothing that exists: a key already in the Secret keeps its value, only missing keys are
# added. That matters for MongoDB: its root user is created once, with the password of the first start, and a
# persistent volume (chapter 07) keeps it. To change a password, delete the Secret (and the MongoDB volume's data)
# and run this again.
#
# Needs kubectl pointed at the cluster ($KUBECTL if set, e.g. from scripts/install-kube-tools.sh --env), and
# openssl or /dev/urandom. Passwords are hex (URL-safe: they go into connection strings unescaped), are never
# printed and never appear on a command line: they go through files only this user can read.
set -euo pipefail

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}
# A command line it does not understand: the usage on stderr, exit status 2.
usage_error() {
  usage >&2
  exit 2
}

namespace=default
while [[ $# -gt 0 ]]; do
  case $1 in
    -n | --namespace)
      [[ $# -ge 2 && -n $2 ]] || usage_error
      namespace=$2
      shift 2
      ;;
    --namespace=*)
      namespace=${1#--namespace=}
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error ;;
  esac
done

readonly secret_name=fleetman-credentials
kubectl=${KUBECTL:-kubectl}

die() {
  echo "create-secrets: $*" >&2
  exit 1
}

command -v "$kubectl" >/dev/null || die "kubectl is needed (https://kubernetes.io/docs/tasks/tools/)"
"$kubectl" version --request-timeout=10s >/dev/null 2>&1 ||
  die "kubectl cannot reach a cluster (is minikube running? kubectl config current-context)"

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 24 random bytes as 48 hex characters (192 bits).
# MongoDB's key file: base64 characters only, 6 to 1,024 of them; 756 random bytes give 1,008.
random_keyfile() {
  if command -v openssl >/dev/null; then
    openssl rand -base64 756 | tr -d '\n'
  else
    head -c 756 /dev/urandom | base64 | tr -d '\n'
  fi
}

random_hex() {
  if command -v openssl >/dev/null; then
    openssl rand -hex 24 | tr -d '\n'
  else
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'
  fi
}

if ! "$kubectl" get namespace "$namespace" >/dev/null 2>&1; then
  "$kubectl" create namespace "$namespace" >/dev/null
  echo "created namespace/$namespace"
fi

existing=false
if "$kubectl" -n "$namespace" get secret "$secret_name" >/dev/null 2>&1; then
  existing=true
fi

# Every key's value into $work/<key>: the Secret's own value when it has one, a new one otherwise.
added=()
value_of() { # key, new value (written only when the Secret lacks the key)
  local key=$1 new=$2 current=""
  if $existing; then
    current=$("$kubectl" -n "$namespace" get secret "$secret_name" \
      -o "go-template={{index .data \"$key\"}}" 2>/dev/null || true)
    # go-template's answer for a key the Secret does not have.
    if [[ $current == "<no value>" ]]; then
      current=""
    fi
  fi
  if [[ -n $current ]]; then
    printf '%s' "$current" | base64 -d >"$work/$key"
  else
    printf '%s' "$new" >"$work/$key"
    added+=("$key")
  fi
}

# User names are not secret; the broker's and ActiveMQ console's rules allow letters, digits and . _ - only.
value_of queue-username fleetman
value_of queue-password "$(random_hex)"
value_of admin-password "$(random_hex)"
value_of redis-password "$(random_hex)"
value_of mongodb-username root
value_of mongodb-password "$(random_hex)"
value_of mongodb-keyfile "$(random_keyfile)"
value_of mongodb-exporter-username exporter
value_of mongodb-exporter-password "$(random_hex)"

if [[ ${#added[@]} -eq 0 ]]; then
  echo "kept    secret/$secret_name in namespace $namespace (it has every key)"
else
  args=()
  for key in queue-username queue-password admin-password redis-password mongodb-username mongodb-password \
    mongodb-keyfile mongodb-exporter-username mongodb-exporter-password; do
    args+=("--from-file=$key=$work/$key")
  done
  # The manifest goes from kubectl to kubectl on a pipe: no value on a command line. create or replace, not
  # apply: apply would copy every value into the last-applied-configuration annotation.
  if $existing; then
    "$kubectl" -n "$namespace" create secret generic "$secret_name" "${args[@]}" --dry-run=client -o yaml |
      "$kubectl" -n "$namespace" replace -f - >/dev/null
    echo "updated secret/$secret_name in namespace $namespace: added ${added[*]}"
  else
    "$kubectl" -n "$namespace" create secret generic "$secret_name" "${args[@]}" --dry-run=client -o yaml |
      "$kubectl" -n "$namespace" create -f - >/dev/null
    echo "created secret/$secret_name in namespace $namespace"
  fi
fi

cat <<EOF

The ActiveMQ web console (and, from chapter 05, the edge's /admin routes): user admin, password from
  kubectl -n $namespace get secret $secret_name -o jsonpath='{.data.admin-password}' | base64 -d; echo
EOF
