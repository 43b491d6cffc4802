package site

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Error is a problem in a site configuration file. It prints as
//
//	gflow.toml:12: sensors[1].internal: "10.0.0.0/33" is not a valid prefix
type Error struct {
	File string // the file as it was named
	Line int    // 1-based; 0 when the line is not known
	Key  string // "sensors[1].internal"; "" for syntax errors
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// fileConfig is the file's layout (see testdata/gflow.example.toml).
type fileConfig struct {
	DataRootdir string            `toml:"data-rootdir"`
	GeoIPDB     string            `toml:"geoip-db"`
	ASNDB       string            `toml:"asn-db"`
	ICMPSplit   bool              `toml:"icmp-split"`
	Learn       *bool             `toml:"learn"`
	Internal    *[]string         `toml:"internal"`
	Countries   map[string]string `toml:"countries"`
	Sensors     []fileSensor      `toml:"sensors"`
}

type fileSensor struct {
	Name               string    `toml:"name"`
	ID                 *int64    `toml:"id"`
	Description        string    `toml:"description"`
	Exporters          []string  `toml:"exporters"`
	Internal           *[]string `toml:"internal"`
	External           []string  `toml:"external"`
	Null               []string  `toml:"null"`
	InternalInterfaces []int64   `toml:"internal-interfaces"`
	ExternalInterfaces []int64   `toml:"external-interfaces"`
	NullInterfaces     []int64   `toml:"null-interfaces"`
	SamplingRate       int64     `toml:"sampling-rate"`
	Learn              *bool     `toml:"learn"`
}

// MaxSensorID is the largest sensor id; 65535 is SiLK's "invalid sensor".
const MaxSensorID = 65534

// Load reads and checks the site configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("site configuration: %w", err)
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	// Paths in the file are relative to the file's directory.
	dir := filepath.Dir(path)
	if cfg.DataRoot != "" && !filepath.IsAbs(cfg.DataRoot) {
		cfg.DataRoot = filepath.Join(dir, cfg.DataRoot)
	}
	if cfg.GeoIPDB != "" && !filepath.IsAbs(cfg.GeoIPDB) {
		cfg.GeoIPDB = filepath.Join(dir, cfg.GeoIPDB)
	}
	if cfg.ASNDB != "" && !filepath.IsAbs(cfg.ASNDB) {
		cfg.ASNDB = filepath.Join(dir, cfg.ASNDB)
	}
	return cfg, nil
}

// decodeErrRE matches the decoder's type errors, which carry a line but are
// not a toml.ParseError.
var decodeErrRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// Parse checks a site configuration held in data; name is the file name
// used in errors. Any problem is returned as an *Error naming the first bad
// line of the file.
func Parse(name string, data []byte) (*Config, error) {
	var fc fileConfig
	src := string(data)
	md, err := toml.Decode(src, &fc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
		}
		if m := decodeErrRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &Error{File: name, Line: line, Key: m[2], Msg: m[3]}
		}
		return nil, &Error{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	ck := &checker{name: name, src: src, loc: newLocator(src)}
	for _, k := range md.Undecoded() {
		path, line := ck.loc.findUndecoded(k)
		if line == 0 {
			line = ck.loc.tableLine(src, path)
		}
		ck.errs = append(ck.errs, &Error{File: name, Line: line, Key: path, Msg: "unknown key"})
	}
	cfg := ck.check(&fc)
	if len(ck.errs) > 0 {
		// Report the first problem in the file; unknown lines last.
		slices.SortStableFunc(ck.errs, func(a, b *Error) int {
			return cmp.Compare(lineOrder(a.Line), lineOrder(b.Line))
		})
		return nil, ck.errs[0]
	}
	cfg.Path = name
	if err := cfg.build(); err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	return cfg, nil
}

func lineOrder(l int) int {
	if l == 0 {
		return math.MaxInt
	}
	return l
}

type checker struct {
	name string
	src  string
	loc  *locator
	errs []*Error
}

// fail records a problem with key in table ("" or "sensors[1]"); value, if
// not empty, helps find the line of one element of a multi-line array.
func (ck *checker) fail(table, key, value, format string, args ...any) {
	line := ck.loc.line(table, key, value)
	path := key
	if k, ok := strings.CutPrefix(key, "countries."); ok && table == "" {
		// Country keys are prefixes: quote them as TOML does.
		line = ck.loc.line("countries", k, "")
		path = "countries." + strconv.Quote(k)
	} else if table != "" {
		path = table + "." + key
	}
	if line == 0 && table != "" {
		line = ck.loc.tableLine(ck.src, table)
	}
	ck.errs = append(ck.errs, &Error{File: ck.name, Line: line, Key: path, Msg: fmt.Sprintf(format, args...)})
}

// located is a prefix with where it came from, for overlap messages.
type located struct {
	p     netip.Prefix
	raw   string
	table string
	key   string
}

func (l located) where() string {
	if l.table == "" {
		return l.key
	}
	return l.table + "." + l.key
}

func (ck *checker) check(fc *fileConfig) *Config {
	cfg := &Config{
		DataRoot:           fc.DataRootdir,
		GeoIPDB:            fc.GeoIPDB,
		ASNDB:              fc.ASNDB,
		ICMPSplit:          fc.ICMPSplit,
		NoLearn:            fc.Learn != nil && !*fc.Learn,
		InternalConfigured: fc.Internal != nil,
	}

	var siteInternal []located
	if fc.Internal != nil {
		list := ck.prefixes("", "internal", *fc.Internal)
		siteInternal = list
		ck.noOverlaps(list)
		cfg.Internal = prefixesOf(list)
		if cfg.Internal == nil {
			cfg.Internal = []netip.Prefix{}
		}
	} else {
		cfg.Internal = DefaultInternal()
		for _, p := range cfg.Internal {
			siteInternal = append(siteInternal, located{p: p, raw: p.String(), key: "internal (default)"})
		}
	}

	var countries []located
	keys := make([]string, 0, len(fc.Countries))
	for k := range fc.Countries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p, err := parsePrefix(k)
		if err != nil {
			ck.fail("", "countries."+k, "", "%v", err)
			continue
		}
		code := fc.Countries[k]
		if !validCountry(code) {
			ck.fail("", "countries."+k, "", "%q is not a two-letter country code (or \"--\" for none)", code)
			continue
		}
		countries = append(countries, located{p: p, raw: k, table: "countries", key: k})
		cfg.Countries = append(cfg.Countries, CountryOverride{Prefix: p, Country: flowfile.MakeCountry(code)})
	}
	ck.noOverlaps(countries)
	slices.SortFunc(cfg.Countries, func(a, b CountryOverride) int { return comparePrefix(a.Prefix, b.Prefix) })

	names := map[string]string{}
	ids := map[int64]string{}
	var exporters []located
	for i, fs := range fc.Sensors {
		table := "sensors[" + strconv.Itoa(i) + "]"
		s := &Sensor{Name: fs.Name, Description: fs.Description,
			NoLearn:            cfg.NoLearn,
			InternalConfigured: fs.Internal != nil || fc.Internal != nil}
		switch {
		case fs.Name == "":
			ck.fail(table, "name", "", "missing: every sensor needs a name")
		case !validSensorName(fs.Name):
			ck.fail(table, "name", "", "%q is not a valid sensor name (a letter, then letters, digits, '-' or '.'; at most 64)", fs.Name)
		case names[fs.Name] != "":
			ck.fail(table, "name", "", "sensor %q is already defined by %s", fs.Name, names[fs.Name])
		default:
			names[fs.Name] = table
		}
		switch {
		case fs.ID == nil:
			ck.fail(table, "id", "", "missing: every sensor needs a numeric id")
		case *fs.ID < 0 || *fs.ID > MaxSensorID:
			ck.fail(table, "id", "", "%d is out of range (0 to %d)", *fs.ID, MaxSensorID)
		case ids[*fs.ID] != "":
			ck.fail(table, "id", "", "id %d is already used by %s", *fs.ID, ids[*fs.ID])
		default:
			ids[*fs.ID] = table
			s.ID = uint16(*fs.ID)
		}

		if fs.Learn != nil { // the sensor's own setting wins over the site's
			s.NoLearn = !*fs.Learn
		}
		exp := ck.prefixes(table, "exporters", fs.Exporters)
		exporters = append(exporters, exp...)
		s.Exporters = prefixesOf(exp)

		var nets []located
		if fs.Internal != nil {
			l := ck.prefixes(table, "internal", *fs.Internal)
			nets = append(nets, l...)
			s.Internal = prefixesOf(l)
			if s.Internal == nil {
				s.Internal = []netip.Prefix{}
			}
		}
		if fs.Internal == nil && (fs.External != nil || fs.Null != nil) {
			// The sensor uses the site's internal networks: its external
			// and null networks must not overlap them either.
			nets = append(nets, siteInternal...)
		}
		ext := ck.prefixes(table, "external", fs.External)
		null := ck.prefixes(table, "null", fs.Null)
		nets = append(append(nets, ext...), null...)
		ck.noOverlaps(nets)
		s.External = prefixesOf(ext)
		s.Null = prefixesOf(null)

		s.InternalInterfaces = ck.interfaces(table, "internal-interfaces", fs.InternalInterfaces)
		s.ExternalInterfaces = ck.interfaces(table, "external-interfaces", fs.ExternalInterfaces)
		s.NullInterfaces = ck.interfaces(table, "null-interfaces", fs.NullInterfaces)
		ck.disjointInterfaces(table, map[string][]uint32{
			"internal-interfaces": s.InternalInterfaces,
			"external-interfaces": s.ExternalInterfaces,
			"null-interfaces":     s.NullInterfaces,
		})
		if s.byInterfaceConfigured() {
			// As in SiLK, a sensor is typed either by address or by
			// interface; only null-interfaces go with addresses.
			for _, k := range []struct {
				key string
				set bool
			}{{"internal", fs.Internal != nil}, {"external", fs.External != nil}, {"null", fs.Null != nil}} {
				if k.set {
					ck.fail(table, k.key, "", "cannot mix addresses and interfaces in one sensor; use interfaces (internal-interfaces, external-interfaces, null-interfaces) or addresses (internal, external, null)")
				}
			}
		}

		switch {
		case fs.SamplingRate < 0 || fs.SamplingRate > math.MaxUint32:
			ck.fail(table, "sampling-rate", "", "%d is out of range (1 to %d)", fs.SamplingRate, uint32(math.MaxUint32))
		default:
			s.SamplingRate = uint32(fs.SamplingRate)
		}
		cfg.Sensors = append(cfg.Sensors, s)
	}
	ck.noOverlaps(exporters)
	if len(cfg.Sensors) == 0 {
		// A file that names no sensor still has one, as Default.
		cfg.Sensors = []*Sensor{{Name: "S0", ID: 0, NoLearn: cfg.NoLearn, InternalConfigured: cfg.InternalConfigured}}
	}
	slices.SortStableFunc(cfg.Sensors, func(a, b *Sensor) int { return cmp.Compare(a.ID, b.ID) })
	return cfg
}

func (ck *checker) prefixes(table, key string, raw []string) []located {
	var out []located
	for _, r := range raw {
		p, err := parsePrefix(r)
		if err != nil {
			ck.fail(table, key, r, "%v", err)
			continue
		}
		out = append(out, located{p: p, raw: r, table: table, key: key})
	}
	return out
}

// noOverlaps reports the first pair of overlapping prefixes in list.
// Sorted by address, any overlap shows up between neighbours (a prefix
// containing a later one also contains everything between them).
func (ck *checker) noOverlaps(list []located) {
	if len(list) < 2 {
		return
	}
	sorted := slices.Clone(list)
	slices.SortStableFunc(sorted, func(a, b located) int { return comparePrefix(a.p, b.p) })
	for i := 1; i < len(sorted); i++ {
		a, b := sorted[i-1], sorted[i]
		if !a.p.Overlaps(b.p) {
			continue
		}
		// Report at the one written later in the file.
		la, lb := ck.loc.line(a.table, a.key, a.raw), ck.loc.line(b.table, b.key, b.raw)
		if a.table == "countries" {
			la, lb = ck.loc.line("countries", a.key, ""), ck.loc.line("countries", b.key, "")
		}
		if la > lb {
			a, b = b, a
		}
		if b.table == "countries" {
			ck.fail("", "countries."+b.key, "", "overlaps countries.%q", a.key)
			return
		}
		other := fmt.Sprintf("%q", a.raw)
		if a.where() != b.where() {
			other += " in " + a.where()
		}
		{
			ck.fail(b.table, b.key, b.raw, "%q overlaps %s", b.raw, other)
		}
		return
	}
}

func (ck *checker) interfaces(table, key string, raw []int64) []uint32 {
	var out []uint32
	seen := map[int64]bool{}
	for _, v := range raw {
		switch {
		case v < 0 || v > math.MaxUint32:
			ck.fail(table, key, "", "interface index %d is out of range (0 to %d)", v, uint32(math.MaxUint32))
		case seen[v]:
			ck.fail(table, key, "", "interface %d is listed twice", v)
		default:
			seen[v] = true
			out = append(out, uint32(v))
		}
	}
	return out
}

func (ck *checker) disjointInterfaces(table string, sets map[string][]uint32) {
	owner := map[uint32]string{}
	for _, key := range []string{"internal-interfaces", "external-interfaces", "null-interfaces"} {
		for _, v := range sets[key] {
			if o, dup := owner[v]; dup {
				ck.fail(table, key, "", "interface %d is also in %s", v, o)
				continue
			}
			owner[v] = key
		}
	}
}

// parsePrefix reads "192.0.2.0/24", "2001:db8::/32" or a single address
// ("192.0.2.1" = /32). IPv4-mapped IPv6 is taken as IPv4. A prefix with
// bits set after its length is refused, as it is most likely a typo.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q is not a valid address or prefix", s)
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a valid prefix", s)
	}
	if p.Addr().Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, fmt.Errorf("%q is not a valid prefix: IPv4-mapped prefixes need a length of at least 96", s)
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("%q has bits set beyond its length; did you mean %q?", s, m.String())
	}
	return p, nil
}

func prefixesOf(l []located) []netip.Prefix {
	if len(l) == 0 {
		return nil
	}
	out := make([]netip.Prefix, len(l))
	for i, x := range l {
		out[i] = x.p
	}
	sortPrefixes(out)
	return out
}

func sortPrefixes(ps []netip.Prefix) { slices.SortFunc(ps, comparePrefix) }

// comparePrefix orders IPv4 before IPv6, then by address, then shorter first.
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}

func validSensorName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// validCountry accepts "--" or a letter followed by a letter or digit, in
// any case (SiLK's rule for country codes).
func validCountry(s string) bool {
	if s == "--" {
		return true
	}
	if len(s) != 2 {
		return false
	}
	isLetter := func(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
	return isLetter(s[0]) && (isLetter(s[1]) || (s[1] >= '0' && s[1] <= '9'))
}
