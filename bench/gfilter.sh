#!/usr/bin/env bash
# Load 2 of ../shared/docs/BENCH.md, the filtered query, side by side on the same flows:
#
#   nfdump -R DIR 'proto tcp and dst port 443' -s dstip/bytes -n 20
#   gfilter --type=all --proto=6 --dport=443 --pass=stdout | gstats --fields=dip --values=bytes --count=20
#
# nf9send feeds nfcapd on the loopback; nfcapd repeats every packet to gflowcap (-R), so both
# stores get the same datagrams. Each query runs once to warm the page cache, then RUNS times;
# the median is reported, as flows stored / seconds.
#
# Needs: Go, Debian's nfdump package (nfcapd, nfdump), ../shared/tools/nf9send.
# Environment: COUNT (flows, default 10500000), RATE (default 800000), DURATION (s, default 20),
# RUNS (default 5), WORK (scratch directory, default a new one under /tmp, removed unless KEEP=1),
# SHARED (default ../shared), PORT (default 9995; PORT+1 is gflowcap's).
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
go build -o "$BIN/" ./cmd/gfilter ./cmd/gstats ./cmd/gflowcap
(cd "$SHARED/tools/nf9send" && go build -o "$BIN/nf9send" .)

if [ "$(id -u)" = 0 ]; then
  sysctl -qw net.core.rmem_max=33554432 || true
fi

# --- store the flows -------------------------------------------------------------------------
nfcapd -w "$WORK/nfcapd" -b 127.0.0.1 -p "$PORT" -B 16777216 -t 3600 -R "127.0.0.1/$((PORT + 1))" \
  >"$WORK/nfcapd.log" 2>&1 &
nfpid=$!
"$BIN/gflowcap" --listen="127.0.0.1:$((PORT + 1))" --data-rootdir="$WORK/gflow" --rcvbuf=16M \
  --stats-interval=0 >"$WORK/gflowcap.log" 2>&1 &
gcpid=$!
sleep 1
day1=$(date -u +%Y/%m/%d)
"$BIN/nf9send" -addr "127.0.0.1:$PORT" -rate "$RATE" -duration "$DURATION" -count "$COUNT" \
  -hosts 50000 -seed 7
sleep 2
kill -TERM "$nfpid" "$gcpid"
wait "$nfpid" "$gcpid" || true
day2=$(date -u +%Y/%m/%d)

dates=(--start-date="$day1" --end-date="$day2")
gflow_flows=$("$BIN/gfilter" --data-rootdir="$WORK/gflow" "${dates[@]}" --type=all --print-stat 2>&1 |
  awk '{print $4+0}')
nfdump_flows=$(nfdump -R "$WORK/nfcapd" -q -o 'fmt:%pr' -n 0 'any' 2>/dev/null | wc -l)
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

nf_q="nfdump -R '$WORK/nfcapd' 'proto tcp and dst port 443' -s dstip/bytes -n 20"
gf_q="'$BIN/gfilter' --data-rootdir='$WORK/gflow' ${dates[*]} --type=all --proto=6 --dport=443 --pass=stdout | '$BIN/gstats' --fields=dip --values=bytes --count=20"

bash -c "$nf_q" >"$WORK/nfdump.out"
bash -c "$gf_q" >"$WORK/gflow.out"
nf_s=$(for _ in $(seq "$RUNS"); do seconds "$nf_q"; done | median)
gf_s=$(for _ in $(seq "$RUNS"); do seconds "$gf_q"; done | median)

printf 'machine: %s, %s cores, load %s\n' "$(uname -m)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %12s %10s %10s %14s\n' peer flows bytes/flow seconds "M flows/s"
printf '%-8s %12d %10.1f %10.3f %14.2f\n' nfdump "$nfdump_flows" \
  "$(echo "$nfdump_bytes / $nfdump_flows" | bc -l)" "$nf_s" "$(echo "$nfdump_flows / $nf_s / 1000000" | bc -l)"
printf '%-8s %12d %10.1f %10.3f %14.2f\n' gflow "$gflow_flows" \
  "$(echo "$gflow_bytes / $gflow_flows" | bc -l)" "$gf_s" "$(echo "$gflow_flows / $gf_s / 1000000" | bc -l)"
printf 'ratio gflow/nfdump (flows/s): %.2f\n' "$(echo "($gflow_flows / $gf_s) / ($nfdump_flows / $nf_s)" | bc -l)"
echo "top 3 destinations, nfdump then gflow:"
grep -m3 -E '^[0-9]{4}-' "$WORK/nfdump.out" || true
sed -n '3,5p' "$WORK/gflow.out"
