// Package site holds gflow's site configuration, the file that names the
// site once as SiLK's silk.conf and sensor.conf do: the sensors (name, id,
// the exporters that feed each, how their flows are typed), the internal
// networks, country overrides, the data root and the country database.
//
// The file is TOML, ROOT/gflow.toml by default (see Resolve); Example holds
// a commented example of every key. Load checks it strictly: unknown keys,
// duplicate sensor names or ids, malformed or overlapping prefixes and bad
// country codes are errors of type *Error that name the file, line and key:
//
//	gflow.toml:12: sensors[1].internal: "10.0.0.0/33" is not a valid prefix
//
// Without a file, Default gives one sensor S0 for every exporter and the
// private ranges as internal networks.
//
// Config.Classify types a flow exactly as SiLK's twoway site does
// (packlogic-twoway): in, out, inweb, outweb, inicmp, outicmp, innull,
// outnull, int2int, ext2ext, other. It and Config.IsInternal are cheap and
// do not allocate, so they run per flow.
package site

import _ "embed"

// Example is a commented example configuration using every key
// (testdata/gflow.example.toml).
//
//go:embed testdata/gflow.example.toml
var Example string
