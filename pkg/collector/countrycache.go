package collector

import (
	"encoding/binary"
	"net/netip"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
)

// countryCache remembers the country codes and AS numbers of recently
// seen IPv4 addresses. A lookup is a binary search through a database's
// ranges, several cache misses per address, and two per flow; traffic
// keeps returning to the same hosts, whose answer is here in one. The
// answers depend on the address alone and do not change while the
// collector runs. Owned by one goroutine.
type countryCache struct {
	enr  *geo.Enricher
	asn  *asn.DB           // nil: no AS numbers
	sets [][2]countryEntry // two ways per set, the most recent first
}

// countryCacheBits sizes the cache: 16 Ki sets of two, 384 KiB.
const countryCacheBits = 14

type countryEntry struct {
	addr uint32
	cc   uint32 // the country | countryValid
	as   uint32
}

const countryValid = 1 << 16

func newCountryCache(enr *geo.Enricher, as *asn.DB) *countryCache {
	return &countryCache{enr: enr, asn: as, sets: make([][2]countryEntry, 1<<countryCacheBits)}
}

// lookup returns a's country and AS number (0 for internal and special
// addresses, see asn.go).
func (c *countryCache) lookup(a netip.Addr) (flowfile.Country, uint32) {
	if !a.Is4() {
		return c.resolve(a)
	}
	b := a.As4()
	u := binary.BigEndian.Uint32(b[:])
	set := &c.sets[(u*0x9E3779B1)>>(32-countryCacheBits)]
	if e := set[0]; e.cc&countryValid != 0 && e.addr == u {
		return flowfile.Country(e.cc), e.as
	}
	if e := set[1]; e.cc&countryValid != 0 && e.addr == u {
		set[0], set[1] = e, set[0]
		return flowfile.Country(e.cc), e.as
	}
	cc, as := c.resolve(a)
	set[1] = set[0]
	set[0] = countryEntry{addr: u, cc: uint32(cc) | countryValid, as: as}
	return cc, as
}

func (c *countryCache) resolve(a netip.Addr) (flowfile.Country, uint32) {
	cc, public := c.enr.Classify(a)
	if !public || c.asn == nil {
		return cc, 0
	}
	return cc, c.asn.Lookup(a)
}

// enrich sets rec.SCC and rec.DCC as geo.Enricher.Enrich does, and
// returns the AS numbers of the two addresses (fillAS stores them).
func (c *countryCache) enrich(rec *flowfile.Record) (sas, das uint32) {
	rec.SCC, sas = c.lookup(rec.SIP)
	rec.DCC, das = c.lookup(rec.DIP)
	return sas, das
}
