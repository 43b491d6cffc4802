#!/usr/bin/env bash
# Flow file figures (issue 2): bytes per record on disk, write and read throughput, allocations.
#
#   bench/flowfile.sh            # 10 M flowgen records on disk, 1 M in memory for the benchmarks
#   N=1000000 bench/flowfile.sh  # quicker
#
# 1. bench/flowfile writes N records to an hourly file on disk (zstd) and reads them back with a
#    Reader and with ParallelReaders, printing bytes/record and records/s, wall and CPU.
# 2. The package benchmarks give ns/record and allocations per operation for every codec
#    (zstd for files, S2 for pipes, none), and the zstd level comparison.
# CPU figures (process user+system time) are the ones to compare on a shared machine.
# Needs: Go.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000000}
# The package benchmarks hold their records in memory (144 bytes each); per-record figures do not
# depend on the count.
BENCH_N=${BENCH_N:-1000000}
echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
go run ./bench/flowfile -n "$N"
GFLOW_BENCH_RECORDS=$BENCH_N go test -run '^$' -bench . -benchmem -benchtime=3x ./pkg/flowfile/
