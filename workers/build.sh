#!/usr/bin/env bash
# Builds the worker into dist/: cachekit.wasm (GOOS=js GOARCH=wasm), Go's wasm_exec.js
# from the same toolchain, and worker.mjs. Deploy dist/ with wrangler (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-dist}"
mkdir -p "$out"
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$out/cachekit.wasm" .
goroot="$(go env GOROOT)"
if [ -f "$goroot/lib/wasm/wasm_exec.js" ]; then
  cp "$goroot/lib/wasm/wasm_exec.js" "$out/"
else
  cp "$goroot/misc/wasm/wasm_exec.js" "$out/" # Go before 1.24
fi
cp worker.mjs "$out/"
echo "built $out/: $(du -h "$out/cachekit.wasm" | cut -f1) of wasm"
