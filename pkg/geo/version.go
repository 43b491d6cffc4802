package geo

import (
	"fmt"
	"os"
	"time"
)

// builtinBuilt is the built-in database's build date (its metadata's
// build epoch, checked by the tests), kept here so --version need not
// parse the database.
const builtinBuilt = "2026-06-17"

// StaleAfter is how old a database may be before the tools warn.
const StaleAfter = 180 * 24 * time.Hour

// VersionLines are the lines the tools add to --version: which country
// data is built in, its build date and the credit its licence asks for,
// and which file replaces it when GFLOW_GEOIP_DB is set.
func VersionLines() []string {
	lines := []string{fmt.Sprintf("Country data: %s %s (built %s), %s",
		builtinPackage, builtinVersion, builtinBuilt, NROAttribution)}
	if p := os.Getenv(EnvDB); p != "" {
		lines = append(lines, fmt.Sprintf("Country data in use: %s (from %s)", p, EnvDB))
	}
	return lines
}

// VersionLine describes db for --version when a tool has it loaded:
// "Country data: DESCRIPTION, ATTRIBUTION".
func (db *DB) VersionLine() string {
	if db.attribution == "" {
		return "Country data: " + db.desc
	}
	return "Country data: " + db.desc + ", " + db.attribution
}

// StaleWarning returns a warning when db was built more than StaleAfter
// before now, and "" otherwise (or when the file gives no build date).
// The tools print it on stderr as "TOOL: warning: ...".
func StaleWarning(db *DB, now time.Time) string {
	if db == nil || db.build.Unix() <= 0 {
		return ""
	}
	age := now.Sub(db.build)
	if age <= StaleAfter {
		return ""
	}
	days := int(age / (24 * time.Hour))
	if db.builtin {
		return fmt.Sprintf("the built-in country database was built %s, %d days ago: country codes may be out of date; update gflow or point --geoip-db or %s at a current GeoLite2/GeoIP2 or DB-IP file",
			db.build.Format(time.DateOnly), days, EnvDB)
	}
	return fmt.Sprintf("country database %s was built %s, %d days ago: country codes may be out of date; update the file",
		db.source, db.build.Format(time.DateOnly), days)
}
