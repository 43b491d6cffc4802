package geo

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/oschwald/maxminddb-golang/v2"
)

// want is what every fixture layout must answer for these addresses:
// the database's own answer, before any site rule.
var fixtureWant = map[string]string{
	"1.1.1.1":           "au",
	"1.2.3.4":           "cn",
	"1.2.4.0":           "au",
	"2.2.2.2":           "fr",
	"5.5.5.5":           "eu", // continent-only record: SiLK's continent code
	"8.8.8.8":           "us",
	"8.8.9.1":           "--",
	"130.59.31.80":      "ch",
	"192.168.1.1":       "au", // the fault the special ranges fix
	"255.255.255.255":   "zz",
	"0.0.0.0":           "--",
	"::ffff:8.8.8.8":    "us", // mapped: looked up as IPv4
	"2001:db8::1":       "jp",
	"2001:470:1::1":     "us",
	"2a00:1450:4001::1": "ie",
	"2a02:1200::1":      "ch",
	"2a02:1220::1":      "--",
	"ffff:ffff:ffff::1": "zz",
	"::":                "--",
	"::1":               "--",
}

func TestOpenLayouts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		l      layout
		layout string
	}{
		{"flat.mmdb", flat, "country_code"},
		{"nested.mmdb", nested, "country.iso_code"},
		{"registered.mmdb", registered, "country.iso_code"},
		{"ipinfo.mmdb", ipinfo, "country_code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(fixtureFile(t, tc.name, tc.l, 6))
			if err != nil {
				t.Fatal(err)
			}
			if db.Layout() != tc.layout {
				t.Errorf("layout %q, want %q", db.Layout(), tc.layout)
			}
			if !db.BuildDate().Equal(fixtureBuild) {
				t.Errorf("build date %v, want %v", db.BuildDate(), fixtureBuild)
			}
			if !strings.Contains(db.Description(), "gflow test fixture") || !strings.Contains(db.Description(), "2026-03-01") {
				t.Errorf("description %q", db.Description())
			}
			if !strings.Contains(db.Attribution(), "MaxMind") {
				t.Errorf("attribution %q: a GeoLite2 file should credit MaxMind", db.Attribution())
			}
			for a, want := range fixtureWant {
				if got := db.Lookup(netip.MustParseAddr(a)).String(); got != want {
					t.Errorf("Lookup(%s) = %s, want %s", a, got, want)
				}
			}
		})
	}
}

// mmdbwriter aliases ::ffff:0:0/96, 2001::/32 (Teredo) and 2002::/16
// (6to4) to the IPv4 subtree; the flat tables must follow the aliases the
// way the mmdb does.
func TestAliases(t *testing.T) {
	b := fixtureBytes(t, nested, 6, fixtureNets)
	db, err := openBytes("aliases", b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := maxminddb.OpenBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, s := range []string{"2002:808:808::1", "2002:102:304::", "2002:c0a8:101::", "2001:0:808:808::1", "2001:0:102:304::", "::8.8.8.8", "::1.2.3.4", "2002::", "2001:0:ffff:ffff:ffff::"} {
		a := netip.MustParseAddr(s)
		got, want := db.Lookup(a), refLookup(t, r, a)
		if got != want {
			t.Errorf("Lookup(%s) = %s, mmdb says %s", s, got, want)
		}
		if !want.Known() && s != "2002::" && s != "2001:0:ffff:ffff:ffff::" {
			t.Errorf("mmdb says %s for %s: the fixture should alias it", want, s)
		}
	}
}

func TestOpenIPv4Only(t *testing.T) {
	db, err := Open(fixtureFile(t, "v4.mmdb", flat, 4))
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]string{"8.8.8.8": "us", "1.2.3.4": "cn", "::ffff:130.59.1.1": "ch", "2001:470::1": "--", "::8.8.8.8": "--"} {
		if got := db.Lookup(netip.MustParseAddr(a)).String(); got != want {
			t.Errorf("Lookup(%s) = %s, want %s", a, got, want)
		}
	}
}

func TestOpenErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	noCC := fixtureFile(t, "asn.mmdb", noCountry, 6)
	scalars := fixtureFile(t, "scalars.mmdb", scalar, 6)
	corrupt := filepath.Join(dir, "corrupt.mmdb")
	good := fixtureBytes(t, flat, 6, fixtureNets)
	// keep the metadata (at the end) but wreck the search tree
	bad := append([]byte(nil), good...)
	for i := 0; i < len(bad)/2; i++ {
		bad[i] = 0xff
	}
	if err := os.WriteFile(corrupt, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.mmdb")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.mmdb")
	if err := os.WriteFile(truncated, good[:len(good)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "GeoLite2-Country.mmdb")
	for _, tc := range []struct{ path, says string }{
		{noCC, "no record has country_code"},
		{scalars, "no record has country_code"},
		{corrupt, "corrupt"},
		{text, "not a MaxMind DB file"},
		{empty, "not a MaxMind DB file"},
		{truncated, "not a MaxMind DB file"},
		{missing, "no such file"},
	} {
		db, err := Open(tc.path)
		if err == nil {
			t.Errorf("Open(%s) succeeded with %s", filepath.Base(tc.path), db.Description())
			continue
		}
		if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Open(%s): error %q should name the file and say %q", filepath.Base(tc.path), err, tc.says)
		}
		if strings.Count(err.Error(), tc.path) != 1 {
			t.Errorf("Open(%s): error %q names the file more than once", filepath.Base(tc.path), err)
		}
	}
}

func TestLoadOrder(t *testing.T) {
	flagDB := fixtureFile(t, "flag.mmdb", flat, 6)
	envDB := fixtureFile(t, "env.mmdb", nested, 6)

	t.Setenv(EnvDB, envDB)
	db, err := Load(flagDB)
	if err != nil || db.Source() != flagDB {
		t.Fatalf("Load(flag) with %s set = %v, %v; want the flag's file", EnvDB, db, err)
	}
	db, err = Load("")
	if err != nil || db.Source() != envDB {
		t.Fatalf("Load(\"\") with %s set = %v, %v; want the environment's file", EnvDB, db, err)
	}
	t.Setenv(EnvDB, filepath.Join(t.TempDir(), "gone.mmdb"))
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), EnvDB) || !strings.Contains(err.Error(), "gone.mmdb") {
		t.Errorf("Load with a missing %s file: error %v should name the variable and the file", EnvDB, err)
	}
	t.Setenv(EnvDB, "")
	db, err = Load("")
	if err != nil || !db.IsBuiltin() || db.Source() != "built-in" {
		t.Fatalf("Load(\"\") with nothing set = %v, %v; want the built-in database", db, err)
	}
}

func TestBuiltin(t *testing.T) {
	db, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Builtin()
	if again != db {
		t.Error("Builtin parsed the database twice")
	}
	if got := db.BuildDate().Format(time.DateOnly); got != builtinBuilt {
		t.Errorf("built-in build date %s, version.go says %s", got, builtinBuilt)
	}
	if want := "geo-whois-asn-country 2.3.2026061719 (built 2026-06-17)"; db.Description() != want {
		t.Errorf("description %q, want %q", db.Description(), want)
	}
	if db.Attribution() != NROAttribution || db.Layout() != "country_code" {
		t.Errorf("attribution %q layout %q", db.Attribution(), db.Layout())
	}
	// What the 2026-06-17 data says; a new version may move these, and
	// the test says so rather than the map quietly changing.
	for a, want := range map[string]string{
		"8.8.8.8":           "us", // Google
		"1.1.1.1":           "au", // Cloudflare/APNIC research prefix, registered in AU
		"130.59.31.80":      "ch", // SWITCH
		"::ffff:8.8.8.8":    "us",
		"::8.8.8.8":         "us", // the IPv4 subtree at ::/96
		"2001:470::1":       "us", // Hurricane Electric, tunnel broker
		"2a00:1450:4001::1": "ie",
		// the known faults the Enricher's special ranges override
		"192.168.1.1":  "au",
		"172.16.0.1":   "au",
		"198.51.100.1": "au",
		"2001:db8::1":  "jp",
	} {
		if got := db.Lookup(netip.MustParseAddr(a)).String(); got != want {
			t.Errorf("built-in Lookup(%s) = %s, want %s", a, got, want)
		}
	}
	if got := db.Lookup(netip.Addr{}); got != flowfile.NoCountry {
		t.Errorf("Lookup(zero Addr) = %s", got)
	}
}

func TestRecordFallbacks(t *testing.T) {
	var r record
	r.Continent.Code = "AS"
	if s, ok, _ := r.code(); s != "ap" || ok {
		t.Errorf("continent AS: %q %v, want ap and no country field", s, ok)
	}
	r.RepresentedCountry.ISOCode = "US"
	if s, ok, _ := r.code(); s != "US" || !ok {
		t.Errorf("represented US: %q %v", s, ok)
	}
	r.RegisteredCountry.ISOCode = "DE"
	if s, _, _ := r.code(); s != "DE" {
		t.Errorf("registered DE beats represented: %q", s)
	}
	r.Country.ISOCode = "FR"
	if s, _, flat := r.code(); s != "FR" || flat {
		t.Errorf("country FR: %q flat=%v", s, flat)
	}
	r.CountryCode = "CH"
	if s, _, flat := r.code(); s != "CH" || !flat {
		t.Errorf("country_code CH: %q flat=%v", s, flat)
	}
	r = record{}
	r.Continent.Code = "ZZ"
	if s, ok, _ := r.code(); s != "" || ok {
		t.Errorf("unknown continent: %q %v", s, ok)
	}
}
