# shellcheck shell=bash
# shellcheck disable=SC2154 # NAMESPACE, the metric names and the output helpers come from tools/chaos/lib.sh
# Part of tools/chaos/lib.sh, sourced by it (never on its own): MongoDB's replica-set state, with mongosh inside a member pod.


# mongosh in a member; `hello` needs no login. Bounded: mongosh can hang on a member that is going away.
mongo_eval() { # pod javascript
  bounded 40 kubectl -n "$NAMESPACE" exec "$1" -c mongodb -- mongosh --quiet --norc --eval "$2" 2>/dev/null
}

# The primary's pod name (mongodb-1), asking every member in turn until one knows; nothing when none does.
mongo_primary() {
  local pod host
  for pod in $(pods_of mongodb running); do
    host=$(mongo_eval "$pod" 'print(db.hello().primary || "")' | tail -n1) || continue
    if [[ -n $host ]]; then
      printf '%s\n' "${host%%.*}"
      return 0
    fi
  done
  return 1
}

# rs.status() as "member state health" lines. Logs in as the root user of Secret mongodb-credentials, whose values
# the member's container has in its environment: the password never leaves the pod nor appears on a command line.
mongo_members() { # pod
  mongo_eval "$1" '
    db.getSiblingDB("admin").auth(process.env.MONGO_ROOT_USERNAME, process.env.MONGO_ROOT_PASSWORD);
    rs.status().members.forEach(m => print(m.name.split(".")[0] + " " + m.stateStr + (m.health ? "" : " (unreachable)")));'
}
