package asn

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/cli"
)

// Every tool that links the built-in database credits it in --version, as
// its licence (CC BY 4.0) asks.
func init() {
	cli.RegisterAttribution(func() string { return strings.Join(VersionLines(), "\n") })
}

// StaleAfter is how old a database may be before the tools warn.
const StaleAfter = 180 * 24 * time.Hour

// VersionLines are the lines the tools add to --version: which AS data is
// built in, its date and the credit its licence asks for, and which file
// replaces it when GFLOW_ASN_DB is set.
func VersionLines() []string {
	lines := []string{fmt.Sprintf("AS data: %s %s (built %s), %s",
		builtinPackage, builtinVersion, builtinBuilt, Attribution)}
	if p := os.Getenv(EnvDB); p != "" {
		lines = append(lines, fmt.Sprintf("AS data in use: %s (from %s)", p, EnvDB))
	}
	return lines
}

// VersionLine describes db for --version when a tool has it loaded:
// "AS data: DESCRIPTION, ATTRIBUTION".
func (db *DB) VersionLine() string {
	if db.attribution == "" {
		return "AS data: " + db.desc
	}
	return "AS data: " + db.desc + ", " + db.attribution
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
		return fmt.Sprintf("the built-in AS database was built %s, %d days ago: AS numbers and names may be out of date; update gflow or point --asn-db or %s at a current GeoLite2-ASN or DB-IP ASN file",
			db.build.Format(time.DateOnly), days, EnvDB)
	}
	return fmt.Sprintf("AS database %s was built %s, %d days ago: AS numbers and names may be out of date; update the file",
		db.source, db.build.Format(time.DateOnly), days)
}
