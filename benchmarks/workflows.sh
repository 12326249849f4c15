#!/usr/bin/env bash
# Workflows benchmark. Starts `sluice dev --roles ingest` (the broker and the store, in their own JVM)
# and the workflows engine alone in another (`sluice run --roles workflows`, -Xmx512m, REST on 18090),
# then with benchmarks/workflows.yaml:
#   1. throughput: N instances of a 3-step workflow created over REST in batches of 100, as fast as
#      the driver can: instances/s completed end to end;
#   2. latency: the same at half that rate, open loop: create-to-complete p50/p99 from each batch's due time;
#   3. sleepers: S instances that all sleep until one due time, created at once: how long after due the
#      timers fire, with the engine's heap capped at 512 MB.
# Prints figures; asserts nothing. Usage: benchmarks/workflows.sh [instances] [sleepers]   (default 20000 100000;
# 0 sleepers skips step 3). JFR_DIR=<dir> records a flight recording of the engine there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
instances="${1:-20000}"
sleepers="${2:-100000}"

. benchmarks/lib.sh
start_broker benchmarks/workflows.yaml

engine=""
trap 'kill "$engine" 2>/dev/null || true; wait "$engine" 2>/dev/null || true; kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
cp benchmarks/workflows.yaml "$data/engine.yaml"
printf 'kafka:\n  bootstrapServers: 127.0.0.1:19092\nstorage:\n  endpoint: http://127.0.0.1:19000\n  accessKey: sluice\n  secretKey: sluice-dev-secret\n' >> "$data/engine.yaml"
jfr=""
[ -n "${JFR_DIR:-}" ] && jfr="-XX:StartFlightRecording=filename=$JFR_DIR/engine.jfr,settings=profile"
java -Xmx512m -XX:+ExitOnOutOfMemoryError $jfr -cp "sluice-server/target/sluice.jar:sluice-server/target/lib/*:benchmarks/target/benchmarks.jar" \
  dev.sluice.server.SluiceCli run --roles workflows --config "$data/engine.yaml" --data-dir "$data/wf" --http-port 18090 \
  > "$data/engine.log" 2>&1 &
engine=$!
api=http://127.0.0.1:18090/client/v4/accounts/sluice/workflows
for _ in $(seq 1 120); do curl -sf "$api/three-steps" >/dev/null && break; kill -0 "$engine" 2>/dev/null || break; sleep 1; done
curl -sf "$api/three-steps" >/dev/null || { cat "$data/engine.log"; echo "the engine did not start" >&2; exit 1; }

load() { java -Xmx512m -cp "$cp" dev.sluice.benchmarks.WorkflowLoad --api "$api" --bootstrap 127.0.0.1:19092 "$@" 2>&1 | grep -v " INFO \| WARN "; }

echo "== warm-up (2,000 instances, unmeasured)"
load --workflow three-steps --instances 2000 | sed "s/^/  /"
echo "== throughput: $instances instances of three-steps, as fast as possible"
out=$(load --workflow three-steps --instances "$instances"); echo "$out" | sed 's/^/  /'
max=$(echo "$out" | sed -n 's/.*: \([0-9]*\) instances\/s end to end/\1/p')
half=$(( max / 2 ))
echo "== latency: $instances instances at half that rate ($half/s), open loop"
load --workflow three-steps --instances "$instances" --rate "$half" | sed 's/^/  /'
[ "$sleepers" -gt 0 ] || exit 0
echo "== sleepers: $sleepers instances asleep until one due time, engine heap -Xmx512m"
due=$(( sleepers / 1000 + 60 ))
load --workflow sleep-until --instances "$sleepers" --due-in "$due" --in-flight 4 | sed 's/^/  /'
echo "  engine heap after:"; jcmd "$engine" GC.heap_info 2>/dev/null | sed -n '2,3p' | sed 's/^/    /'
kill -0 "$engine" 2>/dev/null && echo "  engine alive (no OutOfMemoryError)" || echo "  engine DIED: see log" >&2
