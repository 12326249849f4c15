#!/usr/bin/env bash
# Sustained load with every role on: `sluice dev` (ingest, processor, sink in one process with the broker
# and the S3 store, -Xmx2g, ports 18080/19092/19000, benchmarks/sustained.yaml: objects close after 10 s).
#   1. measures the maximum: wrk, 100 records of ~200 B per request, 64 connections, 15 s (once the JIT
#      settled: benchmarks/warm-up.sh)
#   2. drives half of that rate open-loop for the given minutes (IngestLoad --rate: latency from each
#      request's due time), sampling the process's resident memory (RSS) every 10 s
#   3. reads the event notifications: how long after its oldest record each object was written
#      (must be within maxDuration + 2 s = 12 s)
# Prints figures; asserts nothing. Usage: benchmarks/sustained.sh [minutes] [http|ws]   (default 10, http)
# RATE=<requests/s> offers that rate instead of half the maximum.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
minutes="${1:-10}"
mode="${2:-http}"
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
fi
./mvnw -B -q -DskipTests -pl sluice-server,benchmarks -am package
cp="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
data="$(mktemp -d)"
java -Xmx2g -jar sluice-server/target/sluice.jar dev --data-dir "$data/run" --roles ingest,processor,sink \
  --http-port 18080 --kafka-port 19092 --s3-port 19000 --config benchmarks/sustained.yaml > "$data/sluice.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do grep -q "Stop with Ctrl-C" "$data/sluice.log" && break; kill -0 "$server" 2>/dev/null || break; sleep 1; done
grep -q "Stop with Ctrl-C" "$data/sluice.log" || { cat "$data/sluice.log"; echo "sluice did not start" >&2; exit 1; }
url=http://127.0.0.1:18080/ingest/bench

echo "== 1. maximum with every role on (wrk, 100 records/request, 64 connections, 15 s)"
source benchmarks/warm-up.sh
warm_up "$server" wrk_load 100
max=$(RECORDS=100 wrk -t1 -c64 -d15s -s benchmarks/wrk-post.lua "$url" | awk '/Requests\/sec/ {printf "%d", $2}')
if [ -n "${RATE:-}" ]; then
  rate=$RATE
  echo "  $max requests/s = $((max * 100)) records/s; the sustained run offers RATE=$rate requests/s"
else
  rate=$((max / 2))
  echo "  $max requests/s = $((max * 100)) records/s; the sustained run offers half: $rate requests/s"
fi

metric() { curl -s http://127.0.0.1:18080/metrics | awk -v m="$1" '$1 ~ "^" m "\\{" {s += $2} END {printf "%d", s}'; }
# The processor and the sink trail a maximum run: let them catch up first, or the run measures that backlog.
# (The backlog counts transaction markers too, so it settles near, not at, zero.)
drained() {
  curl -s http://127.0.0.1:18080/metrics | awk '/^sluice_ingest_backlog_records\{/ {b += $2} /^sluice_sink_freshness_seconds\{/ {f += $2}
    END {exit !(b < 1000 && f == 0)}'
}
await_drained() {
  local waited=0
  until drained; do
    [ "$waited" -ge 900 ] && { echo "  the backlog did not drain within 15 min" >&2; exit 1; }
    sleep 1; waited=$((waited + 1))
  done
  echo "  (the processor and the sink caught up after ${waited} s)"
}
await_drained

echo "== 2. $minutes min open-loop at $rate requests/s ($mode), every role on"
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
( while kill -0 "$server" 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ {print $2}' /proc/$server/status) $(metric sluice_ingest_backlog_records)"; sleep 10
  done ) > "$data/rss.txt" &
sampler=$!
if [ "$mode" = ws ]; then extra=(--concurrency 4 --window 64); else extra=(--concurrency 64); fi
java -Xmx256m -XX:+UseSerialGC -cp "$cp" dev.sluice.benchmarks.IngestLoad --url http://127.0.0.1:18080 --pipeline bench \
  --mode "$mode" --records 100 "${extra[@]}" --rate "$rate" --warmup 10 --duration $((minutes * 60)) | grep -v '^RESULT'
kill "$sampler" 2>/dev/null || true
echo "  per minute of the run: resident memory (RSS) of the sluice process in MB, and records not yet in objects"
awk 'NR == 1 {t0 = $1} { m = int(($1 - t0) / 60); if (!(m in rss)) { rss[m] = $2; backlog[m] = $3; order[++n] = m } if ($2 > peak) peak = $2 }
     END { a = "    RSS:    "; b = "    backlog:"; for (i = 1; i <= n; i++) { a = a sprintf(" %d:%.0f", order[i], rss[order[i]] / 1024);
           b = b sprintf(" %d:%d", order[i], backlog[order[i]]) } print a; print b; printf "    RSS peak %.0f MB\n", peak / 1024 }' "$data/rss.txt"

echo "== 3. objects: written how long after their oldest record (limit: maxDuration 10 s + 2 s)"
# Every batch opened during the run closes by duration within 10 s after its first record reached the sink.
await_drained
java -cp "$cp" dev.sluice.benchmarks.ObjectLateness --bootstrap 127.0.0.1:19092 --pipeline bench --since "$start" --limit 12s \
  || echo "  SOME OBJECTS WERE LATE"
