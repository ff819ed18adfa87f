#!/usr/bin/env bash
# wrk cross-check of the file downloads (README, Storage performance):
# uploads a 4 KiB and a 1 MiB file of random bytes to a running server,
# then GETs their public /f/ URLs with wrk -t2 -c50.
#   bench/wrk/files.sh http://127.0.0.1:PORT ADMIN_KEY
set -euo pipefail
url=$1; key=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 4096 /dev/urandom > "$tmp/4k.bin"
head -c 1048576 /dev/urandom > "$tmp/1m.bin"
for f in 4k 1m; do
  curl -sf -o /dev/null -H "Authorization: Bearer $key" -F cloudPath=bench/wrk-$f.bin -F "file=@$tmp/$f.bin" "$url/v1/storage/upload"
done
for f in 4k 1m; do
  echo "== GET $f"
  wrk -t2 -c50 -d8s --latency "$url/f/default/bench/wrk-$f.bin" | grep -E "^Requests/sec|^Transfer/sec| 50% | 99% |Non-2xx"
done
