package collector

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/site"
)

// loadSite reads the site configuration (flag, GFLOW_SITE_CONFIG, then
// ROOT/gflow.toml) or takes the defaults, saying so once, and builds the
// country enricher from its internal networks and overrides.
func loadSite(flagPath, dataRoot, geoFlag string, logf func(string, ...any)) (*site.Config, *geo.Enricher, error) {
	cfg, err := site.Open(flagPath, dataRoot)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Path == "" {
		logf("no site configuration (no %s); using one sensor S0 for every exporter and the private ranges as internal networks",
			filepath.Join(cfg.DataRoot, site.FileName))
	}
	// The database: --geoip-db, else the site configuration's, else
	// GFLOW_GEOIP_DB, else the built-in one (geo.Load takes the last two).
	dbPath := geoFlag
	if dbPath == "" {
		dbPath = cfg.GeoIPDB
	}
	db, err := geo.Load(dbPath)
	if err != nil {
		return nil, nil, fmt.Errorf("country database: %w", err)
	}
	if w := geo.StaleWarning(db, time.Now()); w != "" {
		logf("warning: %s", w)
	}
	internal := append([]netip.Prefix(nil), cfg.Internal...)
	for _, s := range cfg.Sensors {
		internal = append(internal, s.Internal...)
	}
	overrides := make([]geo.Override, len(cfg.Countries))
	for i, o := range cfg.Countries {
		overrides[i] = geo.Override{Prefix: o.Prefix, Country: o.Country}
	}
	enr, err := geo.NewEnricher(db, internal, overrides)
	if err != nil {
		return nil, nil, fmt.Errorf("site configuration: %w", err)
	}
	return cfg, enr, nil
}
