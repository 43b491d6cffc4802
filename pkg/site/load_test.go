package site

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/flowfile"
)

func TestExampleLoads(t *testing.T) {
	data, err := os.ReadFile("testdata/gflow.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != Example {
		t.Fatal("Example differs from testdata/gflow.example.toml")
	}
	cfg, err := Load("testdata/gflow.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataRoot != "/var/lib/gflow" || cfg.ICMPSplit || cfg.GeoIPDB != "" {
		t.Errorf("top-level keys: %+v", cfg)
	}
	wantInternal := []string{"10.0.0.0/8", "192.168.0.0/16", "2001:470:1f0b:1a::/64", "fd00::/8", "fe80::/10"}
	if got := prefixStrings(cfg.Internal); !slices.Equal(got, wantInternal) {
		t.Errorf("internal %v, want %v", got, wantInternal)
	}
	if len(cfg.Countries) != 2 || cfg.Countries[0].Prefix.String() != "198.51.100.0/24" ||
		cfg.Countries[0].Country.String() != "ch" || cfg.Countries[1].Country.String() != "de" {
		t.Errorf("countries %+v", cfg.Countries)
	}
	if cc, ok := cfg.CountryOverride(netip.MustParseAddr("198.51.100.77")); !ok || cc != flowfile.MakeCountry("ch") {
		t.Errorf("override for 198.51.100.77: %v %v", cc, ok)
	}
	if cc, ok := cfg.CountryOverride(netip.MustParseAddr("2001:db8:4fff::1")); !ok || cc.String() != "de" {
		t.Errorf("override for 2001:db8:4fff::1: %v %v", cc, ok)
	}
	if _, ok := cfg.CountryOverride(netip.MustParseAddr("2001:db8:5000::1")); ok {
		t.Error("override outside its prefix")
	}

	if len(cfg.Sensors) != 3 {
		t.Fatalf("%d sensors", len(cfg.Sensors))
	}
	s0, _ := cfg.SensorByName("S0")
	nat, _ := cfg.SensorByName("edge-nat")
	lab, _ := cfg.SensorByID(7)
	if s0 == nil || nat == nil || lab == nil || lab.Name != "lab" {
		t.Fatalf("sensors: %v %v %v", s0, nat, lab)
	}
	if s0.Description != "home router" || s0.SamplingRate != 1 || nat.SamplingRate != 1000 {
		t.Errorf("sensor fields: %+v / %+v", s0, nat)
	}
	if s0.ByInterface() || !nat.ByInterface() || lab.ByInterface() {
		t.Error("interface mode wrong")
	}
	if got := prefixStrings(lab.Internal); !slices.Equal(got, []string{"10.9.0.0/16"}) {
		t.Errorf("lab internal %v", got)
	}
	if !slices.Equal(prefixStrings(s0.Internal), wantInternal) {
		t.Errorf("S0 does not use the site's internal networks: %v", prefixStrings(s0.Internal))
	}

	for _, tt := range []struct {
		exporter string
		sensor   string
	}{
		{"192.168.1.1", "S0"}, {"fd00::1", "S0"}, {"::ffff:192.168.1.1", "S0"},
		{"203.0.113.1", "edge-nat"}, {"2001:db8:ffff:1::9", "edge-nat"}, {"10.9.0.200", "lab"},
	} {
		s, ok := cfg.SensorForExporter(netip.MustParseAddr(tt.exporter))
		if !ok || s.Name != tt.sensor {
			t.Errorf("exporter %s: %v %v, want %s", tt.exporter, s, ok, tt.sensor)
		}
	}
	if s, ok := cfg.SensorForExporter(netip.MustParseAddr("192.168.1.2")); ok {
		t.Errorf("unknown exporter given sensor %s", s.Name)
	}
	if got := cfg.SensorName(1); got != "edge-nat" {
		t.Errorf("SensorName(1) = %q", got)
	}
	if got := cfg.SensorName(42); got != "S42" {
		t.Errorf("SensorName(42) = %q", got)
	}
	// The tunnel-broker /64 and the lab's own network are internal.
	for _, a := range []string{"2001:470:1f0b:1a::5", "10.9.3.3", "192.168.7.7"} {
		if !cfg.IsInternal(netip.MustParseAddr(a)) {
			t.Errorf("%s not internal", a)
		}
	}
}

func TestExampleRelativePaths(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gflow.toml")
	if err := os.WriteFile(path, []byte("data-rootdir = \"repo\"\ngeoip-db = \"geo/c.mmdb\"\nasn-db = \"asn/a.mmdb\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataRoot != filepath.Join(dir, "repo") || cfg.GeoIPDB != filepath.Join(dir, "geo/c.mmdb") || cfg.ASNDB != filepath.Join(dir, "asn/a.mmdb") {
		t.Errorf("relative paths not taken from the file's directory: %q %q %q", cfg.DataRoot, cfg.GeoIPDB, cfg.ASNDB)
	}
	// A file with no sensors has S0 for every exporter.
	s, ok := cfg.SensorForExporter(netip.MustParseAddr("192.0.2.1"))
	if !ok || s.Name != "S0" {
		t.Errorf("no sensors: %v %v", s, ok)
	}
}

func TestDefault(t *testing.T) {
	cfg := Default()
	if cfg.Path != "" || len(cfg.Sensors) != 1 || cfg.Sensors[0].Name != "S0" {
		t.Fatalf("%+v", cfg)
	}
	want := []string{"10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10"}
	if got := prefixStrings(cfg.Internal); !slices.Equal(got, want) {
		t.Errorf("default internal %v, want %v", got, want)
	}
	for _, a := range []string{"10.255.255.255", "100.127.0.1", "172.31.0.1", "192.168.0.1", "fdff::1", "fe80::1", "169.254.9.9"} {
		if !cfg.IsInternal(netip.MustParseAddr(a)) {
			t.Errorf("%s not internal by default", a)
		}
	}
	for _, a := range []string{"100.128.0.1", "172.32.0.1", "8.8.8.8", "2001:db8::1", "fec0::1", "11.0.0.0"} {
		if cfg.IsInternal(netip.MustParseAddr(a)) {
			t.Errorf("%s internal by default", a)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"bad prefix", `
[[sensors]]
name = "S0"
id = 0

[[sensors]]
name = "S1"
id = 1
internal = [
    "10.1.0.0/16",
    "10.0.0.0/33",
]
`, `gflow.toml:11: sensors[1].internal: "10.0.0.0/33" is not a valid prefix`},
		{"host bits", `internal = ["10.1.2.3/8"]`,
			`gflow.toml:1: internal: "10.1.2.3/8" has bits set beyond its length; did you mean "10.0.0.0/8"?`},
		{"not an address", `internal = ["10.1.0.0/16", "foo"]`,
			`gflow.toml:1: internal: "foo" is not a valid address or prefix`},
		{"overlap", "internal = [\n  \"10.0.0.0/8\",\n  \"10.1.0.0/16\",\n]\n",
			`gflow.toml:3: internal: "10.1.0.0/16" overlaps "10.0.0.0/8"`},
		{"overlap v6", "internal = [\"2001:db8::/32\", \"2001:db8:1::1\"]\n",
			`gflow.toml:1: internal: "2001:db8:1::1" overlaps "2001:db8::/32"`},
		{"unknown top key", "data-rootdir = \"/d\"\ndata-root = \"/x\"\n",
			`gflow.toml:2: data-root: unknown key`},
		{"unknown sensor key", `
[[sensors]]
name = "S0"
id = 0
[[sensors]]
name = "S1"
id = 1
colour = "red"
`, `gflow.toml:8: sensors[1].colour: unknown key`},
		{"unknown table", "[sensor]\nname = \"S0\"\n", `gflow.toml:1: sensor: unknown key`},
		{"duplicate name", `
[[sensors]]
name = "S0"
id = 0
[[sensors]]
name = "S0"
id = 1
`, `gflow.toml:6: sensors[1].name: sensor "S0" is already defined by sensors[0]`},
		{"duplicate id", `
[[sensors]]
name = "S0"
id = 3
[[sensors]]
name = "S1"
id = 3
`, `gflow.toml:7: sensors[1].id: id 3 is already used by sensors[0]`},
		{"missing id", "[[sensors]]\nname = \"S0\"\n", `gflow.toml:1: sensors[0].id: missing: every sensor needs a numeric id`},
		{"id range", "[[sensors]]\nname = \"S0\"\nid = 65535\n", `gflow.toml:3: sensors[0].id: 65535 is out of range (0 to 65534)`},
		{"bad name", "[[sensors]]\nname = \"S_0\"\nid = 0\n",
			`gflow.toml:2: sensors[0].name: "S_0" is not a valid sensor name (a letter, then letters, digits, '-' or '.'; at most 64)`},
		{"wrong type", "[[sensors]]\nname = \"S0\"\nid = \"zero\"\n",
			`gflow.toml:3: sensors.id: incompatible types: TOML value has type string; destination has type integer`},
		{"syntax", "internal = [\"10.0.0.0/8\"\nname = 1\n", "gflow.toml:2: internal: expected a comma (',') or array terminator (']'), but got 'n'"},
		{"bad country", "[countries]\n\"192.0.2.0/24\" = \"usa\"\n",
			`gflow.toml:2: countries."192.0.2.0/24": "usa" is not a two-letter country code (or "--" for none)`},
		{"bad country prefix", "[countries]\n\"192.0.2.0/40\" = \"us\"\n",
			`gflow.toml:2: countries."192.0.2.0/40": "192.0.2.0/40" is not a valid prefix`},
		{"overlapping countries", "[countries]\n\"192.0.2.0/24\" = \"us\"\n\"192.0.2.128/25\" = \"ch\"\n",
			`gflow.toml:3: countries."192.0.2.128/25": overlaps countries."192.0.2.0/24"`},
		{"exporter claimed twice", `
[[sensors]]
name = "S0"
id = 0
exporters = ["192.0.2.0/24"]
[[sensors]]
name = "S1"
id = 1
exporters = ["198.51.100.1", "192.0.2.9"]
`, `gflow.toml:9: sensors[1].exporters: "192.0.2.9" overlaps "192.0.2.0/24" in sensors[0].exporters`},
		{"mixed modes", "[[sensors]]\nname = \"S0\"\nid = 0\nexternal-interfaces = [1]\ninternal = [\"10.0.0.0/8\"]\n",
			`gflow.toml:5: sensors[0].internal: cannot mix addresses and interfaces in one sensor; use interfaces (internal-interfaces, external-interfaces, null-interfaces) or addresses (internal, external, null)`},
		{"interface twice", "[[sensors]]\nname = \"S0\"\nid = 0\nexternal-interfaces = [1]\nnull-interfaces = [0, 1]\n",
			`gflow.toml:5: sensors[0].null-interfaces: interface 1 is also in external-interfaces`},
		{"interface range", "[[sensors]]\nname = \"S0\"\nid = 0\nnull-interfaces = [-1]\n",
			`gflow.toml:4: sensors[0].null-interfaces: interface index -1 is out of range (0 to 4294967295)`},
		{"null overlaps site internal", "internal = [\"10.0.0.0/8\"]\n[[sensors]]\nname = \"S0\"\nid = 0\nnull = [\"10.9.9.0/24\"]\n",
			`gflow.toml:5: sensors[0].null: "10.9.9.0/24" overlaps "10.0.0.0/8" in internal`},
		{"external overlaps internal", "[[sensors]]\nname = \"S0\"\nid = 0\ninternal = [\"10.0.0.0/8\"]\nexternal = [\"0.0.0.0/0\"]\n",
			`gflow.toml:5: sensors[0].external: "0.0.0.0/0" overlaps "10.0.0.0/8" in sensors[0].internal`},
		{"sampling rate", "[[sensors]]\nname = \"S0\"\nid = 0\nsampling-rate = -5\n",
			`gflow.toml:4: sensors[0].sampling-rate: -5 is out of range (1 to 4294967295)`},
	}
	for _, tt := range tests {
		_, err := Parse("gflow.toml", []byte(tt.text))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%s: %T is not a *site.Error", tt.name, err)
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, err, tt.want)
		}
	}
}

func TestSensorsWithoutExporters(t *testing.T) {
	// Sensors listed for their names only take no exporter.
	cfg, err := Parse("t.toml", []byte("[[sensors]]\nname = \"S0\"\nid = 0\n[[sensors]]\nname = \"S1\"\nid = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := cfg.SensorForExporter(netip.MustParseAddr("192.0.2.1")); ok {
		t.Errorf("two sensors without exporters: exporter given to %s", s.Name)
	}
	if cfg.SensorName(1) != "S1" {
		t.Error("sensor names lost")
	}
	// One sensor without exporters beside one with: the catch-all.
	cfg, err = Parse("t.toml", []byte("[[sensors]]\nname = \"S0\"\nid = 0\n[[sensors]]\nname = \"S1\"\nid = 1\nexporters = [\"192.0.2.9\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{"192.0.2.1": "S0", "192.0.2.9": "S1", "2001:db8::1": "S0"} {
		if s, ok := cfg.SensorForExporter(netip.MustParseAddr(addr)); !ok || s.Name != want {
			t.Errorf("exporter %s: %v %v, want %s", addr, s, ok, want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.toml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestResolve(t *testing.T) {
	root := t.TempDir()
	other := t.TempDir()
	t.Setenv(cli.EnvSiteConfig, "")
	t.Setenv(cli.EnvDataRoot, "")

	// No file in ROOT: not found, defaults.
	if p, found := Resolve("", root); found || p != filepath.Join(root, "gflow.toml") {
		t.Errorf("empty root: %q %v", p, found)
	}
	os.WriteFile(filepath.Join(root, "gflow.toml"), []byte("[[sensors]]\nname = \"rtr\"\nid = 4\n"), 0o644)
	if p, found := Resolve("", root); !found || p != filepath.Join(root, "gflow.toml") {
		t.Errorf("file in root: %q %v", p, found)
	}
	// ROOT from the environment.
	t.Setenv(cli.EnvDataRoot, root)
	if p, found := Resolve("", ""); !found || p != filepath.Join(root, "gflow.toml") {
		t.Errorf("root from env: %q %v", p, found)
	}
	// GFLOW_SITE_CONFIG beats ROOT, and must exist.
	t.Setenv(cli.EnvSiteConfig, filepath.Join(other, "site.toml"))
	if p, found := Resolve("", root); !found || p != filepath.Join(other, "site.toml") {
		t.Errorf("env config: %q %v", p, found)
	}
	// The flag beats everything.
	if p, found := Resolve("/etc/x.toml", root); !found || p != "/etc/x.toml" {
		t.Errorf("flag: %q %v", p, found)
	}
	if _, err := Open("", root); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open with a missing GFLOW_SITE_CONFIG: %v", err)
	}

	t.Setenv(cli.EnvSiteConfig, "")
	cfg, err := Open("", root)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != filepath.Join(root, "gflow.toml") || cfg.DataRoot != root || cfg.SensorName(4) != "rtr" {
		t.Errorf("Open: path %q root %q", cfg.Path, cfg.DataRoot)
	}
	cfg, err = Open("", other)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != "" || cfg.DataRoot != other || cfg.SensorName(0) != "S0" {
		t.Errorf("Open without a file: path %q root %q", cfg.Path, cfg.DataRoot)
	}
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
