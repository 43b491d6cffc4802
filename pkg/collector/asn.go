package collector

import (
	"time"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
)

// Home routers send no AS numbers (MikroTik: "RouterOS does not include
// BGP AS numbers"), so the collector fills sAS and dAS from the AS
// database, in the same cached lookup as the country codes. An exporter's
// own BGP AS numbers win: only a zero is filled. Addresses that are
// internal to the site or special-purpose keep AS 0 (the country
// enricher's rule decides which, geo.Enricher.Classify), and so do the
// addresses a sensor learned as its own (learnedCountries) and those no
// network announces.

// fillAS stores the database's AS numbers where the exporter sent none.
func fillAS(r *flowfile.Record, sas, das uint32) {
	if r.SrcAS == 0 {
		r.SrcAS = sas
	}
	if r.DstAS == 0 {
		r.DstAS = das
	}
}

// startASN opens the AS database on another goroutine, so that it decodes
// while the site and the country tables load: --asn-db, else the site
// configuration's asn-db, else GFLOW_ASN_DB, else the built-in one. The
// returned function waits for it. A bad site configuration is loadSite's
// to report; here it only means no AS database.
func startASN(cfg Config, logf func(string, ...any)) func() (*asn.DB, error) {
	type result struct {
		db  *asn.DB
		err error
	}
	done := make(chan result, 1)
	go func() {
		path := cfg.ASNDB
		if path == "" {
			sc, err := site.Open(cfg.SiteConfig, cfg.DataRoot)
			if err != nil {
				done <- result{}
				return
			}
			path = sc.ASNDB
		}
		db, err := asn.Load(path)
		if err == nil {
			if w := asn.StaleWarning(db, time.Now()); w != "" {
				logf("warning: %s", w)
			}
		}
		done <- result{db, err}
	}()
	return func() (*asn.DB, error) {
		r := <-done
		return r.db, r.err
	}
}
