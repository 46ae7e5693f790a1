#!/usr/bin/env bash
# Runs every Fuzz* target in the module, one `go test -fuzz` per target (go test
# allows only one at a time).
#
# The budget is either a duration (10s, 5m) or an execution count (20000x).
# CI uses a count: a duration becomes a context deadline inside Go's fuzzing
# coordinator, and that coordinator can report "context deadline exceeded" as a
# failure at the deadline with no crasher at all (a known race in
# internal/fuzz). A count has no wall-clock deadline, so a CI failure here means
# a real failing input.
#
# A real finding always writes testdata/fuzz/<target>/<hash>; a failure without
# one is a harness failure and is retried once before it fails the run.
set -euo pipefail
budget=${1:-10s}
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_target() { # pkg target
  go test -run='^$' -fuzz="^$2\$" -fuzztime="$budget" "$1" >"$log" 2>&1
}

count=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' || true)
  for target in $targets; do
    echo "fuzz: $pkg $target ($budget)"
    if ! run_target "$pkg" "$target"; then
      if grep -q 'Failing input written to' "$log"; then
        cat "$log"; exit 1
      fi
      echo "fuzz: $target failed without a failing input; retrying once:"
      sed 's/^/  | /' "$log"
      if ! run_target "$pkg" "$target"; then
        cat "$log"; exit 1
      fi
    fi
    tail -1 "$log"
    count=$((count + 1))
  done
done
echo "fuzz: $count targets ran for $budget each"
