#!/usr/bin/env bash
# gflow, nfdump and DuckDB answering the same questions about the same flows, in one run.
#
# Load 2 of ../shared/docs/BENCH.md: nf9send feeds nfcapd on the loopback; nfdump's CSV of what
# nfcapd stored becomes (1) a gflow repository (bench/gfilter-nfconv), (2) a DuckDB database file
# (bench/duckdb, a Go module of its own so that the tools never link DuckDB), while nfcapd's files
# are rewritten with LZ4 (nfdump -r … -y -w …), nfdump's compact storage. The queries:
#
#   top-N       gfilter --type=all --proto=0-255 --pass=stdout | gstats --fields=sip --values=bytes --count=20
#               nfdump -R DIR -s srcip/bytes -n 20
#               SELECT sa, sum(bytes) b FROM f GROUP BY sa ORDER BY b DESC LIMIT 20
#   filtered    gfilter --type=all --proto=6 --dport=443 --pass=stdout | gstats --fields=dip --values=bytes --count=20
#               nfdump -R DIR 'proto tcp and dst port 443' -s dstip/bytes -n 20
#               SELECT da, sum(bytes) … WHERE pr = 6 AND dp = 443 …
#   5-tuple     … | gstats --fields=sip,dip,sport,dport,protocol --values=bytes --count=20
#               nfdump -R DIR -A srcip,dstip,srcport,dstport,proto -O bytes -n 20
#   bins-300    … | gcount --bin-size=300 --load-scheme=start-spike --skip-zeroes (nfdump has no such query)
#               SELECT time_bucket(INTERVAL 300 SECOND, ts), count(*), sum(bytes), sum(packets) …
#
# Each command runs once to warm the page cache and to check that the three answers agree (the
# top-20 keys and bytes; for the 5-tuple, whose top 20 is all ties, the bytes), then RUNS rounds
# in alternation: gflow, nfdump, DuckDB. Whole-process wall and CPU (user+system, all processes
# of a pipeline) by /usr/bin/time; medians are printed, and gflow's ratio to DuckDB.
#
# Needs: Go and the module proxy (DuckDB's module carries its static library; the first build
# takes a minute), Debian's nfdump package, /usr/bin/time, ../shared/tools/nf9send.
# Environment: COUNT (flows, default 10500000), RATE (800000), DURATION (20), RUNS (5), WORK
# (scratch directory, default a new one under /tmp, removed unless KEEP=1; an existing WORK keeps
# what an earlier run stored there and only builds what is missing), SHARED (../shared), PORT
# (9995), QUERIES (default "top-N filtered 5-tuple bins-300"), BASELINE (a git revision: its
# gflow is built too and timed in the same alternation, for before/after figures).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-10500000}
RATE=${RATE:-800000}
DURATION=${DURATION:-20}
RUNS=${RUNS:-5}
SHARED=${SHARED:-../shared}
PORT=${PORT:-9995}
QUERIES=${QUERIES:-top-N filtered 5-tuple bins-300}
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d /tmp/gflow-peers.XXXXXX)
  [ "${KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
fi
BIN=$WORK/bin
mkdir -p "$BIN"

command -v nfcapd >/dev/null || { echo "peers.sh: nfdump is not installed (apt-get install nfdump)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "peers.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
go build -o "$BIN/" ./cmd/gfilter ./cmd/gstats ./cmd/gcount ./bench/gfilter-nfconv
(cd bench/duckdb && go build -o "$BIN/duckflows" .)
if [ -n "${BASELINE:-}" ]; then
  rm -rf "$WORK/baseline" && mkdir -p "$WORK/baseline/bin"
  git archive "$BASELINE" | tar -x -C "$WORK/baseline"
  (cd "$WORK/baseline" && go build -o bin/ ./cmd/gfilter ./cmd/gstats ./cmd/gcount)
fi

# --- the flows, each store made only if missing --------------------------------------------------
if [ ! -s "$WORK/flows.csv" ]; then
  (cd "$SHARED/tools/nf9send" && go build -o "$BIN/nf9send" .)
  [ "$(id -u)" != 0 ] || sysctl -qw net.core.rmem_max=33554432 || true
  rm -rf "$WORK/nfcapd" && mkdir -p "$WORK/nfcapd"
  nfcapd -w "$WORK/nfcapd" -b 127.0.0.1 -p "$PORT" -B 16777216 -t 3600 >"$WORK/nfcapd.log" 2>&1 &
  nfpid=$!
  sleep 1
  "$BIN/nf9send" -addr "127.0.0.1:$PORT" -rate "$RATE" -duration "$DURATION" -count "$COUNT" \
    -hosts 50000 -seed 7
  sleep 2
  kill -TERM "$nfpid"
  wait "$nfpid" || true
  nfdump -R "$WORK/nfcapd" -q -o csv >"$WORK/flows.csv.tmp"
  mv "$WORK/flows.csv.tmp" "$WORK/flows.csv"
fi
if [ ! -d "$WORK/nfcapd-lz4" ]; then
  mkdir -p "$WORK/nfcapd-lz4.tmp"
  for f in "$WORK"/nfcapd/nfcapd.2*; do
    nfdump -r "$f" -y -w "$WORK/nfcapd-lz4.tmp/$(basename "$f")"
  done
  mv "$WORK/nfcapd-lz4.tmp" "$WORK/nfcapd-lz4"
fi
if [ ! -d "$WORK/gflow" ]; then
  rm -rf "$WORK/gflow.tmp"
  "$BIN/gfilter-nfconv" -root "$WORK/gflow.tmp" <"$WORK/flows.csv"
  mv "$WORK/gflow.tmp" "$WORK/gflow"
fi
if [ ! -s "$WORK/flows.duckdb" ]; then
  rm -f "$WORK/flows.duckdb.tmp"
  "$BIN/duckflows" load -db "$WORK/flows.duckdb.tmp" -csv "$WORK/flows.csv"
  mv "$WORK/flows.duckdb.tmp" "$WORK/flows.duckdb"
fi

# the days the repository holds (exporters' clocks put some flows far in the past)
days=$(cd "$WORK/gflow" && find . -mindepth 4 -maxdepth 4 -type d | cut -d/ -f3-5 | sort -u)
dates="--start-date=$(echo "$days" | head -1) --end-date=$(echo "$days" | tail -1)"
gfilter="'$BIN/gfilter' --data-rootdir='$WORK/gflow' $dates --type=all"
flows=$(wc -l <"$WORK/flows.csv")
perflow() { echo "scale=1; $(du -sb "$1" | cut -f1) / $flows" | bc; }

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "flows: $flows; bytes/flow on disk: gflow $(perflow "$WORK/gflow"), nfdump LZ4 $(perflow "$WORK/nfcapd-lz4"), DuckDB $(perflow "$WORK/flows.duckdb")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure CMD: run the shell snippet CMD, output discarded; print "wall cpu" in seconds
measure() {
  /usr/bin/time -f '%e %U %S' -o "$WORK/time" bash -c "$1" >/dev/null
  awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$WORK/time"
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# Normalise each tool's answer to "key... bytes" lines (keys dotted, then bytes), sorted.
norm_gstats() { # $1: number of key fields
  awk -F'|' -v k="$1" 'NF > k && $1 !~ /[A-Za-z]/ { gsub(/ /, ""); s = $1; for (i = 2; i <= k + 1; i++) s = s " " $i; print s }' | sort
}
norm_nfdump_stat() { awk -F, 'NF > 10 && $5 ~ /^[0-9.]+$/ {print $5, $10}' | sort; }
norm_nfdump_agg() { awk -F, 'NF > 20 && $4 ~ /^[0-9.]+$/ {p = $8; if (p == "TCP") p = 6; else if (p == "UDP") p = 17; else if (p == "ICMP") p = 1; print $4, $5, $6, $7, p, $13}' | sort; }
norm_duck() { tr '|' ' ' | sort; }
norm_gcount() { awk -F'|' 'NF > 3 && $1 !~ /[A-Za-z]/ { gsub(/ /, ""); printf "%.0f %.0f %.0f %.0f\n", $1, $2, $3, $4 }' | sort; }
lastcol() { awk '{print $NF}' | sort -g; }

[ -z "${BASELINE:-}" ] || echo "baseline: gflow at $BASELINE ($(git rev-parse --short "$BASELINE")), timed in the same rounds"
printf '\n%-9s | %-15s | %-15s | %-15s | %-15s | %s\n' query "gflow wall/CPU" "baseline" "nfdump wall/CPU" "DuckDB wall/CPU" "gflow/DuckDB wall, CPU"
results=()
for q in $QUERIES; do
  case $q in
  top-N)
    g="$gfilter --proto=0-255 --pass=stdout | '$BIN/gstats' --fields=sip --values=bytes --count=20"
    n="nfdump -R '$WORK/nfcapd-lz4' -s srcip/bytes -n 20 -N -q -o csv"
    d="'$BIN/duckflows' query -db '$WORK/flows.duckdb' top-sip"
    gn="norm_gstats 1" nn=norm_nfdump_stat cmp=all ;;
  filtered)
    g="$gfilter --proto=6 --dport=443 --pass=stdout | '$BIN/gstats' --fields=dip --values=bytes --count=20"
    n="nfdump -R '$WORK/nfcapd-lz4' 'proto tcp and dst port 443' -s dstip/bytes -n 20 -N -q -o csv"
    d="'$BIN/duckflows' query -db '$WORK/flows.duckdb' filtered-dip"
    gn="norm_gstats 1" nn=norm_nfdump_stat cmp=all ;;
  5-tuple)
    g="$gfilter --proto=0-255 --pass=stdout | '$BIN/gstats' --fields=sip,dip,sport,dport,protocol --values=bytes --count=20"
    n="nfdump -R '$WORK/nfcapd-lz4' -A srcip,dstip,srcport,dstport,proto -O bytes -n 20 -N -q -o csv"
    d="'$BIN/duckflows' query -db '$WORK/flows.duckdb' five-tuple"
    gn="norm_gstats 5" nn=norm_nfdump_agg cmp=bytes ;;
  bins-300)
    g="$gfilter --proto=0-255 --pass=stdout | '$BIN/gcount' --bin-size=300 --load-scheme=start-spike --skip-zeroes --epoch-slots"
    n=""
    d="'$BIN/duckflows' query -db '$WORK/flows.duckdb' bins-300"
    gn=norm_gcount nn="" cmp=all ;;
  *) echo "peers.sh: no query $q" >&2; exit 2 ;;
  esac
  # warm-up and agreement
  bash -c "$g" | $gn >"$WORK/$q.gflow"
  bash -c "$d" | norm_duck >"$WORK/$q.duckdb"
  [ -z "$n" ] || bash -c "$n" | $nn >"$WORK/$q.nfdump"
  agree=agree
  for peer in duckdb nfdump; do
    [ -f "$WORK/$q.$peer" ] || continue
    if [ "$cmp" = bytes ]; then
      cmp -s <(lastcol <"$WORK/$q.gflow") <(lastcol <"$WORK/$q.$peer") || agree="DIFFER from $peer"
    else
      cmp -s "$WORK/$q.gflow" "$WORK/$q.$peer" || agree="DIFFER from $peer"
    fi
    [ -s "$WORK/$q.gflow" ] || agree="gflow printed nothing"
  done
  : >"$WORK/$q.times"
  b=""
  [ -z "${BASELINE:-}" ] || b=${g//"$BIN/"/"$WORK/baseline/bin/"}
  for _ in $(seq "$RUNS"); do
    echo "gflow $(measure "$g")" >>"$WORK/$q.times"
    [ -z "$b" ] || echo "baseline $(measure "$b")" >>"$WORK/$q.times"
    [ -z "$n" ] || echo "nfdump $(measure "$n")" >>"$WORK/$q.times"
    echo "duckdb $(measure "$d")" >>"$WORK/$q.times"
  done
  med() { awk -v t="$1" -v c="$2" '$1 == t {print $c}' "$WORK/$q.times" | median; }
  gw=$(med gflow 2) gc=$(med gflow 3) dw=$(med duckdb 2) dc=$(med duckdb 3)
  nf="-" base="-"
  [ -z "$n" ] || nf="$(med nfdump 2) / $(med nfdump 3)"
  [ -z "$b" ] || base="$(med baseline 2) / $(med baseline 3)"
  printf '%-9s | %-15s | %-15s | %-15s | %-15s | %.2f×, %.2f×  (answers %s)\n' "$q" "$gw / $gc" "$base" "$nf" "$dw / $dc" \
    "$(echo "$gw / $dw" | bc -l)" "$(echo "$gc / $dc" | bc -l)" "$agree"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(seconds, median of $RUNS in alternation; CPU is user+system of every process of the command)"
