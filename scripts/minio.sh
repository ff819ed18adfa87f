#!/usr/bin/env bash
# Prints the path of the MinIO server the storage tests and benchmarks run
# against, installing it first when missing: `go install` of a pinned MinIO
# into a cache directory outside the repository, once (it takes a few
# minutes), shared by every checkout. MINIBASE_CACHE overrides the cache.
#
# The pin is one MinIO development build, so that every run of the tests
# and of `go run ./bench -storage s3` meets the same server; it builds with
# the Go of go.mod (1.26).
set -euo pipefail
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
cache=${MINIBASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minibase}
bin=$cache/minio-$MINIO_VERSION/minio
if [ ! -x "$bin" ]; then
  mkdir -p "$cache"
  if command -v flock >/dev/null; then  # test packages may ask at the same time
    exec 9>"$cache/minio.lock"
    flock 9
  fi
  if [ ! -x "$bin" ]; then
    echo "minio.sh: installing MinIO $MINIO_VERSION into $cache (once; a few minutes)" >&2
    tmp=$(mktemp -d "$cache/install.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && GOBIN="$tmp/bin" CGO_ENABLED=0 go install "github.com/minio/minio@$MINIO_VERSION") >&2
    mkdir -p "$(dirname "$bin")"
    mv "$tmp/bin/minio" "$bin"
  fi
fi
echo "$bin"
