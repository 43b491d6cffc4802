package geo

import (
	"strings"
	"testing"
	"time"
)

func TestVersionLines(t *testing.T) {
	t.Setenv(EnvDB, "")
	lines := VersionLines()
	want := "Country data: geo-whois-asn-country 2.3.2026061719 (built 2026-06-17), contains data from the Number Resource Organization, nro.net, CC BY 4.0"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("VersionLines() = %q, want [%q]", lines, want)
	}
	t.Setenv(EnvDB, "/srv/GeoLite2-Country.mmdb")
	if lines := VersionLines(); len(lines) != 2 || !strings.Contains(lines[1], "/srv/GeoLite2-Country.mmdb") {
		t.Errorf("VersionLines() with %s set = %q", EnvDB, lines)
	}
	db, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if db.VersionLine() != want {
		t.Errorf("VersionLine() = %q, want %q", db.VersionLine(), want)
	}
}

func TestStaleWarning(t *testing.T) {
	db, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) // 162 days after the build
	if w := StaleWarning(db, today); w != "" {
		t.Errorf("162 days old: warning %q", w)
	}
	if w := StaleWarning(db, db.BuildDate().Add(StaleAfter)); w != "" {
		t.Errorf("exactly 180 days old: warning %q", w)
	}
	later := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	w := StaleWarning(db, later)
	for _, s := range []string{"2026-06-17", "197 days", "--geoip-db", EnvDB} {
		if !strings.Contains(w, s) {
			t.Errorf("197 days old: warning %q lacks %q", w, s)
		}
	}
	user, err := Open(fixtureFile(t, "old.mmdb", nested, 6))
	if err != nil {
		t.Fatal(err)
	}
	if w := StaleWarning(user, fixtureBuild.AddDate(1, 0, 0)); !strings.Contains(w, "old.mmdb") || !strings.Contains(w, "365 days") {
		t.Errorf("user file a year old: warning %q", w)
	}
	if w := StaleWarning(nil, later); w != "" {
		t.Errorf("no database: warning %q", w)
	}
}
