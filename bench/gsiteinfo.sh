#!/usr/bin/env bash
# gsiteinfo on a year of hourly files: one sensor, the six types a home
# router fills every hour (52,560 files), 60 blocks per file (a collector
# flushing every minute) of 10 records. It times, with hyperfine, the
# default view (names, sizes and the records of every block header), the
# names-only view (rwsiteinfo's fields: hours and file counts from the
# file names), and as the floor of any tool that looks at every file,
# find listing the names and sizes.
#
#   bench/gsiteinfo.sh                 # generates the year once in bench/out/year
#   HOURS=720 bench/gsiteinfo.sh       # a month
#
# Needs: Go, hyperfine. The year takes about 800 MB and a few minutes to
# generate; it is kept for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

HOURS=${HOURS:-8760}
BLOCKS=${BLOCKS:-60}
RECORDS=${RECORDS:-10}
ROOT=${ROOT:-bench/out/year-$HOURS-$BLOCKS-$RECORDS}
OUT=bench/out/gsiteinfo-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT/bin"

command -v hyperfine >/dev/null || { echo "gsiteinfo.sh: hyperfine not found (apt-get install hyperfine)" >&2; exit 1; }
go build -o "$OUT/bin/gsiteinfo" ./cmd/gsiteinfo
if [ ! -d "$ROOT" ]; then
  echo "==> generating $HOURS hours in $ROOT"
  go run ./bench/genrepo -root "$ROOT" -hours "$HOURS" -blocks "$BLOCKS" -records "$RECORDS"
fi
echo "==> $(find "$ROOT" -type f | wc -l) files, $(du -sh "$ROOT" | cut -f1); load: $(uptime | sed 's/.*load average: //')"
G="$OUT/bin/gsiteinfo --data-rootdir=$ROOT"
hyperfine --warmup 1 --runs 5 --export-markdown "$OUT/results.md" \
  -n "gsiteinfo (default: records from block headers)" "$G >/dev/null" \
  -n "gsiteinfo --fields=sensor,type,repo-start-date,repo-end-date,repo-file-count" \
     "$G --fields=sensor,type,repo-start-date,repo-end-date,repo-file-count >/dev/null" \
  -n "find -printf (names and sizes)" "find $ROOT -type f -printf '%s %f\n' >/dev/null"
$G
echo "==> results: $OUT/results.md"
