#!/bin/sh
# Load 2 of ../shared/docs/BENCH.md for gstats, side by side with nfdump, in
# one run on the same flows:
#   1. nf9send sends Load 2's flows to nfcapd on loopback (nfcapd stores them);
#   2. bench/gstatsconv turns what nfcapd stored into one gflow flow file
#      (nfdump -o fmt:… | gstatsconv), so both tools read the SAME flows;
#   3. warm cache, each query runs RUNS times; the median wall time counts:
#        top-N    nfdump -R DIR -s srcip/bytes -n 20
#                 gstats --fields=sip --values=bytes --count=20 FILE
#                 gfilter --proto=0-255 --pass=stdout FILE | gstats … (pipeline)
#        5-tuple  nfdump -R DIR -A srcip,dstip,srcport,dstport,proto -s record/bytes -n 20
#                 gstats --fields=sip,dip,sport,dport,protocol --values=bytes --count=20 FILE
#   4. memory: gstats --fields=sip,sport --values=bytes --count=5 over records
#      with 6.5 M distinct sip,sport bins (peak RSS by /usr/bin/time).
#
# Needs: go, Debian's nfdump (apt-get install -y nfdump), /usr/bin/time.
# Environment: COUNT (flows to send, default 10500000), RATE (800000),
# DURATION (20), RUNS (3), BINS (6500000), BINRECS (7000000), PORT (29995),
# KEEP=1 keeps the work directory, REUSE=DIR reuses the nfcapd files of a
# kept work directory instead of sending again, SRC=worktree builds the
# checkout as it is instead of git HEAD.
set -eu

COUNT=${COUNT:-10500000}
RATE=${RATE:-800000}
DURATION=${DURATION:-20}
RUNS=${RUNS:-3}
BINS=${BINS:-6500000}
BINRECS=${BINRECS:-7000000}
PORT=${PORT:-29995}
export TZ=UTC

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$repo/../shared}
work=$(mktemp -d /tmp/gstats-bench.XXXXXX)
cleanup() {
	[ -f "$work/nfcapd.pid" ] && kill "$(cat "$work/nfcapd.pid")" 2>/dev/null || true
	[ "${KEEP:-}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

command -v nfdump >/dev/null || { echo "gstats.sh: nfdump missing: apt-get install -y nfdump" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "gstats.sh: /usr/bin/time missing: apt-get install -y time" >&2; exit 1; }

echo "== build"
# the committed tree (git HEAD) by default, so a run is reproducible while
# the checkout is being edited; SRC=worktree builds the checkout as it is
src=$repo
if [ "${SRC:-head}" = head ] && git -C "$repo" rev-parse HEAD >/dev/null 2>&1; then
	src=$work/src
	mkdir -p "$src"
	git -C "$repo" archive HEAD | tar -x -C "$src"
	echo "building $(git -C "$repo" rev-parse --short HEAD)"
fi
(cd "$src" && go build -o "$work/gstats" ./cmd/gstats && go build -o "$work/gfilter" ./cmd/gfilter &&
	go build -o "$work/gstatsconv" ./bench/gstatsconv)
cp -r "$shared/tools/nf9send" "$work/nf9send-src"
(cd "$work/nf9send-src" && go build -o "$work/nf9send" .)

if [ -n "${REUSE:-}" ]; then
	echo "== reuse the flows nfcapd stored in $REUSE/nfcapd"
	cp -r "$REUSE/nfcapd" "$work/nfcapd"
else
echo "== store Load 2 with nfcapd (count $COUNT, rate $RATE/s)"
mkdir -p "$work/nfcapd"
sysctl -w net.core.rmem_max=33554432 >/dev/null 2>&1 || true
nfcapd -b 127.0.0.1 -p "$PORT" -w "$work/nfcapd" -B 16777216 -t 3600 >"$work/nfcapd.log" 2>&1 &
echo $! >"$work/nfcapd.pid"
sleep 1
"$work/nf9send" -addr "127.0.0.1:$PORT" -rate "$RATE" -duration "$DURATION" -count "$COUNT" -hosts 50000 -seed 7
sleep 2
kill "$(cat "$work/nfcapd.pid")"
while kill -0 "$(cat "$work/nfcapd.pid")" 2>/dev/null; do sleep 0.2; done
rm -f "$work/nfcapd.pid"
fi
stored=$(nfdump -R "$work/nfcapd" -I | awk '/^Flows:/ {print $2}')
echo "nfcapd stored $stored flows ($(du -sb "$work/nfcapd" | cut -f1) bytes)"

echo "== convert the stored flows to a gflow file"
nfdump -R "$work/nfcapd" -N -q -o 'fmt:%ts|%te|%sa|%da|%sp|%dp|%pr|%flg|%ipkt|%ibyt|%in|%out|%tos' |
	"$work/gstatsconv" -o "$work/flows.gf"
echo "gflow file: $(stat -c %s "$work/flows.gf") bytes"

# timeit NAME CMD...: RUNS runs after one warm-up; prints the median wall
# time, the median user+sys CPU seconds and flows/s at the median.
timeit() {
	name=$1
	shift
	sh -c "$*" >"$work/out.$name" 2>&1
	i=0
	: >"$work/times.$name"
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%e %U %S %M" -o "$work/t" sh -c "$*" >/dev/null 2>&1
		cat "$work/t" >>"$work/times.$name"
		i=$((i + 1))
	done
	sort -n "$work/times.$name" | awk -v n="$RUNS" -v flows="$stored" -v name="$name" '
		{ w[NR] = $1; c[NR] = $2 + $3; m[NR] = $4 }
		END { k = int((n + 1) / 2); printf "%-16s wall %6.2f s  cpu %6.2f s  %6.2f M flows/s  maxrss %d MB\n", name, w[k], c[k], flows / w[k] / 1e6, m[k] / 1024 }'
}

echo "== queries (median of $RUNS warm runs; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg))"
timeit nfdump-top "nfdump -R $work/nfcapd -s srcip/bytes -n 20"
timeit gstats-top "$work/gstats --fields=sip --values=bytes --count=20 $work/flows.gf"
timeit pipeline-top "$work/gfilter --proto=0-255 --pass=stdout $work/flows.gf | $work/gstats --fields=sip --values=bytes --count=20"
timeit nfdump-5tuple "nfdump -R $work/nfcapd -A srcip,dstip,srcport,dstport,proto -s record/bytes -n 20"
timeit gstats-5tuple "$work/gstats --fields=sip,dip,sport,dport,protocol --values=bytes --count=20 $work/flows.gf"

echo "== same answer? (top 3 source addresses by bytes)"
grep -E '^ *[0-9a-f.:]+\|' "$work/out.gstats-top" | head -3
grep -E 'any' "$work/out.nfdump-top" | head -3

echo "== memory: $BINS distinct sip,sport bins over $BINRECS records"
"$work/gstatsconv" -synth-bins "$BINS" -records "$BINRECS" -o "$work/bins.gf"
/usr/bin/time -f "wall %e s  cpu %U+%S s  maxrss %M kB" \
	"$work/gstats" --fields=sip,sport --values=bytes --count=5 "$work/bins.gf" 2>&1 | tail -n 9
