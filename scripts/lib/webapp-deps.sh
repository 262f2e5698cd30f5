# shellcheck shell=bash
# Sourced by scripts/test.sh, scripts/build-images.sh and ./fleetman: the webapp's npm packages, installed with
# `npm ci` only when webapp/node_modules was not installed from this package-lock.json by this Node version. A fresh
# clone (CI) always installs; a second run on a developer's machine skips the reinstall (16–97 s measured here).

# Usage: webapp_dependencies [extra npm ci arguments]   (from the repository's root)
webapp_dependencies() {
  local stamp=webapp/node_modules/.fleetman-installed want
  want="$(sha256sum webapp/package-lock.json | cut -d' ' -f1) node $(node --version)"
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    echo "webapp: node_modules already installed from this package-lock.json (npm ci skipped)"
    return
  fi
  (cd webapp && npm ci --no-audit --no-fund "$@")
  printf '%s\n' "$want" >"$stamp"
}
