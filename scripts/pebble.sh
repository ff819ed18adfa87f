#!/usr/bin/env bash
# Prints the path of pebble, Let's Encrypt's ACME test server, which the
# HTTPS tests (server/https_test.go) get certificates from, installing it
# first when missing: `go install` of the pinned release into a cache
# directory outside the repository, once, shared by every checkout.
# MINIBASE_CACHE overrides the cache.
#
# pebble's own test certificate and key (which it serves its directory
# with) come with its module; the tests find them in the module cache, or
# in the copies this script keeps beside the binary.
set -euo pipefail
PEBBLE_VERSION=v2.10.3
cache=${MINIBASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minibase}
dir=$cache/pebble-$PEBBLE_VERSION
bin=$dir/pebble
if [ ! -x "$bin" ] || [ ! -f "$dir/test/certs/localhost/cert.pem" ]; then
  mkdir -p "$cache"
  if command -v flock >/dev/null; then  # test packages may ask at the same time
    exec 9>"$cache/pebble.lock"
    flock 9
  fi
  if [ ! -x "$bin" ] || [ ! -f "$dir/test/certs/localhost/cert.pem" ]; then
    echo "pebble.sh: installing pebble $PEBBLE_VERSION into $cache (once)" >&2
    tmp=$(mktemp -d "$cache/install.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && GOBIN="$tmp/bin" CGO_ENABLED=0 go install "github.com/letsencrypt/pebble/v2/cmd/pebble@$PEBBLE_VERSION") >&2
    # The module's source holds the test certificate pebble serves with.
    src=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/letsencrypt/pebble/v2@$PEBBLE_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    mkdir -p "$tmp/out/test/certs/localhost"
    cp "$src/test/certs/localhost/cert.pem" "$src/test/certs/localhost/key.pem" "$tmp/out/test/certs/localhost/"
    cp "$src/test/certs/pebble.minica.pem" "$tmp/out/test/certs/"
    mv "$tmp/bin/pebble" "$tmp/out/pebble"
    rm -rf "$dir"
    mv "$tmp/out" "$dir"
  fi
fi
echo "$bin"
