# Shared by the benchmark scripts (source it after cd to the repository root): builds the server and
# the drivers, and starts `sluice dev --roles ingest` — the broker and the S3 store in their own JVM —
# on ports 18080/19092/19000 with the given pipeline config, stopping it when the script exits.
# Usage: . benchmarks/lib.sh; start_broker benchmarks/drain.yaml

./mvnw -B -q -DskipTests -pl sluice-server,benchmarks -am package
cp="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
data="$(mktemp -d)"
server=""
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

start_broker() {
  java -Xmx1g -jar sluice-server/target/sluice.jar dev --data-dir "$data/run" --roles ingest \
    --http-port 18080 --kafka-port 19092 --s3-port 19000 --config "$1" > "$data/sluice.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do grep -q "Stop with Ctrl-C" "$data/sluice.log" && return; kill -0 "$server" 2>/dev/null || break; sleep 1; done
  cat "$data/sluice.log"; echo "sluice did not start" >&2; exit 1
}
