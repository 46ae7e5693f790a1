#!/usr/bin/env bash
# Makes sure the programs the integration tests start are installed: redis-server,
# memcached, and npm with the workerd package for the Workers test. Tests start their own
# servers on free loopback ports; nothing here starts a service. As root it installs what
# is missing with apt-get; otherwise it names what to install and fails.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v memcached >/dev/null 2>&1 || missing+=(memcached)
command -v npm >/dev/null 2>&1 || missing+=(npm)

install_workerd() {
  # The Workers test runs Cloudflare's workerd, pinned in workers/package-lock.json.
  here=$(cd "$(dirname "$0")/.." && pwd)
  if [ ! -x "$here/workers/node_modules/.bin/workerd" ]; then
    echo "ensure-test-deps: installing workerd from npm into workers/node_modules"
    (cd "$here/workers" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  install_workerd
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged services on install; the tests never use them.
  install_workerd
  exit 0
fi
echo "ensure-test-deps: the tests need ${missing[*]}; install them, e.g. sudo apt-get install -y ${missing[*]}" >&2
exit 1
