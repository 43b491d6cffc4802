#!/usr/bin/env bash
# ClickHouse insert rate beside the file-only ingest rate, in one run: the
# shared NetFlow v9 sender replays synthetic flows on the loopback for
# DURATION seconds at each rate to gflowcap writing hourly files only (as
# bench/gflowcap.sh does), then with --clickhouse (files and ClickHouse),
# then with --clickhouse-only, alternating at every rate. ClickHouse is
# Debian's clickhouse-server, started here on the loopback with a small
# configuration in the output folder, and stopped at the end.
#
# For each run it prints the flows sent, the flows stored (the repository
# read back; ClickHouse's count()), the seconds from the first flow until
# ClickHouse held all of them (the sender's time plus the catch-up), the
# resulting rate into ClickHouse, and the collector's CPU seconds.
#
#   bench/clickhouse.sh
#   RATES="100000 200000 0" DURATION=10 bench/clickhouse.sh   # 0 = flat out
#
# Needs: Go, clickhouse-server (Debian package), ../shared/tools/nf9send.
# Results: bench/out/clickhouse-DATE/results.tsv and a summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=${SHARED:-../shared}
RATES=${RATES:-"100000 200000 400000 0"}
DURATION=${DURATION:-5}
PORT=${PORT:-29057}
CH_HTTP=${CH_HTTP:-29123}
CH_TCP=${CH_TCP:-29124}
METRICS=${METRICS:-29125}
OUT=bench/out/clickhouse-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT/bin" "$OUT/ch/data" "$OUT/ch/tmp" "$OUT/ch/log"
OUT=$(cd "$OUT" && pwd)

server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
[ -x "$server" ] || { echo "clickhouse.sh: clickhouse-server not found (apt-get install clickhouse-server)" >&2; exit 1; }
go build -o "$OUT/bin/gflowcap" ./cmd/gflowcap
go build -o "$OUT/bin/gflowcap_count" bench/gflowcap_count.go
(cd "$SHARED/tools/nf9send" && go build -o "$OUT/bin/nf9send" .)

cat >"$OUT/ch/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$OUT/ch/log/server.log</log><errorlog>$OUT/ch/log/error.log</errorlog><console>0</console></logger>
  <http_port>$CH_HTTP</http_port>
  <tcp_port>$CH_TCP</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$OUT/ch/data/</path>
  <tmp_path>$OUT/ch/tmp/</tmp_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
</yandex>
EOF
cat >"$OUT/ch/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF
"$server" --config-file="$OUT/ch/config.xml" >"$OUT/ch/log/stdout" 2>&1 &
chpid=$!
trap 'kill -TERM $chpid 2>/dev/null; wait $chpid 2>/dev/null || true' EXIT
CH=http://127.0.0.1:$CH_HTTP/
q() { curl -sS "$CH" --data-binary "$1"; }
for _ in $(seq 600); do q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
version=$(q "SELECT version()")

tck=$(getconf CLK_TCK)
cpu_of() { awk -v t="$tck" '{ printf "%.2f", ($14+$15)/t }' "/proc/$1/stat"; }
now() { date +%s.%N; }

# run_one MODE RATE: files | clickhouse | clickhouse-only
run_one() {
  local mode=$1 rate=$2 dir="$OUT/$1-$2" pid sent stored ch=0 cpu cpu0 t0 t1 secs table="flows_${1//-/_}_$2"
  mkdir -p "$dir/data"
  local args=(--listen=127.0.0.1:$PORT --data-rootdir="$dir/data" --rcvbuf=16M --stats-interval=0 --flush-interval=1s
    --metrics-listen=127.0.0.1:$METRICS)
  case $mode in
  clickhouse) args+=(--clickhouse="$CH" --clickhouse-table="$table") ;;
  clickhouse-only) args+=(--clickhouse="$CH" --clickhouse-table="$table" --clickhouse-only) ;;
  esac
  "$OUT/bin/gflowcap" "${args[@]}" 2>"$dir/stderr" &
  pid=$!
  for _ in $(seq 100); do
    grep -qi ":$(printf '%04X' "$PORT") 00000000:0000 07" /proc/net/udp && break
    sleep 0.1
  done
  sleep 1.5
  cpu0=$(cpu_of $pid)
  t0=$(now)
  sent=$("$OUT/bin/nf9send" -addr 127.0.0.1:$PORT -rate "$rate" -duration "$DURATION" -count 100000000 | sed -n 's/.*sent_flows=\([0-9]*\).*/\1/p')
  sleep 1.5
  if [ "$mode" != files ]; then
    # wait until ClickHouse holds every flow the collector decoded (its
    # metrics), for two minutes at most
    local took
    took=$(curl -s "http://127.0.0.1:$METRICS/metrics" | awk '/^gflowcap_flows_total/ { s += $2 } END { printf "%d", s }')
    for _ in $(seq 1200); do
      ch=$(q "SELECT count() FROM $table" 2>/dev/null || echo 0)
      [ "$ch" -ge "$took" ] && break
      sleep 0.1
    done
    t1=$(now)
  else
    t1=$(now)
  fi
  cpu=$(awk -v a="$(cpu_of $pid)" -v b="$cpu0" 'BEGIN { printf "%.2f", a - b }')
  kill -TERM $pid; wait $pid || true
  if [ "$mode" != files ]; then
    local final
    final=$(q "SELECT count() FROM $table" 2>/dev/null || echo 0)
    [ "$final" = "$ch" ] || echo "clickhouse.sh: $mode $rate: $final flows in ClickHouse after the collector stopped, $ch before" >&2
  fi
  stored=0
  if [ "$mode" != clickhouse-only ]; then
    read -r stored _ < <("$OUT/bin/gflowcap_count" "$dir/data" | sed -n 's/records=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2/p')
  fi
  secs=$(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$rate" "$sent" "${stored:-0}" "$ch" "$secs" "$cpu" | tee -a "$OUT/results.tsv"
  q "DROP TABLE IF EXISTS $table" >/dev/null 2>&1 || true
  rm -rf "$dir/data"
}

echo "clickhouse-server $version; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'mode\trate\tsent\tfiles\tclickhouse\tseconds\tcpu_s\n' | tee "$OUT/results.tsv"
for rate in $RATES; do
  for mode in files clickhouse clickhouse-only; do
    run_one "$mode" "$rate"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
awk -F'\t' -v d="$DURATION" 'NR > 1 {
  r = $2 == 0 ? "flat out" : $2
  if ($1 == "files")
    printf "%-16s %-9s sent %9d  files %9d (%.0f flows/s)  %5.2f CPU s\n", $1, r, $3, $4, $4 / d, $7
  else
    printf "%-16s %-9s sent %9d  files %9d  ClickHouse %9d in %5.1f s (%.0f flows/s)  %5.2f CPU s\n", $1, r, $3, $4, $5, $6, ($6 > 0 ? $5 / $6 : 0), $7
}' "$OUT/results.tsv" | tee "$OUT/summary.txt"
