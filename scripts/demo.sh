#!/usr/bin/env bash
# The quick-start demo: collect an hour of demo traffic sent as real NetFlow v9
# and IPFIX over UDP, then draw where it went on a world map and drill down.
# Needs only the tools built in bin/ (make build); no root, no router, no network.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$PWD/bin}
OUT=${DEMO_OUT:-$PWD/demo-out}
PORT=${DEMO_PORT:-20555}
CONVERSATIONS=${DEMO_CONVERSATIONS:-20000}
ROOT=$OUT/flows
export PATH="$BIN:$PATH"
unset GFLOW_DATA_ROOTDIR GFLOW_SITE_CONFIG GFLOW_GEOIP_DB

rm -rf "$OUT"
mkdir -p "$ROOT" "$OUT/map"
cp scripts/demo-gflow.toml "$ROOT/gflow.toml"   # ROOT/gflow.toml: found by every tool

# The hour before this one: complete, and safely in the past.
HOUR=$(date -u -d '1 hour ago' +%Y/%m/%d:%H)

echo "==> starting gflowcap on 127.0.0.1:$PORT, repository $ROOT"
gflowcap --listen=127.0.0.1:$PORT --data-rootdir="$ROOT" --flush-interval=1s \
  --stats-interval=0 2>"$OUT/gflowcap.log" &
CAP=$!
trap 'kill $CAP 2>/dev/null || true' EXIT
HEXPORT=$(printf '%04X' "$PORT")
for _ in $(seq 100); do   # wait until its socket is bound
  grep -q "^ *[0-9]*: 0100007F:$HEXPORT " /proc/net/udp 2>/dev/null && break
  kill -0 $CAP 2>/dev/null || { cat "$OUT/gflowcap.log"; exit 1; }
  sleep 0.1
done

echo "==> sending the hour $HOUR of a NATed home router's traffic as NetFlow v9 and IPFIX"
gflowsend --to=127.0.0.1:$PORT --hour="$HOUR" --conversations="$CONVERSATIONS" --totals="$OUT/sent.json"

sleep 2                                   # one flush interval and a margin
kill -TERM $CAP && wait $CAP              # SIGTERM flushes and closes every file
trap - EXIT
echo "==> gflowcap stopped cleanly; it stored:"
find "$ROOT" -type f -name '*_*.*' | sed "s|^$ROOT/|    |" | sort

echo
echo "==> what gflowcap learned about the site from the traffic (no internal networks configured):"
grep -E '^gflowcap: [0-9T:Z-]+ S0: ' "$OUT/gflowcap.log" | sed 's/^/    /' || true
echo "==> as a site configuration (gflowcap --print-learned):"
gflowcap --print-learned --data-rootdir="$ROOT" | grep -vE '^$|^# [^l]' | sed 's/^/    /'

echo
echo "==> where does the traffic come from? (incoming flows, top 20 countries by bytes)"
set -x
gfilter --start-date="$HOUR" --data-rootdir="$ROOT" --proto=0-255 --pass=stdout \
  | gstats --top --count=20 --fields=scc --values=bytes | tee "$OUT/top-countries.txt"
{ set +x; } 2>/dev/null
echo "==> the map: every country, and each country's largest networks for its tooltip"
set -x
gfilter --start-date="$HOUR" --data-rootdir="$ROOT" --proto=0-255 --pass=stdout \
  | gstats --fields=scc,sas --values=bytes --count=0 | gjson --html="$OUT/map"
{ set +x; } 2>/dev/null

TOP=$(awk -F'|' 'NR>3 && $1 !~ /--/ {gsub(/ /,"",$1); print $1; exit}' "$OUT/top-countries.txt")
echo
echo "==> drill down: who sends the traffic from '$TOP'?"
set -x
gfilter --start-date="$HOUR" --data-rootdir="$ROOT" --type=all --scc="$TOP" --pass=stdout \
  | gstats --top --count=5 --fields=sip,sport --values=bytes
{ set +x; } 2>/dev/null

echo
echo "==> and who is that? the networks behind the traffic from '$TOP' (AS numbers and organisations)"
set -x
gfilter --start-date="$HOUR" --data-rootdir="$ROOT" --type=all --scc="$TOP" --pass=stdout \
  | gstats --top --count=5 --fields=sas,sasname --values=bytes --no-columns | tee "$OUT/top-networks.txt"
{ set +x; } 2>/dev/null

echo
echo "The map: $OUT/map/index.html"
echo "  open it in a browser (file:// works), or serve it: (cd $OUT/map && python3 -m http.server 8000)"
