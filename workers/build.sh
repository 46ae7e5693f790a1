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
# Cloudflare limits a Worker's gzip-compressed size: 3 MiB on the Free plan, 10 MiB on
# the Paid plan. Report the figure that counts: the three files, each gzipped.
raw=0
packed=0
for f in cachekit.wasm wasm_exec.js worker.mjs; do
  raw=$((raw + $(wc -c <"$out/$f")))
  packed=$((packed + $(gzip -9 -c "$out/$f" | wc -c)))
done
echo "built $out/: $raw bytes, $packed gzipped"
if [ "$packed" -gt $((3 << 20)) ]; then
  echo "note: over the Workers Free plan's 3 MiB limit; the Paid plan allows 10 MiB (see README.md)" >&2
fi
