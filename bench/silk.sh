#!/usr/bin/env bash
# Reading SiLK files: records per second of gfilter --proto=6 --print-statistics (rwfilter's
# measured query in ../shared/docs/BENCH.md, section g of silk-reference.md: 6,969,274
# FT_RWGENERIC records in 1.9-2.6 s, about 3 M records/s; an lzo1x FT_RWIPV6ROUTING file
# read back at about 2.5 M records/s) and of gstats --fields=sip --values=bytes over the same
# files, on flowgen flows written as FT_RWIPV6ROUTING by pkg/silk (uncompressed, zlib and
# snappy; gflow writes no lzo1x), and the same flows in gflow's own hourly file for comparison.
# Each command runs once to warm the page cache, then RUNS times; medians are reported.
#
# Environment: N (records, default 6969274), RUNS (default 5), WORK (scratch directory, default
# a new one under /tmp, removed unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-6969274}
RUNS=${RUNS:-5}
WORK=${WORK:-$(mktemp -d /tmp/gflow-silk-bench.XXXXXX)}
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
go build -o "$WORK/" ./cmd/gfilter ./cmd/gstats ./bench/silkgen
for c in none zlib snappy; do
  [ -f "$WORK/flows-$c.rw" ] || "$WORK/silkgen" -n "$N" -compression "$c" -o "$WORK/flows-$c.rw"
done
[ -f "$WORK/flows.gf" ] || "$WORK/gfilter" --proto=0-255 --pass="$WORK/flows.gf" "$WORK/flows-none.rw" 2>/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # label, command...
  local label=$1; shift
  "$@" >/dev/null 2>&1
  local t
  t=$(for _ in $(seq "$RUNS"); do
        s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc
      done | median)
  printf '%-44s %8.3f s  %6.2f M records/s\n' "$label" "$t" "$(echo "$N / $t / 1000000" | bc -l)"
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $N records; $(nproc) cores"
for f in flows-none.rw flows-zlib.rw flows-snappy.rw flows.gf; do
  echo "$f: $(stat -c %s "$WORK/$f") bytes"
  measure "gfilter --proto=6 --print-statistics $f" "$WORK/gfilter" --proto=6 --print-statistics "$WORK/$f"
  measure "gstats --fields=sip --values=bytes $f" "$WORK/gstats" --fields=sip --values=bytes --count=10 "$WORK/$f"
done
echo "rwfilter --proto=6 --print-stat (BENCH.md): 6969274 FT_RWGENERIC records in 1.9-2.6 s, about 3 M records/s"
