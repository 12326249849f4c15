#!/usr/bin/env bash
# Ingest benchmark. Starts `sluice dev` on ports 18080/19092/19000 with benchmarks/bench.yaml and
# measures, on this machine, with the broker in the same process:
#   1. HTTP, 100 records of ~200 B per request, max rate (wrk, 64 connections)
#   1c. as 1 with 128 connections: as many requests in flight as run 3, and nearer what the ceiling's
#       producer keeps in flight (5)
#   2. HTTP, 1 record per request, max rate (wrk, 64 connections)
#   1k, 2k. as 1 and 2, each request with an Idempotency-Key of its own (what keys cost)
#   3. WebSocket, pipelined frames of 100 records (IngestLoad, 4 connections x 32 frames in flight)
#   4. HTTP, 100 records per request, open loop at half of the batched maximum (the higher of 1 and 1c):
#      ack latency from each request's due time (IngestLoad --rate, 64 connections); 4w. the same over
#      WebSocket
#   5. Kafka's own ProducerPerformance on the same broker (acks=all, 200 B): the ceiling
#   5h. the HTTP stack's own ceiling: run 2's load against a bare Jetty handler that reads the body and
#      answers the ingest 200 body, no Kafka (HttpStackCeiling): the ceiling for single-record requests
# 1-4 run with only the ingest role (processor and sink off) so the figures are the front door's;
# a last run repeats (1) with every role on. Prints figures; asserts nothing.
# Usage: benchmarks/ingest.sh [seconds-per-run]    (default 20; needs wrk, installed from Debian if missing)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${1:-20}"

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
fi
./mvnw -B -q -DskipTests -pl sluice-server,benchmarks -am package

data="$(mktemp -d)"
server=""
start_sluice() {
  rm -rf "$data/run"; : > "$data/sluice.log"
  java -Xmx2g -jar sluice-server/target/sluice.jar dev --data-dir "$data/run" --roles "$1" \
    --http-port 18080 --kafka-port 19092 --s3-port 19000 --config benchmarks/bench.yaml > "$data/sluice.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do grep -q "Stop with Ctrl-C" "$data/sluice.log" && return; kill -0 "$server" 2>/dev/null || break; sleep 1; done
  cat "$data/sluice.log"; echo "sluice did not start" >&2; exit 1
}
stop_sluice() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap 'stop_sluice; rm -rf "$data"' EXIT

url=http://127.0.0.1:18080/ingest/bench
wrk_run() {  # records-per-request connections
  KEYED="${KEYED:-0}" RECORDS=$1 wrk -t1 -c"$2" -d5s -s benchmarks/wrk-post.lua "$url" >/dev/null   # warm-up
  KEYED="${KEYED:-0}" RECORDS=$1 wrk -t1 -c"$2" -d"${seconds}s" --latency -s benchmarks/wrk-post.lua "$url" > "$data/wrk.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$data/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$data/wrk.txt"); p99=$(awk '$1=="99%" {print $2}' "$data/wrk.txt")
  awk -v rps="$rps" -v n="$1" -v p50="$p50" -v p99="$p99" \
    'BEGIN { printf "  requests/s=%.0f  records/s=%.0f  latency p50=%s p99=%s\n", rps, rps * n, p50, p99 }'
  grep -h "non-200" "$data/wrk.txt" || true
  last_rps=${rps%.*}
}
driver() { java -Xmx256m -XX:+UseSerialGC -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" dev.sluice.benchmarks.IngestLoad \
  --url http://127.0.0.1:18080 --pipeline bench --duration "$seconds" "$@" | grep -v '^RESULT'; }

# A running server is warm: every server here is measured once its JIT settled (benchmarks/warm-up.sh).
source benchmarks/warm-up.sh
mixed_load() {  # seconds: runs 1, 2 and 3's loads in turn, so each one's path is compiled
  wrk_load 100 $(($1 / 2))
  wrk_load 1 $(($1 / 4))
  java -Xmx256m -XX:+UseSerialGC -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" dev.sluice.benchmarks.IngestLoad \
    --url http://127.0.0.1:18080 --pipeline bench --warmup 0 --duration "$(($1 / 4))" --mode ws --records 100 --concurrency 4 --window 32 >/dev/null
}

start_sluice ingest
echo "== warm-up: runs 1, 2 and 3's loads until the JIT settled (unmeasured)"
warm_up "$server" mixed_load
echo "== 1. HTTP, 100 records of ~200 B per request (ingest role only)"
wrk_run 100 64
batch_rps=$last_rps
# 64 requests of 20 KB are 1.3 MB in flight; run 3 keeps 128 frames in flight, and Kafka's producer in run 5
# up to 5 requests of up to 256 KB per partition (4 here), about 5 MB. At 64 connections run 1 is bound by
# them (64 / its p50), not by the CPU (2026-11-30: 1.45 of 2 cores busy).
echo "== 1c. As 1, with 128 connections"
wrk_run 100 128
if [ "$last_rps" -gt "$batch_rps" ]; then batch_rps=$last_rps; fi
echo "== 2. HTTP, 1 record per request (ingest role only)"
wrk_run 1 64
echo "== 1k. As 1, each request with an Idempotency-Key"
KEYED=1 wrk_run 100 64
echo "== 2k. As 2, each request with an Idempotency-Key"
KEYED=1 wrk_run 1 64
echo "== 3. WebSocket, pipelined frames of 100 records (ingest role only)"
driver --mode ws --records 100 --concurrency 4 --window 32
echo "== 4. HTTP, 100 records per request, open loop at half of the batched maximum, $batch_rps requests/s"
# The driver is one thread writing pre-built requests (about 6-10% of a core here), and prints its own
# lateness, so a tail it reports is the server's.
driver --mode http --records 100 --concurrency 64 --rate $((batch_rps / 2))
echo "== 4w. WebSocket, the same rate of frames of 100 records, open loop (4 connections)"
driver --mode ws --records 100 --concurrency 4 --window 64 --rate $((batch_rps / 2))
echo "== 5. Kafka's ceiling on this broker: ProducerPerformance, 10M x 200 B, acks=all"
cp="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
java -cp "$cp" dev.sluice.benchmarks.CreateTopic 127.0.0.1:19092 ceiling 4
# 10M records: the producer's own JVM starts cold, and over 3M (about 10 s) its JIT was part of the figure.
for props in "" "batch.size=262144 linger.ms=5"; do
  echo "  producer defaults${props:+ + $props}:"
  java -Xmx1g -cp "$cp" org.apache.kafka.tools.ProducerPerformance --topic ceiling --num-records 10000000 --record-size 200 \
    --throughput -1 --producer-props bootstrap.servers=127.0.0.1:19092 acks=all $props 2>/dev/null | tail -1 | sed 's/^/  /'
done
stop_sluice

echo "== 5h. The HTTP stack's ceiling: run 2's load against a bare Jetty handler, no Kafka (HttpStackCeiling)"
java -Xmx1g -cp "$cp" dev.sluice.benchmarks.HttpStackCeiling --stack jetty --port 18081 > "$data/ceiling.log" 2>&1 &
ceiling=$!
for _ in $(seq 1 30); do grep -q "serving" "$data/ceiling.log" && break; sleep 1; done
url=http://127.0.0.1:18081/ingest/bench
warm_up "$ceiling" wrk_load 1
wrk_run 1 64
kill "$ceiling"; wait "$ceiling" 2>/dev/null || true
url=http://127.0.0.1:18080/ingest/bench

start_sluice ingest,processor,sink
warm_up "$server" wrk_load 100
echo "== 6. As 1, with every role running (processor and sink share the 2 cores)"
wrk_run 100 64
