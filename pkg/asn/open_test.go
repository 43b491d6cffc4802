package asn

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenLayouts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		l      layout
		layout string
	}{
		{"GeoLite2-ASN.mmdb", flat, "autonomous_system_number"},
		{"GeoIP2-Enterprise.mmdb", traits, "traits.autonomous_system_number"},
		{"ipinfo_lite.mmdb", ipinfo, "asn"},
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
			if db.IsBuiltin() {
				t.Error("a user's file says it is built in")
			}
			for a, want := range fixtureWant {
				if got := db.Lookup(netip.MustParseAddr(a)); got != want {
					t.Errorf("Lookup(%s) = %d, want %d", a, got, want)
				}
			}
			for as, want := range map[uint32]string{
				15169: "Google LLC", 16509: "Amazon.com, Inc.", 14618: "Amazon.com, Inc.",
				559:        "SWITCH [31m Peering AG", // control characters blanked
				4294967294: "the last private AS",
				64496:      "", // not in the file
			} {
				if got := db.Name(as); got != want {
					t.Errorf("Name(%d) = %q, want %q", as, got, want)
				}
			}
			if db.Len() != 9 || len(db.names) != 8 {
				t.Errorf("%d AS numbers and %d names, want 9 and 8 (Amazon's two AS numbers share one)", db.Len(), len(db.names))
			}
			if db.NameWidth() != len("a private AS in a user's file") {
				t.Errorf("NameWidth = %d", db.NameWidth())
			}
		})
	}
}

// mmdbwriter aliases ::ffff:0:0/96, 2001::/32 (Teredo) and 2002::/16
// (6to4) to the IPv4 subtree; the tables must follow them as the mmdb does.
func TestAliases(t *testing.T) {
	db, err := Open(fixtureFile(t, "aliases.mmdb", flat, 6))
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]uint32{"2002:808:808::1": 15169, "2001:0:808:808::1": 15169, "::8.8.8.8": 15169, "2002:101:101::": 0} {
		if got := db.Lookup(netip.MustParseAddr(a)); got != want {
			t.Errorf("Lookup(%s) = %d, want %d", a, got, want)
		}
	}
}

func TestOpenIPv4Only(t *testing.T) {
	db, err := Open(fixtureFile(t, "v4.mmdb", flat, 4))
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]uint32{"8.8.8.8": 15169, "::ffff:130.59.1.1": 559, "2001:470::1": 0, "::8.8.8.8": 0} {
		if got := db.Lookup(netip.MustParseAddr(a)); got != want {
			t.Errorf("Lookup(%s) = %d, want %d", a, got, want)
		}
	}
}

func TestOpenErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	country := fixtureFile(t, "GeoLite2-Country.mmdb", noAS, 6)
	scalars := fixtureFile(t, "scalars.mmdb", scalar, 6)
	good := fixtureBytes(t, flat, 6, fixtureNets, true)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// keep the metadata (at the end) but wreck the search tree
	bad := append([]byte(nil), good...)
	for i := 0; i < len(bad)/2; i++ {
		bad[i] = 0xff
	}
	corrupt := write("corrupt.mmdb", bad)
	text := write("notes.txt", []byte("not a database\n"))
	empty := write("empty.mmdb", nil)
	truncated := write("truncated.mmdb", good[:len(good)/3])
	missing := filepath.Join(dir, "GeoLite2-ASN.mmdb")
	for _, tc := range []struct{ path, says string }{
		{country, "no record has autonomous_system_number"},
		{scalars, "no record has autonomous_system_number"},
		{corrupt, "corrupt"},
		{text, "not a MaxMind DB file"},
		{empty, "not a MaxMind DB file"},
		{truncated, "not a MaxMind DB file"},
		{missing, "no such file"},
		{dir, "is a directory"},
	} {
		db, err := Open(tc.path)
		if err == nil {
			t.Errorf("Open(%s) succeeded with %s", filepath.Base(tc.path), db.Description())
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.path) || !strings.Contains(msg, tc.says) || !strings.HasPrefix(msg, "AS database") {
			t.Errorf("Open(%s): error %q should start \"AS database\", name the file and say %q", filepath.Base(tc.path), msg, tc.says)
		}
		if strings.Count(msg, tc.path) != 1 || strings.Contains(msg, "\n") {
			t.Errorf("Open(%s): error %q is not one line naming the file once", filepath.Base(tc.path), msg)
		}
	}
}

func TestLoadOrder(t *testing.T) {
	flagDB := fixtureFile(t, "flag.mmdb", flat, 6)
	envDB := fixtureFile(t, "env.mmdb", traits, 6)

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
	if err != nil || !db.IsBuiltin() {
		t.Fatalf("Load(\"\") with nothing set = %v, %v; want the built-in database", db, err)
	}
	again, _ := Builtin()
	if again != db {
		t.Error("Builtin decoded the table twice")
	}
}

func TestParseASText(t *testing.T) {
	for s, want := range map[string]uint32{"AS13335": 13335, "as13335": 13335, "13335": 13335, "AS": 0, "AS4294967295": 4294967295,
		"AS4294967296": 0, "ASx": 0, "": 0, "AS12345678901": 0} {
		if got := parseASText(s); got != want {
			t.Errorf("parseASText(%q) = %d, want %d", s, got, want)
		}
	}
}
