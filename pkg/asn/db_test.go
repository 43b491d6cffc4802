package asn

import (
	"net/netip"
	"testing"
	"time"
)

func builtinDB(t testing.TB) *DB {
	t.Helper()
	db, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// Known networks, read from the package's own CSV rows (asn-ipv4.csv,
// asn-ipv6.csv of 2.3.2026061719): first and last address of a row, and
// one address just outside it.
func TestBuiltinKnownNetworks(t *testing.T) {
	db := builtinDB(t)
	for _, tc := range []struct {
		addr string
		as   uint32
		name string
	}{
		{"1.0.0.0", 13335, "Cloudflare, Inc."},   // 1.0.0.0,1.0.0.255,13335
		{"1.0.0.255", 13335, "Cloudflare, Inc."}, // last address of the row
		{"1.0.1.0", 0, ""},                       // 1.0.1.0-1.0.3.255 is in no row
		{"1.0.4.0", 38803, "Gtelecom Pty Ltd"},
		{"1.0.7.255", 38803, "Gtelecom Pty Ltd"},
		{"2001::1", 6939, "Hurricane Electric LLC"}, // 2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939
		{"2001:200:1ba::1", 24047, "Internet Systems Consortium, Inc."},
		{"2001:200:1bb::", 2500, "WIDE Project"},
		{"::ffff:1.0.0.1", 13335, "Cloudflare, Inc."}, // mapped: looked up as IPv4
		// the overlapping rows: 214.95.0.0-215.0.255.255 AS749, then
		// 215.0.0.0-215.1.3.255 AS721, which wins from its start
		{"214.255.255.255", 749, "United States Department of Defense (DoD)"},
		{"215.0.0.0", 721, "DoD Network Information Center"},
		{"0.0.0.0", 0, ""},
		{"255.255.255.255", 0, ""},
		{"::", 0, ""},
		{"ffff::1", 0, ""},
	} {
		a := netip.MustParseAddr(tc.addr)
		got := db.Lookup(a)
		if got != tc.as {
			t.Errorf("Lookup(%s) = %d, want %d", tc.addr, got, tc.as)
		}
		if name := db.Name(got); got != 0 && name != tc.name {
			t.Errorf("Name(%d) = %q, want %q", got, name, tc.name)
		}
	}
	if db.Name(0) != "" {
		t.Errorf("Name(0) = %q, want empty", db.Name(0))
	}
	if db.Len() < 90000 {
		t.Errorf("%d AS numbers; the package names 91,065", db.Len())
	}
	if w := db.NameWidth(); w != 167 {
		t.Errorf("NameWidth = %d, want 167 (the longest organisation name)", w)
	}
	if got := db.BuildDate().Format(time.DateOnly); got != builtinBuilt {
		t.Errorf("build date %s, builtinBuilt says %s", got, builtinBuilt)
	}
	if !db.IsBuiltin() || db.Source() != "built-in" || db.Attribution() != Attribution {
		t.Errorf("builtin %v source %q attribution %q", db.IsBuiltin(), db.Source(), db.Attribution())
	}
	if want := builtinPackage + " " + builtinVersion + " (built " + builtinBuilt + ")"; db.Description() != want {
		t.Errorf("description %q, want %q", db.Description(), want)
	}
}
