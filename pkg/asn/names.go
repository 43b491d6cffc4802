package asn

import (
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
