#!/usr/bin/env bash
# Processor benchmark. Starts `sluice dev --roles ingest` (the broker, in its own JVM) on ports
# 18080/19092/19000 with benchmarks/processor.yaml, fills each pipeline's topic with N records of
# ~200 B, and runs each pipeline's processor (exactly_once_v2, one stream thread) in a fresh JVM that
# first processes a warm-up pipeline of the same shape, unmeasured:
#   t0: no transforms (the JSON-object check only)
#   t1: one transform (DropBots)
#   t3: three (DropBots, RedactEmails, EnrichFromLookup on an empty table)
# Prints figures; asserts nothing. Usage: benchmarks/processor.sh [records]   (default 1000000)
# JFR_DIR=<dir> records a flight recording of each run there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
records="${1:-1000000}"

. benchmarks/lib.sh
start_broker benchmarks/processor.yaml

for n in 0 1 3; do
  java -Xmx1g -cp "$cp" dev.sluice.benchmarks.SinkDrain fill --bootstrap 127.0.0.1:19092 --pipeline "t$n" --input --records "$records"
  java -Xmx1g -cp "$cp" dev.sluice.benchmarks.SinkDrain fill --bootstrap 127.0.0.1:19092 --pipeline "w$n" --input --records 200000
done
for n in 0 1 3; do
  jfr=""
  [ -n "${JFR_DIR:-}" ] && jfr="-XX:StartFlightRecording=filename=$JFR_DIR/t$n.jfr,settings=profile"
  java -Xmx1g $jfr -cp "$cp" dev.sluice.benchmarks.ProcessorDrain --config benchmarks/processor.yaml --pipeline "t$n" \
    --warmup-pipeline "w$n" --bootstrap 127.0.0.1:19092 2>&1 | grep -v " INFO \| WARN " | sed 's/^/  /'
done
