#!/usr/bin/env bash
# End-to-end throughput of the drill-down tools on COUNT synthetic flows:
#
#   gtuc   text (rwcut's default columns)      -> flow stream
#   gcut   flow stream -> text (default columns, --all-fields, --json)
#   gcount flow stream -> 30 s bins (time-proportional) and 1 s bins
#
# The flows are written by awk (deterministic: seed 7), 15% IPv6, spread over an hour. Each
# command runs once to warm the page cache, then RUNS times; the median wall time is reported as
# records/s. The Go benchmarks of the hot loops alone are in pkg/tuc, pkg/cut and pkg/count
# (`go test -bench . ./pkg/cut ./pkg/tuc ./pkg/count`).
#
# Needs: Go, awk, sort. Environment: COUNT (default 1000000), RUNS (default 3), WORK (scratch
# directory, default a new one under /tmp, removed unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-1000000}
RUNS=${RUNS:-3}
WORK=${WORK:-$(mktemp -d /tmp/gflow-bench.XXXXXX)}
BIN=$WORK/bin
mkdir -p "$BIN"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

go build -o "$BIN/" ./cmd/gtuc ./cmd/gcut ./cmd/gcount

awk -v n="$COUNT" 'BEGIN {
	srand(7)
	print "sIP|dIP|sPort|dPort|protocol|packets|bytes|flags|sTime|duration|sensor|"
	split("FS PA   | S PA   |    A   |        |FSRPA   ", fl, "|")
	for (i = 0; i < n; i++) {
		ms = int(i * 3600000 / n)
		t = sprintf("2015/10/09T%02d:%02d:%02d.%03d", int(ms / 3600000), int(ms / 60000) % 60, int(ms / 1000) % 60, ms % 1000)
		dur = int(rand() * 120000)
		if (rand() < 0.15) {
			s = sprintf("2001:db8:%x::%x", int(rand() * 65536), int(rand() * 65536))
			d = sprintf("2001:db8:ffff::%x", int(rand() * 65536))
		} else {
			s = sprintf("10.%d.%d.%d", int(rand() * 256), int(rand() * 256), int(rand() * 256))
			d = sprintf("198.51.100.%d", int(rand() * 256))
		}
		p = 1 + int(rand() * 1000)
		printf "%s|%s|%d|%d|6|%d|%d|%s|%s|%d.%03d|S0|\n", s, d, 1024 + int(rand() * 60000), 443, p, p * (40 + int(rand() * 1400)), fl[1 + int(rand() * 5)], t, int(dur / 1000), dur % 1000
	}
}' > "$WORK/flows.txt"
"$BIN/gtuc" "$WORK/flows.txt" > "$WORK/flows.gf"

# median wall seconds of RUNS runs of a shell command (after one warm-up run)
median() {
	sh -c "$1" > /dev/null
	for _ in $(seq "$RUNS"); do
		s=$(date +%s.%N)
		sh -c "$1" > /dev/null
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

printf '%-58s %12s %14s\n' command seconds records/s
for cmd in \
	"gtuc flows.txt" \
	"gcut flows.gf" \
	"gcut --all-fields flows.gf" \
	"gcut --json --all-fields flows.gf" \
	"gcount flows.gf" \
	"gcount --bin-size=1 flows.gf" \
	"gcount --load-scheme=start-spike flows.gf"; do
	secs=$(median "cd '$WORK' && PATH='$BIN':\$PATH $cmd")
	printf '%-58s %12.3f %14.0f\n' "$cmd" "$secs" "$(echo "$COUNT / $secs" | bc -l)"
done
