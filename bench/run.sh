#!/usr/bin/env bash
# run.sh — run every side-by-side benchmark and write a benchstat-ready results file,
# then the table for BENCHMARKS.md (ops/s and cachekit / peer ratios).
#
# Settings (environment variables):
#   COUNT=5          runs of each benchmark (benchstat wants >= 5 for its confidence intervals)
#   BENCHTIME=1s     go test -benchtime
#   BENCH=.          go test -bench pattern, e.g. 'L1' or 'Redis|Memcached'
#   OUT=results/bench-YYYYmmdd-HHMMSS.txt    results file; the table goes beside it as .md
#   CEILING=1        0 skips redis-benchmark
#
# It starts one redis-server and one memcached on free loopback ports for the whole run,
# so redis-benchmark measures the ceiling against the server the Go benchmarks used.
# With COUNT=1 the whole run takes about 3-4 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")"
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-.}
CEILING=${CEILING:-1}
OUT=${OUT:-results/bench-$(date +%Y%m%d-%H%M%S).txt}
mkdir -p "$(dirname "$OUT")"

# shellcheck source=servers.sh
source ./servers.sh
trap stop_servers EXIT
start_redis
export CACHEKIT_BENCH_REDIS_ADDR=$server_addr
start_memcached
export CACHEKIT_BENCH_MEMCACHED_ADDR=$server_addr
echo "redis-server at $CACHEKIT_BENCH_REDIS_ADDR, memcached at $CACHEKIT_BENCH_MEMCACHED_ADDR" >&2

{
	echo "# cachekit-go side-by-side benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# $(go version); $(nproc) CPUs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
	echo "# $(redis-server --version | cut -d' ' -f1-3); $(memcached -V)"
} >"$OUT"

status=0
go test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" -benchtime "$BENCHTIME" -timeout 0 . | tee -a "$OUT" || status=$?

if [[ $CEILING == 1 ]] && [[ Redis =~ $BENCH ]]; then
	for _ in $(seq "$COUNT"); do
		./redis-ceiling.sh "$CACHEKIT_BENCH_REDIS_ADDR" | tee -a "$OUT"
	done
fi

table=${OUT%.txt}.md
go run ./cmd/benchtable "$OUT" >"$table"
echo
cat "$table"
echo
echo "results: $OUT (compare with: benchstat -col /impl $OUT)"
echo "table:   $table"
if [[ $status != 0 ]]; then
	echo "go test failed (exit $status): see the FAIL lines in $OUT; the table lacks those cases" >&2
fi
exit "$status"
