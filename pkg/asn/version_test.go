package asn

import (
	"strings"
	"testing"
	"time"
)

func TestVersionLines(t *testing.T) {
	t.Setenv(EnvDB, "")
	lines := VersionLines()
	want := "AS data: @ip-location-db/asn 2.3.2026061719 (built 2026-06-17), contains data from RouteViews (routeviews.org), the Number Resource Organization (nro.net) and DB-IP (db-ip.com), CC BY 4.0"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("VersionLines() = %q, want [%q]", lines, want)
	}
	t.Setenv(EnvDB, "/srv/GeoLite2-ASN.mmdb")
	if lines := VersionLines(); len(lines) != 2 || !strings.Contains(lines[1], "/srv/GeoLite2-ASN.mmdb") {
		t.Errorf("VersionLines() with %s set = %q", EnvDB, lines)
	}
	if got := builtinDB(t).VersionLine(); got != want {
		t.Errorf("VersionLine() = %q, want %q", got, want)
	}
}

func TestStaleWarning(t *testing.T) {
	db := builtinDB(t)
	if w := StaleWarning(db, db.BuildDate().Add(StaleAfter)); w != "" {
		t.Errorf("exactly 180 days old: warning %q", w)
	}
	w := StaleWarning(db, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, s := range []string{"2026-06-17", "198 days", "--asn-db", EnvDB} {
		if !strings.Contains(w, s) {
			t.Errorf("198 days old: warning %q lacks %q", w, s)
		}
	}
	user, err := Open(fixtureFile(t, "old.mmdb", flat, 6))
	if err != nil {
		t.Fatal(err)
	}
	if w := StaleWarning(user, fixtureBuild.AddDate(1, 0, 0)); !strings.Contains(w, "old.mmdb") || !strings.Contains(w, "365 days") {
		t.Errorf("user file a year old: warning %q", w)
	}
	if w := StaleWarning(nil, time.Now()); w != "" {
		t.Errorf("no database: warning %q", w)
	}
}
