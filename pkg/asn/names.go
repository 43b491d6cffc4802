package asn

import (
	"fmt"
	"os"

	"github.com/gflow/gflow/pkg/site"
)

// ForNames loads the database a tool prints organisation names from: the
// file flagPath names (the tool's --asn-db), else the one the site
// configuration names (asn-db; siteConfig is the tool's
// --site-config-file, "" for GFLOW_SITE_CONFIG or the default), else
// GFLOW_ASN_DB's, else the built-in one.
func ForNames(flagPath, siteConfig string) (*DB, error) {
	if flagPath == "" {
		cfg, err := site.Open(siteConfig, "")
		if err != nil {
			return nil, err
		}
		flagPath = cfg.ASNDB
	}
	return Load(flagPath)
}

// CheckFile is for a tool given --asn-db that turns out not to need names
// (no name field asked for): a file that cannot be opened is still the
// error Open gives, not a mistyped name accepted without a word.
func CheckFile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("AS database: %w", err)
	}
	return f.Close()
}
