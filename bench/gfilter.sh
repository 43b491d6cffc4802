#!/usr/bin/env bash
# Load 2 of ../shared/docs/BENCH.md, the top-N and the filtered query, side by side on the same
# flows:
#
#   nfdump -R DIR -s srcip/bytes -n 20
#   gfilter --type=all --proto=0-255 --pass=stdout | gstats --fields=sip --values=bytes --count=20
#   nfdump -R DIR 'proto tcp and dst port 443' -s dstip/bytes -n 20
#   gfilter --type=all --proto=6 --dport=443 --pass=stdout | gstats --fields=dip --values=bytes --count=20
#
# nf9send feeds nfcapd on the loopback; nfdump's CSV of what nfcapd stored is turned into a
# gflow repository by bench/gfilter-nfconv, so both sides query exactly the same flows whatever
# the collectors lose on a loaded machine (the collectors themselves are Load 1's business). Each
# query runs once to warm the page cache, then RUNS times; the median is reported, as flows stored
# / seconds, and the two top-20 tables of each query are compared.
#
# Needs: Go, Debian's nfdump package (nfcapd, nfdump), bc, ../shared/tools/nf9send.
# Environment: COUNT (flows, default 10500000), RATE (default 800000), DURATION (s, default 20),
# RUNS (default 5), WORK (scratch directory, default a new one under /tmp, removed unless KEEP=1),
# SHARED (default ../shared), PORT (default 9995), REUSE=1 (query the flows an earlier run left in
# WORK with KEEP=1 instead of storing them again).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-10500000}
RATE=${RATE:-800000}
DURATION=${DURATION:-20}
RUNS=${RUNS:-5}
SHARED=${SHARED:-../shared}
PORT=${PORT:-9995}
WORK=${WORK:-$(mktemp -d /tmp/gflow-bench.XXXXXX)}
BIN=$WORK/bin
mkdir -p "$BIN" "$WORK/nfcapd" "$WORK/gflow"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

command -v nfcapd >/dev/null || { echo "gfilter.sh: nfdump is not installed (apt-get install nfdump)" >&2; exit 1; }
go build -o "$BIN/" ./cmd/gfilter ./cmd/gstats ./bench/gfilter-nfconv
(cd "$SHARED/tools/nf9send" && go build -o "$BIN/nf9send" .)

if [ "$(id -u)" = 0 ]; then
  sysctl -qw net.core.rmem_max=33554432 || true
fi

# --- store the flows -------------------------------------------------------------------------
if [ "${REUSE:-}" = 1 ] && [ -n "$(ls -A "$WORK/gflow")" ]; then
  echo "reusing the flows stored in $WORK"
else
  nfcapd -w "$WORK/nfcapd" -b 127.0.0.1 -p "$PORT" -B 16777216 -t 3600 >"$WORK/nfcapd.log" 2>&1 &
  nfpid=$!
  sleep 1
  "$BIN/nf9send" -addr "127.0.0.1:$PORT" -rate "$RATE" -duration "$DURATION" -count "$COUNT" \
    -hosts 50000 -seed 7
  sleep 2
  kill -TERM "$nfpid"
  wait "$nfpid" || true
  nfdump -R "$WORK/nfcapd" -q -o csv | "$BIN/gfilter-nfconv" -root "$WORK/gflow"
fi

# the days the repository holds (exporters' clocks put some flows far in the past)
days=$(cd "$WORK/gflow" && find . -mindepth 4 -maxdepth 4 -type d | cut -d/ -f3-5 | sort -u)
dates=(--start-date="$(echo "$days" | head -1)" --end-date="$(echo "$days" | tail -1)")
gflow_flows=$("$BIN/gfilter" --data-rootdir="$WORK/gflow" "${dates[@]}" --type=all --print-stat 2>&1 |
  awk '{print $4+0}')
nfdump_flows=$(nfdump -R "$WORK/nfcapd" -s record -n 1 2>/dev/null | awk '/Total flows processed/ {print $4+0}')
gflow_bytes=$(du -sb "$WORK/gflow" | awk '{print $1}')
nfdump_bytes=$(du -sb "$WORK/nfcapd" | awk '{print $1}')

# --- the queries -----------------------------------------------------------------------------
seconds() { # run "$@" (a shell snippet) and print the elapsed seconds
  local t0 t1
  t0=$(date +%s.%N)
  bash -c "$1" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

printf 'machine: %s, %s cores, load %s\n' "$(uname -m)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'flows: nfdump %d (%.1f bytes/flow), gflow %d (%.1f bytes/flow)\n' \
  "$nfdump_flows" "$(echo "$nfdump_bytes / $nfdump_flows" | bc -l)" \
  "$gflow_flows" "$(echo "$gflow_bytes / $gflow_flows" | bc -l)"
printf '%-18s %10s %14s\n' query seconds "M flows/s"

# query NAME NFDUMP-ARGS GFILTER-ARGS GSTATS-FIELD: time both sides, compare their top 20
query() {
  local name=$1 nf_q gf_q nf_s gf_s
  nf_q="nfdump -R '$WORK/nfcapd' $2 -n 20 -N"
  gf_q="'$BIN/gfilter' --data-rootdir='$WORK/gflow' ${dates[*]} --type=all $3 --pass=stdout | '$BIN/gstats' --fields=$4 --values=bytes --count=20"
  bash -c "$nf_q" >"$WORK/nfdump.$name.out"
  bash -c "$gf_q" >"$WORK/gflow.$name.out"
  nf_s=$(for _ in $(seq "$RUNS"); do seconds "$nf_q"; done | median)
  gf_s=$(for _ in $(seq "$RUNS"); do seconds "$gf_q"; done | median)
  printf '%-18s %10.3f %14.2f\n' "nfdump $name" "$nf_s" "$(echo "$nfdump_flows / $nf_s / 1000000" | bc -l)"
  printf '%-18s %10.3f %14.2f\n' "gflow $name" "$gf_s" "$(echo "$gflow_flows / $gf_s / 1000000" | bc -l)"
  printf 'ratio gflow/nfdump (flows/s): %.2f\n' "$(echo "($gflow_flows / $gf_s) / ($nfdump_flows / $nf_s)" | bc -l)"
  # the same top 20 (address and bytes) on both sides?
  awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+\(/) { b = $(i + 4); sub(/\(.*/, "", b); print $(i - 1), b; next } }' \
    "$WORK/nfdump.$name.out" | sort >"$WORK/nfdump.$name.top"
  awk -F'|' 'NF > 2 {gsub(/ /, ""); if ($1 ~ /^[0-9a-f.:]+$/ && $2 ~ /^[0-9]+$/) print $1, $2}' "$WORK/gflow.$name.out" |
    sort >"$WORK/gflow.$name.top"
  if [ -s "$WORK/gflow.$name.top" ] && cmp -s "$WORK/nfdump.$name.top" "$WORK/gflow.$name.top"; then
    echo "$name top 20 by bytes: identical ($(wc -l <"$WORK/gflow.$name.top") rows)"
  else
    echo "$name top 20 by bytes: DIFFERENT"; diff "$WORK/nfdump.$name.top" "$WORK/gflow.$name.top" || true
  fi
}

query top-N "-s srcip/bytes" "--proto=0-255" sip
query filtered "'proto tcp and dst port 443' -s dstip/bytes" "--proto=6 --dport=443" dip
