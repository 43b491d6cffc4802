#!/usr/bin/env bash
# Load 1 of docs/BENCH.md (ingest): the shared NetFlow v9 sender replays
# synthetic flows on the loopback at rising rates, 5 s each, to gflowcap and,
# in the same run, to nfdump's nfcapd (Debian's nfdump package). For each
# rate and collector it counts what was stored (gflowcap: the repository read
# back; nfcapd: nfdump -I), the CPU seconds the collector used while flows
# arrived (user+system, from 1.5 s after it listens until just before it is
# stopped; the final flush at exit is not counted) and the bytes per flow on
# disk.
#
#   bench/gflowcap.sh                      # default rates
#   RATES="500000 1000000 0" bench/gflowcap.sh   # 0 = as fast as the sender can
#   BASELINE=main~3 bench/gflowcap.sh      # also an older gflowcap, alternating
#
# With BASELINE (a git revision), that revision's gflowcap runs too, as
# gflowcap-base, just before this one at every rate, so a change is measured
# against its predecessor in the same run.
#
# Needs: Go, nfdump (nfcapd, nfdump), ../shared/tools/nf9send, and for 16 MiB
# socket buffers root (it runs sysctl -w net.core.rmem_max=33554432) or that
# limit set already. Results: bench/out/gflowcap-DATE/results.tsv and a
# summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=${SHARED:-../shared}
RATES=${RATES:-"200000 400000 600000 800000 1000000 1200000 1600000 2000000 0"}
DURATION=${DURATION:-5}
PORT_G=${PORT_G:-29055}
PORT_N=${PORT_N:-29056}
OUT=bench/out/gflowcap-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT/bin"

command -v nfcapd >/dev/null || { echo "gflowcap.sh: nfcapd not found (apt-get install nfdump)" >&2; exit 1; }
go build -o "$OUT/bin/gflowcap" ./cmd/gflowcap
go build -o "$OUT/bin/gflowcap_count" bench/gflowcap_count.go
COLLECTORS="gflowcap nfcapd"
if [ -n "${BASELINE:-}" ]; then
  mkdir -p "$OUT/base-src"
  git archive "$BASELINE" | tar -x -C "$OUT/base-src"
  (cd "$OUT/base-src" && go build -o "$OLDPWD/$OUT/bin/gflowcap-base" ./cmd/gflowcap)
  COLLECTORS="gflowcap-base gflowcap nfcapd"
fi
(cd "$SHARED/tools/nf9send" && go build -o "$OLDPWD/$OUT/bin/nf9send" .)

want=33554432
if [ "$(cat /proc/sys/net/core/rmem_max)" -lt "$want" ]; then
  if [ "$(id -u)" = 0 ]; then
    sysctl -qw net.core.rmem_max=$want
  else
    echo "gflowcap.sh: net.core.rmem_max is $(cat /proc/sys/net/core/rmem_max); run: sysctl -w net.core.rmem_max=$want" >&2
  fi
fi
tck=$(getconf CLK_TCK)

# cpu_of PID: user+system seconds so far of a running process.
cpu_of() { awk -v t="$tck" '{ printf "%.2f", ($14+$15)/t }' "/proc/$1/stat"; }

# run_one NAME RATE: start the collector, send, stop it, count.
run_one() {
  local name=$1 rate=$2 dir="$OUT/$1-$2" pid sent stored bytes cpu cpu0
  mkdir -p "$dir/data"
  case $name in
  gflowcap*)
    "$OUT/bin/$name" --listen=127.0.0.1:$PORT_G --data-rootdir="$dir/data" --rcvbuf=16M \
      --stats-interval=0 --flush-interval=5s 2>"$dir/stderr" &
    pid=$!; port=$PORT_G ;;
  nfcapd)
    nfcapd -b 127.0.0.1 -p $PORT_N -w "$dir/data" -t 60 -y -B 16777216 >"$dir/stderr" 2>&1 &
    pid=$!; port=$PORT_N ;;
  esac
  # wait until the collector listens (gflowcap binds before loading its tables)
  for _ in $(seq 100); do
    grep -qi ":$(printf '%04X' "$port") 00000000:0000 07" /proc/net/udp && break
    sleep 0.1
  done
  sleep 1.5                       # startup work (tables, templates) is not ingest
  cpu0=$(cpu_of $pid)
  sent=$("$OUT/bin/nf9send" -addr 127.0.0.1:$port -rate "$rate" -duration "$DURATION" -count 100000000 | sed -n 's/.*sent_flows=\([0-9]*\).*/\1/p')
  sleep 1.5                       # let the collector drain its socket
  cpu=$(awk -v a="$(cpu_of $pid)" -v b="$cpu0" 'BEGIN { printf "%.2f", a - b }')
  kill -TERM $pid; wait $pid || true
  case $name in
  gflowcap*)
    read -r stored bytes < <("$OUT/bin/gflowcap_count" "$dir/data" | sed -n 's/records=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2/p') ;;
  nfcapd)
    stored=$(nfdump -R "$dir/data" -I 2>/dev/null | awk '/^Flows:/ { print $2 }')
    bytes=$(find "$dir/data" -name 'nfcapd.2*' -printf '%s\n' | awk '{ s += $1 } END { print s+0 }') ;;
  esac
  stored=${stored:-0}
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rate" "$sent" "$stored" "$cpu" "$bytes" | tee -a "$OUT/results.tsv"
  rm -rf "$dir/data"
}

printf 'collector\trate\tsent\tstored\tcpu_s\tdisk_bytes\n' | tee "$OUT/results.tsv"
for rate in $RATES; do
  for c in $COLLECTORS; do
    run_one "$c" "$rate"
  done
done

echo
awk -F'\t' 'NR > 1 {
  loss = $3 - $4
  lossp = $3 > 0 ? 100 * loss / $3 : 0
  cpm = $4 > 0 ? $5 / ($4 / 1e6) : 0
  bpf = $4 > 0 ? $6 / $4 : 0
  r = $2 == 0 ? "flat out" : $2
  printf "%-9s %-9s sent %9d stored %9d loss %6.2f%%  %5.2f CPU s/M flows  %5.1f B/flow\n", $1, r, $3, $4, lossp, cpm, bpf
  if (loss == 0 && $2 > best[$1]) best[$1] = $2
  if (loss == 0 && $2 == 0) flat[$1] = $3 / '"$DURATION"'
} END {
  for (c in best) printf "%s: highest target rate with zero loss %d flows/s\n", c, best[c]
  for (c in flat) printf "%s: zero loss flat out at about %.0f flows/s\n", c, flat[c]
}' "$OUT/results.tsv" | tee "$OUT/summary.txt"
