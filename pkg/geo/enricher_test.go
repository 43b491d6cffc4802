package geo

import (
	"net/netip"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/iptable"
)

func mustEnricher(t *testing.T, db *DB, internal []string, overrides map[string]string) *Enricher {
	t.Helper()
	var in []netip.Prefix
	for _, s := range internal {
		in = append(in, netip.MustParsePrefix(s))
	}
	var ov []Override
	for p, c := range overrides {
		ov = append(ov, Override{netip.MustParsePrefix(p), flowfile.MakeCountry(c)})
	}
	e, err := NewEnricher(db, in, ov)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEnricherRule(t *testing.T) {
	db, err := Open(fixtureFile(t, "nested.mmdb", nested, 6))
	if err != nil {
		t.Fatal(err)
	}
	e := mustEnricher(t, db,
		[]string{"2001:470:1234::/48", "8.8.4.0/24", "::ffff:2.2.2.0/120"},
		map[string]string{
			"8.8.8.0/25":         "CH", // beats the database's US
			"130.59.0.0/16":      "de",
			"130.59.31.0/24":     "AT", // longest prefix wins, whatever the order
			"10.1.0.0/16":        "US", // inside a special range: no effect
			"8.8.4.0/25":         "FR", // inside an internal network: no effect
			"::ffff:9.9.9.0/120": "FR", // a mapped prefix means the IPv4 one
			"2a02:1200::/32":     "LI",
			"2001:db8:1::/48":    "US", // inside 2001:db8::/32: no effect
		})
	for a, want := range map[string]string{
		// special ranges, although the database says AU / JP / DE
		"192.168.1.1":     "--",
		"172.16.0.1":      "--",
		"198.51.100.1":    "--",
		"203.0.113.7":     "--",
		"10.1.2.3":        "--",
		"100.64.0.1":      "--",
		"255.255.255.255": "--",
		"2001:db8::1":     "--",
		"2001:db8:1::1":   "--",
		"fe80::1":         "--",
		"fd00::1":         "--",
		"ff02::1":         "--",
		"::1":             "--",
		"::":              "--",
		"3fff::1":         "--",
		"0.1.2.3":         "--",
		// mapped addresses follow the IPv4 rule
		"::ffff:192.168.1.1": "--",
		"::ffff:8.8.8.200":   "us",
		"::ffff:8.8.8.1":     "ch",
		// internal networks
		"2001:470:1234:5::1": "--",
		"2001:470:1235::1":   "us",
		"8.8.4.4":            "--",
		"2.2.2.2":            "--",
		"2.2.3.2":            "fr",
		// overrides
		"8.8.8.1":      "ch",
		"8.8.8.200":    "us",
		"130.59.1.1":   "de",
		"130.59.31.80": "at",
		"9.9.9.9":      "fr",
		"2a02:1200::1": "li",
		"2a02:1201::1": "ch",
		// the database, no entry → "--"
		"1.2.3.4":      "cn",
		"5.5.5.5":      "eu",
		"8.8.9.9":      "--",
		"2a00:1450::1": "ie",
	} {
		if got := e.Country(netip.MustParseAddr(a)).String(); got != want {
			t.Errorf("Country(%s) = %s, want %s", a, got, want)
		}
	}
	if got := e.Country(netip.Addr{}); got != flowfile.NoCountry {
		t.Errorf("Country(zero Addr) = %s", got)
	}
	// Classify says which addresses a public database may be asked about:
	// not internal, not special; overrides and "no entry" stay public
	for a, public := range map[string]bool{
		"192.168.1.1": false, "10.1.2.3": false, "2001:db8:1::1": false, "fd00::1": false, "::ffff:192.168.1.1": false,
		"2001:470:1234:5::1": false, "8.8.4.4": false, "2.2.2.2": false, "::": false,
		"2001:470:1235::1": true, "8.8.8.1": true, "130.59.31.80": true, "2a02:1200::1": true, "8.8.9.9": true,
		"::ffff:8.8.8.200": true, "2a00:1450::1": true,
	} {
		c, got := e.Classify(netip.MustParseAddr(a))
		if got != public || c != e.Country(netip.MustParseAddr(a)) {
			t.Errorf("Classify(%s) = %s, %v; want %s, %v", a, c, got, e.Country(netip.MustParseAddr(a)), public)
		}
	}
	if _, public := e.Classify(netip.Addr{}); public {
		t.Error("Classify(zero Addr) is public")
	}

	rec := flowfile.Record{SIP: netip.MustParseAddr("192.168.1.10"), DIP: netip.MustParseAddr("8.8.8.200")}
	e.Enrich(&rec)
	if rec.SCC != flowfile.NoCountry || rec.DCC != flowfile.MakeCountry("us") {
		t.Errorf("Enrich: scc %s dcc %s, want -- us", rec.SCC, rec.DCC)
	}
}

// The special ranges hold against the built-in database's known faults.
func TestEnricherBuiltinFaults(t *testing.T) {
	db, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e := mustEnricher(t, db, nil, nil)
	for a, want := range map[string]string{
		"192.168.1.1": "--", "172.16.0.1": "--", "2001:db8::1": "--", "198.51.100.1": "--",
		"8.8.8.8": "us", "130.59.31.80": "ch", "2001:470::1": "us",
	} {
		if got := e.Country(netip.MustParseAddr(a)).String(); got != want {
			t.Errorf("Country(%s) = %s, want %s", a, got, want)
		}
	}
}

// Every special range decides before the database, first and last address.
func TestSpecialRangesEdges(t *testing.T) {
	db, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e := mustEnricher(t, db, nil, nil)
	for _, p := range SpecialPrefixes() {
		first := p.Addr()
		last := iptable.LastAddr(p)
		for _, a := range []netip.Addr{first, last} {
			if got := e.Country(a); got != flowfile.NoCountry {
				t.Errorf("Country(%s) in %s = %s, want --", a, p, got)
			}
		}
	}
}

func TestEnricherNilDB(t *testing.T) {
	e := mustEnricher(t, nil, nil, map[string]string{"8.8.8.0/24": "us"})
	if got := e.Country(netip.MustParseAddr("8.8.8.8")).String(); got != "us" {
		t.Errorf("override without a database: %s", got)
	}
	if got := e.Country(netip.MustParseAddr("1.1.1.1")).String(); got != "--" {
		t.Errorf("no database: %s", got)
	}
}

func TestNewEnricherRejectsInvalid(t *testing.T) {
	if _, err := NewEnricher(nil, []netip.Prefix{{}}, nil); err == nil {
		t.Error("invalid internal prefix accepted")
	}
	if _, err := NewEnricher(nil, nil, []Override{{Country: flowfile.MakeCountry("us")}}); err == nil {
		t.Error("invalid override prefix accepted")
	}
}
