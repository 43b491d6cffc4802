package site

import (
	"net/netip"
	"strconv"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Config is a site configuration: the sensors and how their flows are typed,
// the internal networks, country overrides and the site's paths. It is
// read-only once built, so one Config may be shared by every goroutine.
type Config struct {
	// Path is the file the configuration was loaded from; "" for Default.
	Path string
	// DataRoot is the repository root named by the file (data-rootdir),
	// or, after Open, the root in effect; "" if the file names none.
	DataRoot string
	// GeoIPDB is the country database named by the file (geoip-db).
	GeoIPDB string
	// ASNDB is the AS database named by the file (asn-db).
	ASNDB string
	// ICMPSplit puts ICMP flows in inicmp/outicmp instead of in/out.
	// Off by default, as in SiLK's default build.
	ICMPSplit bool
	// Internal lists the site-wide internal networks (sorted).
	Internal []netip.Prefix
	// Sensors lists the sensors in id order.
	Sensors []*Sensor
	// Countries lists the country overrides, sorted by prefix.
	Countries []CountryOverride
	// NoLearn is the file's site-wide "learn = false": no sensor learns
	// its site from the traffic (see package learn).
	NoLearn bool
	// InternalConfigured reports that the file lists the site-wide
	// internal networks itself (the key is present, even if empty).
	InternalConfigured bool

	internal  prefixSet // site-wide plus every sensor's internal networks
	byName    map[string]*Sensor
	byID      map[uint16]*Sensor
	exporters prefixMap[*Sensor]
	catchAll  *Sensor // the sensor without exporters, if any
	countries prefixMap[flowfile.Country]
	addrOnly  *Sensor // address classification with the site's networks
}

// CountryOverride gives the country of the addresses in Prefix regardless of
// the country database ("--" for none).
type CountryOverride struct {
	Prefix  netip.Prefix
	Country flowfile.Country
}

// Sensor is one sensor: a name and id, the exporters that feed it and the
// rules that type its flows, as a sensor block of SiLK's sensor.conf.
type Sensor struct {
	Name        string
	ID          uint16
	Description string

	// Exporters are the exporter addresses (or prefixes) whose flows
	// belong to this sensor. When exactly one sensor leaves it empty,
	// that sensor takes every exporter no other sensor names (the
	// one-router site needs no addresses); sensors listed only for their
	// names may all leave it empty, and then take no exporter.
	Exporters []netip.Prefix

	// Internal are the internal networks used for this sensor's flows:
	// its own internal list or else the site's.
	Internal []netip.Prefix
	// External are the external networks; empty means "remainder":
	// every address that is neither internal nor null.
	External []netip.Prefix
	// Null are destination networks whose traffic is dropped.
	Null []netip.Prefix

	// InternalInterfaces and ExternalInterfaces, when either is set,
	// type flows by interface (the record's In and Out) instead of by
	// address; the one left empty is the remainder. NullInterfaces
	// (usually 0, where routers send dropped traffic) works in both modes.
	InternalInterfaces []uint32
	ExternalInterfaces []uint32
	NullInterfaces     []uint32

	// SamplingRate is the sampling interval to assume when the exporter
	// announces none; 0 when not configured.
	SamplingRate uint32

	// NoLearn is the sensor's "learn = false" (or the site's): nothing is
	// learned from its traffic.
	NoLearn bool
	// InternalConfigured reports that the sensor's internal networks come
	// from the file (its own list or the site's), not the defaults: then
	// learned internal prefixes are not applied to it.
	InternalConfigured bool

	byInterface bool
	icmpSplit   bool
	internal    prefixSet
	external    prefixSet
	null        prefixSet
	intIf       ifSet
	extIf       ifSet
	nullIf      ifSet
}

// ByInterface reports whether the sensor types flows by interface.
func (s *Sensor) ByInterface() bool { return s.byInterface }

// defaultInternal are the internal networks when no configuration names
// any: RFC 1918, CGNAT (RFC 6598), IPv6 unique-local (RFC 4193), and the
// link-local ranges of both families. Link-local addresses never cross a
// router, so a flow that carries one was seen inside the site; typing it as
// external would invent incoming traffic (and give it a country).
var defaultInternal = []string{
	"10.0.0.0/8",
	"172.16.0.0/12",
	"192.168.0.0/16",
	"100.64.0.0/10",
	"169.254.0.0/16",
	"fc00::/7",
	"fe80::/10",
}

// DefaultInternal returns the internal networks used when none are
// configured.
func DefaultInternal() []netip.Prefix {
	ps := make([]netip.Prefix, len(defaultInternal))
	for i, s := range defaultInternal {
		ps[i] = netip.MustParsePrefix(s)
	}
	sortPrefixes(ps)
	return ps
}

// Default returns the configuration used when there is no file: one sensor
// S0 (id 0) fed by every exporter, typing flows by address with
// DefaultInternal as the internal networks and everything else external —
// right for the home router of the classic setup.
func Default() *Config {
	cfg := &Config{
		Internal: DefaultInternal(),
		Sensors:  []*Sensor{{Name: "S0", ID: 0}},
	}
	if err := cfg.build(); err != nil {
		panic("site: default configuration: " + err.Error()) // cannot happen
	}
	return cfg
}

// build completes a Config whose exported fields are set and valid: it
// fills each sensor's effective lists and the lookup tables.
func (c *Config) build() error {
	sortPrefixes(c.Internal)
	all := append([]netip.Prefix(nil), c.Internal...)
	c.byName = make(map[string]*Sensor, len(c.Sensors))
	c.byID = make(map[uint16]*Sensor, len(c.Sensors))
	var exp []netip.Prefix
	var expSensors []*Sensor
	c.catchAll = nil
	noExporters := 0
	for _, s := range c.Sensors {
		c.byName[s.Name] = s
		c.byID[s.ID] = s
		if len(s.Exporters) == 0 {
			c.catchAll = s
			noExporters++
		}
		for _, p := range s.Exporters {
			exp = append(exp, p)
			expSensors = append(expSensors, s)
		}
		if s.Internal == nil && !s.byInterfaceConfigured() {
			s.Internal = c.Internal
		}
		all = append(all, s.Internal...)
		s.compile(c.ICMPSplit)
	}
	if noExporters != 1 {
		c.catchAll = nil
	}
	c.exporters = newPrefixMap(exp, expSensors)
	c.internal = newPrefixSet(all)
	cp := make([]netip.Prefix, len(c.Countries))
	cc := make([]flowfile.Country, len(c.Countries))
	for i, o := range c.Countries {
		cp[i], cc[i] = o.Prefix, o.Country
	}
	c.countries = newPrefixMap(cp, cc)
	c.addrOnly = &Sensor{Name: "", Internal: c.Internal}
	c.addrOnly.compile(c.ICMPSplit)
	return nil
}

func (s *Sensor) byInterfaceConfigured() bool {
	return len(s.InternalInterfaces) > 0 || len(s.ExternalInterfaces) > 0
}

func (s *Sensor) compile(icmpSplit bool) {
	s.byInterface = s.byInterfaceConfigured()
	s.icmpSplit = icmpSplit
	s.internal = newPrefixSet(s.Internal)
	s.external = newPrefixSet(s.External)
	s.null = newPrefixSet(s.Null)
	s.intIf = newIfSet(s.InternalInterfaces)
	s.extIf = newIfSet(s.ExternalInterfaces)
	s.nullIf = newIfSet(s.NullInterfaces)
}

// SensorByName returns the sensor with the given name.
func (c *Config) SensorByName(name string) (*Sensor, bool) {
	s, ok := c.byName[name]
	return s, ok
}

// SensorByID returns the sensor with the given id.
func (c *Config) SensorByID(id uint16) (*Sensor, bool) {
	s, ok := c.byID[id]
	return s, ok
}

// SensorName returns the name of sensor id, or "S<id>" for an id the
// configuration does not know (files from another site, say).
func (c *Config) SensorName(id uint16) string {
	if s, ok := c.byID[id]; ok {
		return s.Name
	}
	return "S" + strconv.Itoa(int(id))
}

// SensorForExporter returns the sensor fed by the exporter at addr: the
// sensor whose exporters include it, else the one sensor with no exporters
// listed, if there is exactly one (in Default, S0 for every exporter). ok
// is false for an exporter no sensor accepts.
func (c *Config) SensorForExporter(addr netip.Addr) (*Sensor, bool) {
	if s, ok := c.exporters.lookup(addr); ok {
		return s, true
	}
	return c.catchAll, c.catchAll != nil
}

// IsInternal reports whether addr is in the site's internal networks: the
// site-wide list and every sensor's own internal list. IPv4-mapped IPv6
// addresses are looked up as IPv4. It does not allocate.
func (c *Config) IsInternal(addr netip.Addr) bool { return c.internal.contains(addr) }

// CountryOverride returns the country configured for addr, if any.
func (c *Config) CountryOverride(addr netip.Addr) (flowfile.Country, bool) {
	return c.countries.lookup(addr)
}

// ifSet is a small set of interface indexes (usually one to four).
type ifSet struct{ list []uint32 }

func newIfSet(l []uint32) ifSet { return ifSet{list: l} }

func (s ifSet) contains(x uint32) bool {
	for _, v := range s.list {
		if v == x {
			return true
		}
	}
	return false
}
