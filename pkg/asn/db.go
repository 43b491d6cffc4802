// Package asn answers "which network is this address in, and who runs
// it?" for gflow: the address's autonomous system (AS) number and the
// organisation's name.
//
// A database is built in (ip-location-db's asn package: RouteViews, the
// five RIRs' data and DB-IP's IP to ASN Lite, CC BY 4.0), so a fresh
// install knows the networks offline, with no licence key. A user's own
// MaxMind DB file (MaxMind GeoLite2-ASN or GeoIP2-ISP, DB-IP ASN Lite,
// ip-location-db's asn mmdb, or a file with the same fields under traits)
// replaces it: see Load.
//
// Every database is flattened into an iptable.Table when it is loaded, so
// a lookup costs a few nanoseconds and allocates nothing. AS 0 means "no
// AS": addresses no network announces. Names are looked up by AS number
// when a tool prints them; they are not stored with the flows.
package asn

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/iptable"
)

// EnvDB names the environment variable that selects a user's database when
// no --asn-db flag is given.
const EnvDB = cli.EnvASNDB

// The built-in database: see data/SOURCE.md.
const (
	builtinPackage = "@ip-location-db/asn"
	builtinVersion = "2.3.2026061719"
	// builtinBuilt is the date in the package's version, kept here so
	// --version need not decode the table (the tests check it).
	builtinBuilt = "2026-06-17"
	// Attribution is the credit the built-in data's licences ask for.
	Attribution = "contains data from RouteViews (routeviews.org), the Number Resource Organization (nro.net) and DB-IP (db-ip.com), CC BY 4.0"
)

//go:embed data/asn.zst
var builtinTable []byte

// DB is a loaded AS database, flattened for fast lookups. It is read-only
// after loading and safe for concurrent use.
type DB struct {
	t *iptable.Table[uint32]
	// asns is sorted; names[nameOf[i]] is the organisation of asns[i].
	asns      []uint32
	nameOf    []uint32
	names     []string
	nameWidth int

	source      string // "built-in" or the file's path
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

// Builtin returns the built-in database, decoded on first use and shared
// after that.
func Builtin() (*DB, error) {
	builtin.once.Do(func() {
		builtin.db, builtin.err = OpenTable(builtinTable)
	})
	return builtin.db, builtin.err
}

// OpenTable decodes a table in the built-in database's form (as
// internal/genasn writes it, zstd-compressed).
func OpenTable(z []byte) (*DB, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("built-in AS database: %w", err)
	}
	defer dec.Close()
	raw, err := dec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("built-in AS database: %w", err)
	}
	db, src, err := decodeTable(raw)
	if err != nil {
		return nil, fmt.Errorf("built-in AS database: %w", err)
	}
	db.builtin = true
	db.source = "built-in"
	db.build = src.Built
	db.layout = "built-in table"
	db.desc = fmt.Sprintf("%s %s (built %s)", src.Package, src.Version, src.Built.Format(time.DateOnly))
	db.attribution = Attribution
	return db, nil
}

// Open loads a user's MaxMind DB file: MaxMind GeoLite2-ASN or GeoIP2-ISP,
// DB-IP ASN Lite, or ip-location-db's asn mmdb (autonomous_system_number
// and autonomous_system_organization in each record); GeoIP2 Enterprise
// or DB-IP files with the same fields under traits; or IPinfo's (asn
// "AS13335", as_name). A missing or corrupt file, or one with no AS field
// in any record, is an error that names the file.
func Open(path string) (*DB, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("AS database: %w", err)
	}
	db, err := openBytes(path, b)
	if err != nil {
		return nil, err
	}
	db.source = path
	return db, nil
}

// Load picks the database the tools use: the file flagPath names if it is
// not empty (the --asn-db flag, or the site configuration's asn-db when
// the flag is not given), else the file GFLOW_ASN_DB names, else the
// built-in database.
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
		return nil, fmt.Errorf("AS database %s: not a MaxMind DB file: %w", name, err)
	}
	defer func() {
		if cerr := r.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("AS database %s: %w", name, cerr)
		}
	}()
	d := &decoder{names: map[uint32]string{}}
	t, err := iptable.FromMMDB(r, 0, d.asOf)
	if err != nil {
		return nil, fmt.Errorf("AS database %s: corrupt: %w", name, err)
	}
	if d.layout == "" {
		return nil, fmt.Errorf("AS database %s: no record has autonomous_system_number, traits.autonomous_system_number or asn (type %q is not an AS database)",
			name, r.Metadata.DatabaseType)
	}
	db = &DB{t: t, source: name, build: r.Metadata.BuildTime().UTC(), layout: d.layout}
	db.asns = make([]uint32, 0, len(d.names))
	for a := range d.names {
		db.asns = append(db.asns, a)
	}
	slices.Sort(db.asns)
	// organisations often run several AS numbers: keep each name once
	index := map[string]uint32{}
	db.nameOf = make([]uint32, len(db.asns))
	for i, a := range db.asns {
		s := d.names[a]
		k, ok := index[s]
		if !ok {
			k = uint32(len(db.names))
			index[s] = k
			db.names = append(db.names, s)
		}
		db.nameOf[i] = k
	}
	db.nameWidth = widest(db.names)
	db.desc = fmt.Sprintf("%s %s (built %s)", name, r.Metadata.DatabaseType, db.build.Format(time.DateOnly))
	if en := r.Metadata.Description["en"]; en != "" {
		db.desc = fmt.Sprintf("%s: %s (built %s)", name, en, db.build.Format(time.DateOnly))
	}
	db.attribution = attributionFor(r.Metadata.DatabaseType, r.Metadata.Description)
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
		return "IP to ASN data by DB-IP, db-ip.com, CC BY 4.0"
	case strings.Contains(all, "ipinfo"):
		return "IP address data powered by IPinfo, ipinfo.io"
	}
	return ""
}

// Lookup returns the AS number of addr, 0 when no network holds it.
// IPv4-mapped IPv6 addresses are looked up as IPv4. It applies no site
// rule: the collector leaves internal and special addresses at 0.
func (db *DB) Lookup(addr netip.Addr) uint32 { return db.t.Lookup(addr) }

// Lookup4 is Lookup for an IPv4 address as a number.
func (db *DB) Lookup4(a uint32) uint32 { return db.t.Lookup4(a) }

// Lookup6 is Lookup for an IPv6 address that is not IPv4-mapped.
func (db *DB) Lookup6(u iptable.U128) uint32 { return db.t.Lookup6(u) }

// Name returns the organisation running AS number as, "" when the
// database does not know it.
func (db *DB) Name(as uint32) string {
	i, ok := slices.BinarySearch(db.asns, as)
	if !ok {
		return ""
	}
	return db.names[db.nameOf[i]]
}

// NameWidth is the length in characters of the longest organisation name,
// the width SiLK would give a column of them (as it sizes a prefix map's
// label column by its longest label).
func (db *DB) NameWidth() int { return db.nameWidth }

// Len is the number of AS numbers the database names.
func (db *DB) Len() int { return len(db.asns) }

// BuildDate is when the database was built.
func (db *DB) BuildDate() time.Time { return db.build }

// Description says which database this is, e.g.
// "@ip-location-db/asn 2.3.2026061719 (built 2026-06-17)".
func (db *DB) Description() string { return db.desc }

// Attribution is the credit line the database's licence asks for, empty
// when none is known.
func (db *DB) Attribution() string { return db.attribution }

// Source is "built-in" or the path the database was opened from.
func (db *DB) Source() string { return db.source }

// IsBuiltin reports whether db is the built-in database.
func (db *DB) IsBuiltin() bool { return db.builtin }

// Layout names where the AS number came from: "built-in table",
// "autonomous_system_number" (GeoLite2-ASN and alike),
// "traits.autonomous_system_number" or "asn" (IPinfo).
func (db *DB) Layout() string { return db.layout }

func widest(names []string) int {
	w := 0
	for _, s := range names {
		w = max(w, utf8.RuneCountInString(s))
	}
	return w
}

// decoder reads AS numbers and names from records for iptable.FromMMDB
// (which calls it once per distinct record) and notes the layout.
type decoder struct {
	names  map[uint32]string
	layout string
}

// record holds every layout's fields; looseRecord is the fallback when a
// record's fields have other types than these.
type record struct {
	ASN    uint32 `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
	Traits struct {
		ASN uint32 `maxminddb:"autonomous_system_number"`
		Org string `maxminddb:"autonomous_system_organization"`
	} `maxminddb:"traits"`
	// IPinfo: "asn": "AS13335", "as_name" (or "name" in its ASN file)
	IPinfoASN  string `maxminddb:"asn"`
	IPinfoName string `maxminddb:"as_name"`
	Name       string `maxminddb:"name"`
}

type looseRecord struct {
	ASN    any `maxminddb:"autonomous_system_number"`
	Org    any `maxminddb:"autonomous_system_organization"`
	Traits any `maxminddb:"traits"`
	IPinfo any `maxminddb:"asn"`
}

func (d *decoder) asOf(res maxminddb.Result) (uint32, error) {
	var r record
	if err := res.Decode(&r); err != nil {
		var l looseRecord
		if err2 := res.Decode(&l); err2 != nil {
			var v any
			if res.Decode(&v) != nil {
				return 0, err // the data section itself is damaged
			}
			return 0, nil // not a map: no AS
		}
		r = record{}
		r.ASN = anyUint32(l.ASN)
		r.Org, _ = l.Org.(string)
		if m, ok := l.Traits.(map[string]any); ok {
			r.Traits.ASN = anyUint32(m["autonomous_system_number"])
			r.Traits.Org, _ = m["autonomous_system_organization"].(string)
		}
		r.IPinfoASN, _ = l.IPinfo.(string)
	}
	as, name, layout := uint32(0), "", ""
	switch {
	case r.ASN != 0:
		as, name, layout = r.ASN, r.Org, "autonomous_system_number"
	case r.Traits.ASN != 0:
		as, name, layout = r.Traits.ASN, r.Traits.Org, "traits.autonomous_system_number"
	case r.IPinfoASN != "":
		as = parseASText(r.IPinfoASN)
		name, layout = r.IPinfoName, "asn"
		if name == "" {
			name = r.Name
		}
	}
	if as == 0 {
		return 0, nil
	}
	if d.layout == "" {
		d.layout = layout
	}
	if _, ok := d.names[as]; !ok {
		d.names[as] = cleanName(name)
	}
	return as, nil
}

// anyUint32 is an AS number stored as any unsigned or signed integer type.
func anyUint32(v any) uint32 {
	switch x := v.(type) {
	case uint64:
		if x <= 1<<32-1 {
			return uint32(x)
		}
	case uint32:
		return x
	case uint16:
		return uint32(x)
	case int32:
		if x >= 0 {
			return uint32(x)
		}
	case int:
		if x >= 0 && x <= 1<<32-1 {
			return uint32(x)
		}
	}
	return 0
}

// parseASText reads "AS13335" or "13335"; 0 when it is neither.
func parseASText(s string) uint32 {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "AS"), "as")
	var v uint64
	if s == "" || len(s) > 10 {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		v = v*10 + uint64(s[i]-'0')
	}
	if v > 1<<32-1 {
		return 0
	}
	return uint32(v)
}

// cleanName makes a name safe to print: control characters and invalid
// UTF-8 become spaces, so a user's file cannot put escape sequences or
// broken bytes on a terminal.
func cleanName(s string) string {
	clean := true
	for _, c := range s {
		if c < 0x20 || c == 0x7f || c == utf8.RuneError || (c >= 0x80 && c < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return strings.TrimSpace(s)
	}
	var b bytes.Buffer
	for _, c := range s {
		if c < 0x20 || c == 0x7f || c == utf8.RuneError || (c >= 0x80 && c < 0xa0) {
			c = ' '
		}
		b.WriteRune(c)
	}
	return strings.TrimSpace(b.String())
}
