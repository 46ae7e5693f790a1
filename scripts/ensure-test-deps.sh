#!/usr/bin/env bash
# Makes sure the programs the integration tests start are installed: redis-server and
# memcached. Tests start their own servers on free loopback ports; nothing here starts a
# service. As root it installs what is missing with apt-get; otherwise it names what to
# install and fails.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v memcached >/dev/null 2>&1 || missing+=(memcached)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged services on install; the tests never use them.
  exit 0
fi
echo "ensure-test-deps: the tests need ${missing[*]}; install them, e.g. sudo apt-get install -y ${missing[*]}" >&2
exit 1
