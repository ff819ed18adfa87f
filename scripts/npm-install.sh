#!/usr/bin/env bash
# npm-install.sh DIR: prints the path of a node_modules/ folder installed
# from DIR's package.json and package-lock.json, installing it first when
# missing: `npm ci` (the lock's exact tree, no install scripts) into a cache
# directory outside the repository, once per lock file, shared by every
# checkout. MINIBASE_CACHE overrides the cache.
#
# The tests that deploy what CloudBase developers have on disk use it: a
# function folder after `npm install wx-server-sdk` is tens of megabytes of
# node_modules/, too much to vendor, so the folder's package.json and
# package-lock.json are committed (functions/testdata/cloudbase-*/) and
# its node_modules/ comes from the npm registry the first time.
set -euo pipefail
dir=${1:?usage: scripts/npm-install.sh DIR (a folder with package.json and package-lock.json)}
[ -f "$dir/package.json" ] && [ -f "$dir/package-lock.json" ] || {
  echo "npm-install.sh: $dir needs a package.json and a package-lock.json" >&2
  exit 2
}
cache=${MINIBASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minibase}
key=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -c1-16)
out=$cache/npm/$(basename "$dir")-$key
if [ ! -d "$out/node_modules" ]; then
  mkdir -p "$cache/npm"
  if command -v flock >/dev/null; then  # test packages may ask at the same time
    exec 9>"$cache/npm/install.lock"
    flock 9
  fi
  if [ ! -d "$out/node_modules" ]; then
    echo "npm-install.sh: installing $(basename "$dir")'s packages into $out (once)" >&2
    tmp=$(mktemp -d "$cache/npm/install.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    cp "$dir/package.json" "$dir/package-lock.json" "$tmp/"
    (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
    rm -rf "$out"
    mv "$tmp" "$out"
  fi
fi
echo "$out/node_modules"
