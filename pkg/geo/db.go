// Package geo answers "which country is this address in?" for gflow.
//
// A database is built in (ip-location-db's geo-whois-asn-country, from NRO
// registry data, CC BY 4.0), so a fresh install works offline with no
// licence key. A user's own MaxMind DB file (GeoLite2/GeoIP2 Country or
// City, DB-IP, ip-location-db) replaces it: see Load.
//
// Every database is flattened into range tables when it is loaded, so a
// lookup costs a few nanoseconds and allocates nothing. Codes are
// flowfile.Country values: lower-case, "--" for no country, as SiLK prints
// them. An Enricher applies the site's rule for internal and special
// addresses before the database is asked.
package geo

import (
	_ "embed"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/iptable"
)

// EnvDB names the environment variable that selects a user's database when
// no --geoip-db flag is given.
const EnvDB = "GFLOW_GEOIP_DB"

// The built-in database: see data/SOURCE.md.
const (
	builtinPackage = "geo-whois-asn-country"
	builtinVersion = "2.3.2026061719"
	// NROAttribution is the credit the built-in data's licence asks for.
	NROAttribution = "contains data from the Number Resource Organization, nro.net, CC BY 4.0"
)

//go:embed data/geo-whois-asn-country.mmdb
var builtinMMDB []byte

// DB is a loaded country database, flattened for fast lookups. It is
// read-only after loading and safe for concurrent use.
type DB struct {
	t           *iptable.Table[flowfile.Country]
	source      string // "built-in" or the file's path
	dbType      string // the mmdb's database_type
	desc        string
	attribution string
	build       time.Time
	layout      string
	builtin     bool
}

var builtin struct {
	once sync.Once
	db   *DB
	err  error
}

// Builtin returns the built-in database, parsed on first use and shared
// after that.
func Builtin() (*DB, error) {
	builtin.once.Do(func() {
		db, err := openBytes("built-in country database", builtinMMDB)
		if err != nil {
			builtin.err = err
			return
		}
		db.builtin = true
		db.source = "built-in"
		db.desc = fmt.Sprintf("%s %s (built %s)", builtinPackage, builtinVersion, db.build.Format(time.DateOnly))
		db.attribution = NROAttribution
		builtin.db = db
	})
	return builtin.db, builtin.err
}

// Open loads a user's MaxMind DB file: MaxMind GeoLite2/GeoIP2 Country or
// City, DB-IP, or ip-location-db. The country is read from country_code
// (ip-location-db) or country.iso_code, then registered_country.iso_code,
// then represented_country.iso_code (MaxMind, DB-IP); networks with only a
// continent get SiLK's continent codes (eu, ap, xf, xa, xn, xo, xs), as
// rwgeoip2ccmap gives them. A missing or corrupt file, or one with no
// country field in any record, is an error that names the file.
func Open(path string) (*DB, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("country database: %w", err)
	}
	db, err := openBytes(path, b)
	if err != nil {
		return nil, err
	}
	db.source = path
	return db, nil
}

// Load picks the database the tools use: the file flagPath names if it is
// not empty (the --geoip-db flag), else the file GFLOW_GEOIP_DB names, else
// the built-in database. The site configuration's database path is applied
// by the caller: when the flag is empty it passes the configured path as
// flagPath, so the order is flag, site configuration, environment, built-in.
func Load(flagPath string) (*DB, error) {
	if flagPath != "" {
		return Open(flagPath)
	}
	if p := os.Getenv(EnvDB); p != "" {
		db, err := Open(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvDB, err)
		}
		return db, nil
	}
	return Builtin()
}

func openBytes(name string, b []byte) (db *DB, err error) {
	r, err := maxminddb.OpenBytes(b)
	if err != nil {
		return nil, fmt.Errorf("country database %s: not a MaxMind DB file: %w", name, err)
	}
	defer func() {
		if cerr := r.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("country database %s: %w", name, cerr)
		}
	}()
	t, d, err := buildTable(r)
	if err != nil {
		return nil, fmt.Errorf("country database %s: corrupt: %w", name, err)
	}
	if !d.found {
		return nil, fmt.Errorf("country database %s: no record has country_code, country.iso_code or registered_country.iso_code (type %q is not a country database)",
			name, r.Metadata.DatabaseType)
	}
	db = &DB{
		t:      t,
		source: name,
		dbType: r.Metadata.DatabaseType,
		build:  r.Metadata.BuildTime().UTC(),
		layout: "country.iso_code",
	}
	if d.flat {
		db.layout = "country_code"
	}
	db.desc = fmt.Sprintf("%s %s (built %s)", name, db.dbType, db.build.Format(time.DateOnly))
	if en := r.Metadata.Description["en"]; en != "" {
		db.desc = fmt.Sprintf("%s: %s (built %s)", name, en, db.build.Format(time.DateOnly))
	}
	db.attribution = attributionFor(db.dbType, r.Metadata.Description)
	return db, nil
}

// attributionFor gives the credit line the common databases' licences ask
// for; empty when the file does not say where it comes from.
func attributionFor(dbType string, desc map[string]string) string {
	all := dbType
	keys := make([]string, 0, len(desc))
	for k := range desc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		all += " " + desc[k]
	}
	all = strings.ToLower(all)
	switch {
	case strings.Contains(all, "geolite"):
		return "contains GeoLite2 data created by MaxMind, maxmind.com"
	case strings.Contains(all, "geoip2"):
		return "contains GeoIP2 data from MaxMind, maxmind.com"
	case strings.Contains(all, "db-ip") || strings.Contains(all, "dbip"):
		return "IP geolocation by DB-IP, db-ip.com, CC BY 4.0"
	}
	return ""
}

// Lookup returns the database's country for addr, "--" when it has none.
// IPv4-mapped IPv6 addresses are looked up as IPv4. It applies no site rule:
// use an Enricher for flows.
func (db *DB) Lookup(addr netip.Addr) flowfile.Country {
	return db.t.Lookup(addr)
}

// BuildDate is when the database was built (its metadata's build epoch).
func (db *DB) BuildDate() time.Time { return db.build }

// Description says which database this is, e.g.
// "geo-whois-asn-country 2.3.2026061719 (built 2026-06-17)".
func (db *DB) Description() string { return db.desc }

// Attribution is the credit line the database's licence asks for, empty
// when none is known.
func (db *DB) Attribution() string { return db.attribution }

// Source is "built-in" or the path the database was opened from.
func (db *DB) Source() string { return db.source }

// IsBuiltin reports whether db is the built-in database.
func (db *DB) IsBuiltin() bool { return db.builtin }

// Layout names the record field the country came from: "country_code"
// (ip-location-db) or "country.iso_code" (MaxMind, DB-IP).
func (db *DB) Layout() string { return db.layout }
