#!/usr/bin/env bash
# Runs the SDK's benchmarks (root module) with allocation counts and writes the raw
# output to bench-results/sdk-<date>.txt, ready for benchstat. COUNT (default 3) and
# BENCHTIME (default 500ms) tune it; PKGS narrows it (default: every package with
# benchmarks). The peer comparison lives in bench/ (bench/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-3}
benchtime=${BENCHTIME:-500ms}
pkgs=${PKGS:-$(grep -rl --include='*_test.go' '^func Benchmark' . | grep -v '^./bench/' | xargs -n1 dirname | sort -u | tr '\n' ' ')}
mkdir -p bench-results
out=bench-results/sdk-$(date +%Y%m%d-%H%M%S).txt
{
  echo "# $(uname -srm); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "# go $(go env GOVERSION); load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out"
# shellcheck disable=SC2086
go test -run='^$' -bench=. -benchmem -count="$count" -benchtime="$benchtime" $pkgs | tee -a "$out"
echo "wrote $out"
