package site

import _ "embed"

// Key documents one key of the configuration file for its manual page,
// gflow.toml(5), which internal/genman writes from Keys. A test checks
// that every key the file may hold is documented here, so a new key
// cannot ship without its description.
type Key struct {
	// Table is where the key lives: "" for the top level, "countries" or
	// "sensors" (each [[sensors]] block).
	Table string
	// Name is the key as written in the file; in [countries] the keys are
	// prefixes, written PREFIX.
	Name string
	// Value says what the value looks like: "string", "list of prefixes", …
	Value string
	// Text says what the key does, its default and its rules. Blank lines
	// separate paragraphs.
	Text string
}

// Keys documents every key of the site configuration file, in the order
// the manual page lists them.
var Keys = []Key{
	{"", "data-rootdir", "string (a directory)",
		`Repository root: where gflowcap writes the hourly files and where the other tools read them, when neither --data-rootdir nor GFLOW_DATA_ROOTDIR is given. A relative path is relative to the directory of the configuration file. Default /var/lib/gflow.`},
	{"", "geoip-db", "string (a file)",
		`Country database in MaxMind's mmdb format (GeoLite2 or GeoIP2 Country or City, DB-IP, ip-location-db) to use instead of the built-in one, when neither --geoip-db nor GFLOW_GEOIP_DB is given. A relative path is relative to the directory of the configuration file.`},
	{"", "asn-db", "string (a file)",
		`AS database in MaxMind's mmdb format (MaxMind GeoLite2-ASN or GeoIP2-ISP, DB-IP ASN Lite, ip-location-db asn) to use instead of the built-in one, by gflowcap for the AS numbers exporters do not send and by gstats, gcut and gjson for organisations' names, when --asn-db is not given; GFLOW_ASN_DB applies when neither names one. A relative path is relative to the directory of the configuration file.`},
	{"", "icmp-split", "boolean",
		`Put ICMP flows in the types inicmp and outicmp instead of in and out. Default false, as in SiLK's default build.`},
	{"", "learn", "boolean",
		`Whether gflowcap learns each sensor's site from its traffic: which interfaces face the LAN and which the internet, the outside addresses behind NAT (as the ISP changes them), and the site's IPv6 prefixes from a tunnel broker or ISP. What was learned is kept in ROOT/.gflowcap/learned.json, across restarts and reloads; gflowcap --print-learned prints it as lines for this file, and gsiteinfo shows it (field learned). What the file says wins, sensor by sensor and item by item: interfaces over learned interfaces, internal networks over learned prefixes. Default true; false turns learning off for every sensor that does not say otherwise.`},
	{"", "internal", "list of prefixes",
		`The site's internal networks, IPv4 and IPv6, for every sensor that types flows by address and lists no internal networks of its own. Every other address is external. The prefixes must not overlap.

Default (when the key is absent): 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 (CGNAT), 169.254.0.0/16, fc00::/7 and fe80::/10. An empty list means no internal network at all. An IPv6 prefix routed to the site by a tunnel broker belongs here too, or the LAN's traffic is counted for the broker's country; gflowcap learns such a prefix when this key is absent (learn). Listing the key, even empty, turns the learned prefixes off for the sensors that use it.`},
	{"countries", "PREFIX", "string (a country code)",
		`Country override: flows from or to addresses in PREFIX get this two-letter country code (any case), or none with "--", whatever the country database says. Overrides win over the database but not over the internal networks, whose addresses have no country. The prefixes must not overlap.`},
	{"sensors", "name", "string",
		`The sensor's name: a letter, then letters, digits, '-' or '.', at most 64 characters. It appears in the repository's file names (FLOWTYPE-NAME_YYYYMMDD.HH) and is what --sensors takes. Required; unique.`},
	{"sensors", "id", "integer",
		`The sensor's numeric id, 0 to 65534, stored in every flow record and in the header of every hourly file. Required; unique. Do not reuse the id of a retired sensor for a new one: old files keep the old id.`},
	{"sensors", "description", "string",
		`Free text describing the sensor, shown by gsiteinfo (field describe-sensor).`},
	{"sensors", "exporters", "list of prefixes",
		`The exporters (router addresses, or prefixes of them) whose flows belong to this sensor. When exactly one sensor leaves this out, it takes every exporter that no other sensor names; a site with one router needs no address here. Exports from an exporter of no sensor are counted and dropped. The prefixes of all sensors must not overlap.`},
	{"sensors", "learn", "boolean",
		`Learn this sensor's site from its traffic (see the top-level learn). Default: the top-level learn.`},
	{"sensors", "internal", "list of prefixes",
		`This sensor's own internal networks, used instead of the site's internal list for its flows.`},
	{"sensors", "external", "list of prefixes",
		`This sensor's external networks. Absent: every address that is neither internal nor null is external. Must not overlap the internal networks.`},
	{"sensors", "null", "list of prefixes",
		`Destination networks whose traffic counts as dropped (the types innull and outnull). Must not overlap the internal networks.`},
	{"sensors", "internal-interfaces", "list of integers (SNMP ifIndex)",
		`Type the sensor's flows by interface instead of by address: flows that enter on these interfaces come from inside. With external-interfaces, the one left out is the remainder. What a NATed site with a changing outside address needs. A sensor types flows either by address (internal, external, null) or by interface, not both; only null-interfaces goes with either.`},
	{"sensors", "external-interfaces", "list of integers (SNMP ifIndex)",
		`Flows that enter on these interfaces come from outside; see internal-interfaces.`},
	{"sensors", "null-interfaces", "list of integers (SNMP ifIndex)",
		`Flows whose output interface is one of these were dropped by the router (innull, outnull); routers usually report 0 for dropped traffic. Works with either way of typing. The three interface lists must be disjoint.`},
	{"sensors", "sampling-rate", "integer",
		`The packet sampling interval to assume for the sensor's exporters when they announce none (1 in N packets; bytes and packets are scaled by N). 0 or absent: flows are taken as unsampled unless the exporter says otherwise.`},
}

// ExampleFile is the commented example configuration, as installed with
// the manual pages (share/doc/gflow/examples/gflow.toml).
//
//go:embed testdata/gflow.example.toml
var ExampleFile string
