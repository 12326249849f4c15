#!/usr/bin/env bash
# Role scaling benchmark: one versus two `sluice run` processes of each role against one broker (the
# broker and S3 store of `sluice dev --roles ingest`, in their own JVM, ports 18080/19092/19000), and
# what each role costs in CPU per 100k records/s, on this machine:
#   ingest:    wrk posts 100 records of ~200 B per request to each ingest process (32 connections each);
#              records/s from wrk, CPU of the ingest processes over the measured run
#   processor: N records filled beforehand into the pipeline's topic, then 1 or 2 processor processes
#   sink:      N records filled beforehand into the pipeline's output topic, then 1 or 2 sink processes
#              (gzip NDJSON objects of 50,000 records)
# The processor and sink figures are taken between 20% and 80% of the way (RoleRate), leaving out
# start-up. The broker, the store and the load generator share the same cores: on a 2-core box a second
# process of a role cannot add much, and the figures say how much it does.
# Prints figures; asserts nothing. Usage: benchmarks/roles.sh [records] [seconds]   (default 1000000, 20)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
records="${1:-1000000}"
seconds="${2:-20}"
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
fi

. benchmarks/lib.sh
start_broker benchmarks/roles.yaml
tick=$(getconf CLK_TCK)
children=()
trap 'kill "${children[@]}" "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$data"' EXIT

# Starts `sluice run --roles $1` for one pipeline ($2, with extra settings $3) as process number $4.
launch() {
  local config="$data/$2-$4.yaml"
  cat > "$config" <<YAML
pipelines:
  - { name: $2, partitions: 4$3 }
kafka: { bootstrapServers: 127.0.0.1:19092 }
storage: { endpoint: http://127.0.0.1:19000, accessKey: sluice, secretKey: sluice-dev-secret }
YAML
  java -Xmx1g -jar sluice-server/target/sluice.jar run --roles "$1" --config "$config" --data-dir "$data/$2-$4" \
    --http-port $((18080 + $4)) --admin-port $((18090 + $4)) > "$data/$2-$4.log" 2>&1 &
  children+=($!)
  pids+=($!)
}
# Waits until processes 1..$1 answer /healthz.
await_healthy() {
  for i in $(seq 1 "$1"); do
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$((18090 + i))/healthz" >/dev/null && continue 2; sleep 1; done
    cat "$data"/*-"$i".log; echo "process $i did not start" >&2; exit 1
  done
}
stop_children() { kill "${children[@]}" 2>/dev/null || true; wait "${children[@]}" 2>/dev/null || true; children=(); }
cpu_ticks() { local sum=0; for pid in "$@"; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$sum"; }

echo "== ingest (HTTP, 100 records of ~200 B per request, 32 connections per process)"
post() {  # seconds process-number [output]
  RECORDS=100 wrk -t1 -c32 -d"$1s" -s benchmarks/wrk-post.lua "http://127.0.0.1:$((18080 + $2))/ingest/in" > "${3:-/dev/null}"
}
for n in 1 2; do
  pids=()
  for i in $(seq 1 "$n"); do launch ingest in ", backpressure: { maxBacklogRecords: 1000000000, maxBacklogBytes: 1000GB }" "$i"; done
  await_healthy "$n"
  load=(); for i in $(seq 1 "$n"); do post 5 "$i" & load+=($!); done; wait "${load[@]}"   # warm-up
  before=$(cpu_ticks "${pids[@]}")
  load=(); for i in $(seq 1 "$n"); do post "$seconds" "$i" "$data/wrk-$i.txt" & load+=($!); done; wait "${load[@]}"
  after=$(cpu_ticks "${pids[@]}")
  # Requests wrk counted but Sluice did not accept (429, 5xx) are not records: subtract them.
  cat "$data"/wrk-*.txt | awk -v n="$n" -v ticks=$((after - before)) -v tick="$tick" -v s="$seconds" \
    '/Requests\/sec/ { rps += $2 } /Non-2xx or 3xx responses/ { bad += $NF }
     END { if (bad > 0) printf "  %d requests were not accepted\n", bad;
       rps -= bad / s; rate = rps * 100; cores = ticks / tick / s;
       printf "  %d process%s: %.0f records/s using %.2f cores = %.2f cores per 100k records/s\n", n, n == 1 ? "" : "es", rate, cores, cores / (rate / 100000) }'
  rm -f "$data"/wrk-*.txt
  stop_children
done

label() { [ "$1" = 1 ] && echo "1 process" || echo "$1 processes"; }
echo "== processor ($records records filled beforehand, no transforms)"
for n in 1 2; do
  java -Xmx1g -cp "$cp" dev.sluice.benchmarks.SinkDrain fill --bootstrap 127.0.0.1:19092 --pipeline "p$n" --input --records "$records" >/dev/null
  pids=()
  for i in $(seq 1 "$n"); do launch processor "p$n" "" "$i"; done
  await_healthy "$n"
  java -cp "$cp" dev.sluice.benchmarks.RoleRate --bootstrap 127.0.0.1:19092 --group "sluice-p$n-processor" --topic "p$n" \
    --pids "$(IFS=,; echo "${pids[*]}")" --label "$(label "$n")"
  stop_children
done

echo "== sink ($records records filled beforehand, gzip NDJSON objects of 50,000 records)"
for n in 1 2; do
  java -Xmx1g -cp "$cp" dev.sluice.benchmarks.SinkDrain fill --bootstrap 127.0.0.1:19092 --pipeline "s$n" --records "$records" >/dev/null
  pids=()
  for i in $(seq 1 "$n"); do launch sink "s$n" ", sink: { batch: { maxRecords: 50000, maxDuration: 30s } }" "$i"; done
  await_healthy "$n"
  java -cp "$cp" dev.sluice.benchmarks.RoleRate --bootstrap 127.0.0.1:19092 --group "s$n-sink" --topic "s$n.out" \
    --pids "$(IFS=,; echo "${pids[*]}")" --label "$(label "$n")"
  stop_children
done
