package collector

import (
	"encoding/binary"
	"net/netip"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
)

// countryCache remembers the country codes of recently seen IPv4
// addresses. A country lookup is a binary search through the database's
// ranges, several cache misses per address, and two per flow; traffic
// keeps returning to the same hosts, whose answer is here in one. The
// Enricher's answer depends on the address alone and does not change while
// the collector runs. Owned by one goroutine.
type countryCache struct {
	enr  *geo.Enricher
	sets [][2]countryEntry // two ways per set, the most recent first
}

// countryCacheBits sizes the cache: 16 Ki sets of two, 256 KiB.
const countryCacheBits = 14

type countryEntry struct {
	addr uint32
	cc   uint32 // the country | countryValid
}

const countryValid = 1 << 16

func newCountryCache(enr *geo.Enricher) *countryCache {
	return &countryCache{enr: enr, sets: make([][2]countryEntry, 1<<countryCacheBits)}
}

func (c *countryCache) country(a netip.Addr) flowfile.Country {
	if !a.Is4() {
		return c.enr.Country(a)
	}
	b := a.As4()
	u := binary.BigEndian.Uint32(b[:])
	set := &c.sets[(u*0x9E3779B1)>>(32-countryCacheBits)]
	if e := set[0]; e.cc&countryValid != 0 && e.addr == u {
		return flowfile.Country(e.cc)
	}
	if e := set[1]; e.cc&countryValid != 0 && e.addr == u {
		set[0], set[1] = e, set[0]
		return flowfile.Country(e.cc)
	}
	cc := c.enr.Country(a)
	set[1] = set[0]
	set[0] = countryEntry{addr: u, cc: uint32(cc) | countryValid}
	return cc
}

// enrich sets rec.SCC and rec.DCC as geo.Enricher.Enrich does.
func (c *countryCache) enrich(rec *flowfile.Record) {
	rec.SCC = c.country(rec.SIP)
	rec.DCC = c.country(rec.DIP)
}
