#!/usr/bin/env bash
# Sink drain benchmark. Starts `sluice dev --roles ingest` (the broker and S3 store, in their own JVM)
# on ports 18080/19092/19000 with benchmarks/drain.yaml, fills each pipeline's output topic with
# N records of ~200 B, and measures on this machine:
#   1. Kafka's own ConsumerPerformance reading the same topic: the raw consumer ceiling
#   2. the sink draining it into gzip NDJSON objects (exactly-once protocol, default batch limits)
#   3. the same with gzip level 1 instead of the default 6
#   4. the sink draining it into Parquet zstd objects (declared schema)
# Each drain runs in a fresh JVM that first drains 200,000 records of another pipeline unmeasured
# (a running sink is warm: its classes are loaded and compiled, its group joined once before).
# Prints figures; asserts nothing. Usage: benchmarks/sink.sh [records]   (default 1000000)
# JFR_DIR=<dir> records a flight recording of each drain there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
records="${1:-1000000}"

. benchmarks/lib.sh
start_broker benchmarks/drain.yaml

bench() { java -Xmx1g -cp "$cp" "$@"; }
for pipeline in drain drainfast drainpq; do
  bench dev.sluice.benchmarks.SinkDrain fill --bootstrap 127.0.0.1:19092 --pipeline "$pipeline" --records "$records"
done
for pipeline in warmup warmupfast warmuppq; do
  bench dev.sluice.benchmarks.SinkDrain fill --bootstrap 127.0.0.1:19092 --pipeline "$pipeline" --records 200000
done

# drain.out is Topics.output("drain"): Kafka's own tool takes a topic name.
echo "== 1. Kafka's ConsumerPerformance on drain.out ($records records): the raw consumer ceiling"
# Columns: start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch records/s.
bench org.apache.kafka.tools.ConsumerPerformance --bootstrap-server 127.0.0.1:19092 --topic drain.out \
  --messages "$records" --group "perf-$RANDOM" 2>/dev/null | tail -1 | awk -F', *' \
  '{ printf "  %d records: %.0f records/s overall (%.1f MB/s), %.0f records/s once the group was joined (%d ms)\n", $5, $6, $4, $10, $7 }'

n=2
for pipeline in drain drainfast drainpq; do
  case "$pipeline" in drain) warmup=warmup ;; drainfast) warmup=warmupfast ;; *) warmup=warmuppq ;; esac
  jfr=""
  [ -n "${JFR_DIR:-}" ] && jfr="-XX:StartFlightRecording=filename=$JFR_DIR/$pipeline.jfr,settings=profile"
  echo "== $n. the sink draining $pipeline.out"
  java -Xmx1g $jfr -cp "$cp" dev.sluice.benchmarks.SinkDrain drain --config benchmarks/drain.yaml --pipeline "$pipeline" \
    --bootstrap 127.0.0.1:19092 --s3-endpoint http://127.0.0.1:19000 --records "$records" --warmup-pipeline "$warmup" 2>&1 | grep -v " INFO \| WARN " | sed 's/^/  /'
  n=$((n + 1))
done
