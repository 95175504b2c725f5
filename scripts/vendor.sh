#!/usr/bin/env bash
# Front-end libraries from the npm registry at pinned versions, copied with their licences into
# lyceum/web/static/vendor/ and committed (DESIGN.md): a fresh machine needs no Node.js.
# Run it again after changing a version here; it checks each tarball's integrity (SHA-512 from
# the registry) before copying anything.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/lyceum/web/static/vendor"
REGISTRY="${NPM_REGISTRY:-https://registry.npmjs.org}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# name version files-to-copy (paths inside the package)
fetch() {
  local name="$1" version="$2"; shift 2
  local meta="$WORK/$name.json" tarball="$WORK/$name.tgz"
  curl -fsSL "$REGISTRY/$name/$version" -o "$meta"
  local url integrity
  url="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dist"]["tarball"])' "$meta")"
  integrity="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dist"]["integrity"])' "$meta")"
  curl -fsSL "$url" -o "$tarball"
  local actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "$name@$version: integrity mismatch" >&2
    exit 1
  fi
  mkdir -p "$WORK/$name" "$VENDOR/$name"
  tar -xzf "$tarball" -C "$WORK/$name"
  for file in "$@"; do
    cp "$WORK/$name/package/$file" "$VENDOR/$name/"
  done
  echo "$name@$version" > "$VENDOR/$name/VERSION"
  echo "vendored $name@$version"
}

# axe-core: the accessibility rules the browser tests run on every page (tests only).
fetch axe-core 4.14.1 axe.min.js LICENSE
# hls.js: adaptive (HLS) playback of lesson videos through Media Source Extensions.
fetch hls.js 1.7.4 dist/hls.min.js LICENSE
