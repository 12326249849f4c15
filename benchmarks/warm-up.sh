# Sourced by the benchmark scripts: warm a server until its JIT has settled, then measure.
#
# Why: on 2 cores the JVM has one C2 compiler thread, and a sluice dev process (broker, Jetty, producers)
# keeps it busy for minutes under load. 2026-11-29, 100 records per request: 90 s into the load the
# compiler threads still took 45% of a core and the server answered 1,100-1,600 requests/s; once the
# compile time stopped growing (about 3 minutes of load) the same process answered 2,200-3,000. A
# fixed 30 s warm-up measured the JIT, not the server, and made same-build runs minutes apart differ
# by 2x.
#
# warm_up PID COMMAND...: runs COMMAND (a load; its last argument is the round's seconds, 30) in rounds
# until PID's JIT compiled for less than 1.5 s of a round (5%), at most 8 rounds.
# Needs jstat (in every JDK); without it, warms for the 8 rounds.

wrk_load() {  # records-per-request seconds: wrk's load on $url, unmeasured
  RECORDS=$1 wrk -t1 -c64 -d"$2s" -s benchmarks/wrk-post.lua "$url" >/dev/null
}

jit_seconds() {  # the JVM's total compile time so far, in seconds
  jstat -compiler "$1" 2>/dev/null | awk 'NR == 2 {print $4}' || true
}

warm_up() {
  local pid=$1; shift
  local round before after
  for round in 1 2 3 4 5 6 7 8; do
    before=$(jit_seconds "$pid")
    "$@" 30
    after=$(jit_seconds "$pid")
    if [ -n "$before" ] && [ -n "$after" ] && awk -v a="$after" -v b="$before" 'BEGIN { exit !(a - b < 1.5) }'; then
      echo "  (warm after $round rounds of 30 s: the JIT compiled for $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", a - b }') s in the last)"
      return
    fi
  done
  if [ -z "$after" ]; then echo "  (warmed for 8 rounds of 30 s; no jstat to tell when the JIT settled)"; return; fi
  echo "  (warmed for 8 rounds of 30 s; the JIT still compiled for $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", a - b }') s in the last)"
}
