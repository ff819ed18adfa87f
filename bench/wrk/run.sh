#!/usr/bin/env bash
# Cross-check of the bench driver with wrk (a lighter client, the one
# PocketBase's benchmarks use): start minibase with the bench data kept
# (go run ./bench -keep …), then: bench/wrk/run.sh http://127.0.0.1:PORT KEY
set -euo pipefail
url=$1; export KEY=$2; here=$(cd "$(dirname "$0")" && pwd)
export IDS=$(mktemp)
trap 'rm -f "$IDS"' EXIT
last=""
for _ in $(seq 1 100); do  # 100 pages of 1000 ids, in _id order
  body='{"projection":{"_id":1},"sort":[["_id",1]],"limit":1000'
  [ -n "$last" ] && body+=',"filter":{"_id":{"$gt":"'$last'"}}'
  page=$(curl -sf -H "Authorization: Bearer $KEY" "$url/v1/db/posts/query" -d "$body}" |
    grep -o '"_id":"[0-9a-f]*"' | cut -d'"' -f4)
  [ -z "$page" ] && break
  echo "$page" >> "$IDS"; last=$(echo "$page" | tail -1)
done
echo "ids: $(wc -l < "$IDS")"
scenarios="create get newest filter"
# hello: when the driver's fn-* scenarios deployed it.
curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "$url/v1/functions/hello/invoke" -d '{}' && scenarios+=" hello"
for s in $scenarios; do
  echo "== $s"
  wrk -t2 -c50 -d8s --latency -s "$here/$s.lua" "$url" | grep -E "Requests/sec|99%|50%|Non-2xx"
done
