package silk

import (
	"fmt"
	"net/netip"
	"sync"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/site"
)

// SiLK's flow files carry no country codes (SiLK looks them up in its
// prefix map when a tool asks). gflow's records carry them, set by the
// collector, so a SiLK record gets its codes when it is read, from the
// country database under the site's rule (geo.Enricher: the site's
// internal networks and the special ranges are "--", then the site's
// overrides, then the database), as gflowcap would have given them. They
// are looked up only for the records' sides a reader asks for
// (flowfile.FieldSrc, FieldDst), and the enricher is built the first time
// one is needed.

// countries gives records their codes.
type countries struct {
	once sync.Once
	load func() (*geo.Enricher, error)
	enr  *geo.Enricher
	err  error
}

var (
	siteMu   sync.Mutex
	siteLoad = func() (*geo.Enricher, error) { return Enricher(nil) }
	shared   *countries
)

// UseSite makes SiLK records read from now on get their countries under
// cfg's rule and from cfg's database (nil: the site configuration every
// tool finds by default, see site.Open). A tool that loads the site
// configuration from its own switches calls it before reading.
func UseSite(cfg *site.Config) {
	siteMu.Lock()
	defer siteMu.Unlock()
	siteLoad = func() (*geo.Enricher, error) { return Enricher(cfg) }
	shared = nil
}

// defaultCountries returns the process's shared country lookup.
func defaultCountries() *countries {
	siteMu.Lock()
	defer siteMu.Unlock()
	if shared == nil {
		shared = &countries{load: siteLoad}
	}
	return shared
}

// Enricher builds the country lookup of cfg's site rule and database, as
// gflowcap builds it (nil cfg: the site configuration found by default).
func Enricher(cfg *site.Config) (*geo.Enricher, error) {
	if cfg == nil {
		var err error
		if cfg, err = site.Open("", ""); err != nil {
			return nil, err
		}
	}
	db, err := geo.Load(cfg.GeoIPDB)
	if err != nil {
		return nil, fmt.Errorf("country database: %w", err)
	}
	internal := append([]netip.Prefix(nil), cfg.Internal...)
	for _, s := range cfg.Sensors {
		internal = append(internal, s.Internal...)
	}
	overrides := make([]geo.Override, len(cfg.Countries))
	for i, o := range cfg.Countries {
		overrides[i] = geo.Override{Prefix: o.Prefix, Country: o.Country}
	}
	return geo.NewEnricher(db, internal, overrides)
}

// set gives recs the country codes of the sides fields asks for.
func (c *countries) set(recs []flowfile.Record, fields flowfile.Fields) error {
	src, dst := fields&flowfile.FieldSrc != 0, fields&flowfile.FieldDst != 0
	if !src && !dst || len(recs) == 0 {
		return nil
	}
	c.once.Do(func() { c.enr, c.err = c.load() })
	if c.err != nil {
		return fmt.Errorf("country codes for SiLK records: %w", c.err)
	}
	// consecutive flows often share an address: ask once for a run
	var lastS, lastD netip.Addr
	var ccS, ccD flowfile.Country
	for i := range recs {
		r := &recs[i]
		if src {
			if r.SIP != lastS || i == 0 {
				lastS, ccS = r.SIP, c.enr.Country(r.SIP)
			}
			r.SCC = ccS
		}
		if dst {
			if r.DIP != lastD || i == 0 {
				lastD, ccD = r.DIP, c.enr.Country(r.DIP)
			}
			r.DCC = ccD
		}
	}
	return nil
}
