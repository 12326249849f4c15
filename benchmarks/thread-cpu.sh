#!/usr/bin/env bash
# Where a JVM's CPU goes, by thread: CPU seconds each group of threads used over a window, from
# /proc/PID/task/*/stat (user + system time; threads grouped by name without their trailing number, so
# the four ingest lanes are one line). Cheap enough to run beside a load without changing it, unlike a
# profiler. Optionally divides by a count (e.g. the records a fixed-size load sends in the window) for µs
# of CPU per unit. Linux keeps the first 15 characters of a thread's name.
# Usage: benchmarks/thread-cpu.sh PID SECONDS [UNITS]
#   e.g. benchmarks/thread-cpu.sh "$(pgrep -f 'sluice.jar dev')" 15 &  RECORDS=100 wrk -d15s ...
set -euo pipefail
pid=$1 seconds=$2 units=${3:-0}

snapshot() {  # one line per thread: "group ticks"
  { cat /proc/"$pid"/task/*/stat 2>/dev/null || true; } |
    awk '{ name = substr($0, index($0, "(") + 1); name = substr(name, 1, length(name) - length(substr(name, index(name, ") "))))
           rest = substr($0, index($0, ") ") + 2); split(rest, f, " ")
           sub(/[-_ ]?[0-9]+$/, "", name); gsub(/ /, "_", name); print name, f[12] + f[13] }'
}

start=$(date +%s%N)
before=$(snapshot)
sleep "$seconds"
after=$(snapshot)
seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.2f", ns / 1e9 }')  # the window, snapshots included
hz=$(getconf CLK_TCK)
used=$({ echo "$before" | sed 's/^/B /'; echo "$after" | sed 's/^/A /'; } |
  awk '$1 == "B" { b[$2] += $3 } $1 == "A" { a[$2] += $3 }
       END { for (g in a) if (a[g] > b[g]) print a[g] - b[g], g }' | sort -rn)
echo "$used" | awk -v hz="$hz" -v units="$units" -v seconds="$seconds" '
  { ticks[NR] = $1; group[NR] = $2; total += $1 }
  END {
    per = units > 0 ? sprintf(", %.2f µs per unit", total / hz / units * 1e6) : ""
    printf "%.2f CPU seconds in %.2f s (%.2f cores)%s\n", total / hz, seconds, total / hz / seconds, per
    for (i = 1; i <= NR; i++) {
      per = units > 0 ? sprintf(" %8.2f µs/unit", ticks[i] / hz / units * 1e6) : ""
      printf "  %7.2f s %5.1f%%%s  %s\n", ticks[i] / hz, 100 * ticks[i] / total, per, group[i]
    }
  }'
