package collector

import (
	"time"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/site"
)

// Home routers send no AS numbers (MikroTik: "RouterOS does not include
// BGP AS numbers"), so the collector fills sAS and dAS from the AS
// database, in the same cached lookup as the country codes. An exporter's
// own BGP AS numbers win: only a zero is filled. Addresses that are
// internal to the site or special-purpose keep AS 0 (the country
// enricher's rule decides which, geo.Enricher.Classify); so do those no
// network announces.

// loadASN opens the AS database: --asn-db, else the site configuration's
// asn-db, else GFLOW_ASN_DB, else the built-in one.
func loadASN(flagPath string, cfg *site.Config, logf func(string, ...any)) (*asn.DB, error) {
	path := flagPath
	if path == "" {
		path = cfg.ASNDB
	}
	db, err := asn.Load(path)
	if err != nil {
		return nil, err
	}
	if w := asn.StaleWarning(db, time.Now()); w != "" {
		logf("warning: %s", w)
	}
	return db, nil
}
