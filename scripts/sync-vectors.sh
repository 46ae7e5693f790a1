#!/usr/bin/env bash
# Copies the published cross-SDK test vectors from ../shared/vectors (or the folder
# given as $1) into testdata/vectors, refusing to copy anything whose SHA-256 does not
# match the SHA256SUMS published beside it. The vectors are data owned by the protocol
# maintainers: this script is the only thing that should ever write testdata/vectors.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$here/../shared/vectors}
dst=$here/testdata/vectors

if [ ! -f "$src/SHA256SUMS" ]; then
  echo "sync-vectors: no SHA256SUMS in $src" >&2
  exit 1
fi
(cd "$src" && sha256sum --check --strict --quiet SHA256SUMS) || {
  echo "sync-vectors: checksum mismatch in $src; nothing copied" >&2
  exit 1
}
mkdir -p "$dst"
while read -r _ name; do
  install -m 0644 "$src/$name" "$dst/$name"
done < "$src/SHA256SUMS"
install -m 0644 "$src/SHA256SUMS" "$dst/SHA256SUMS"
[ -f "$src/README.md" ] && install -m 0644 "$src/README.md" "$dst/README.md"
(cd "$dst" && sha256sum --check --strict --quiet SHA256SUMS)
echo "sync-vectors: $(wc -l < "$dst/SHA256SUMS") files verified and copied to testdata/vectors"
