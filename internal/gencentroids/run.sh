#!/bin/sh
# Regenerates pkg/mapjson/web/centroids.js from npm packages at pinned versions
# and Debian's iso-codes (apt-get install iso-codes). Needs node and npm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../pkg/mapjson/web/centroids.js"
iso=${ISO_3166_JSON:-/usr/share/iso-codes/json/iso_3166-1.json}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir node_modules
for p in d3-array@3.2.5 d3-geo@3.1.2 topojson-client@3.1.0 world-atlas@2.0.2; do
	npm pack --silent "$p" >/dev/null
	name=${p%@*}
	mkdir "node_modules/$name"
	tar xzf "$name"-*.tgz -C "node_modules/$name" --strip-components=1
done
cp "$here/gencentroids.cjs" .
node gencentroids.cjs "$iso" > centroids.js.new
mv centroids.js.new "$out"
echo "wrote $out"
