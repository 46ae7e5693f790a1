#!/usr/bin/env bash
# redis-ceiling.sh [HOST:PORT] — the Redis ceiling for BenchmarkRedis: what the server does
# for GET and SET of 1 KiB when the client is redis-benchmark (C, 50 connections, 16
# commands pipelined per connection). With no address it starts its own redis-server on a
# free loopback port and stops it afterwards; run.sh passes the server the Go benchmarks
# used. N (default 200000) is the number of requests per command.
#
# Output is one Go benchmark line per command, so benchstat and cmd/benchtable read it
# beside the Go results: ns/op is 1e9 / (requests per second), a throughput figure like
# the ns/op of the Go benchmarks run in parallel, and ops/s is redis-benchmark's own figure.
set -euo pipefail
cd "$(dirname "$0")"
N=${N:-200000}
addr=${1:-}
if [[ -z $addr ]]; then
	# shellcheck source=servers.sh
	source ./servers.sh
	trap stop_servers EXIT
	start_redis
	addr=$server_addr
fi
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is not installed (apt-get install redis-tools)" >&2; exit 1; }

redis-benchmark -h "${addr%:*}" -p "${addr##*:}" -P 16 -t get,set -d 1024 -n "$N" -q 2>/dev/null |
	tr '\r' '\n' |
	awk -v n="$N" '
		/^(SET|GET): [0-9.]+ requests per second/ {
			op = tolower(substr($1, 1, length($1) - 1))
			printf "BenchmarkRedisCeiling/op=%s/par=50x16/impl=redis-benchmark\t%d\t%.2f ns/op\t%.0f ops/s\n", op, n, 1e9 / $2, $2
			found++
		}
		END { if (found != 2) { print "redis-ceiling: redis-benchmark printed no result" > "/dev/stderr"; exit 1 } }'
