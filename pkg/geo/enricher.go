package geo

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/iptable"
)

// specialPrefixes are the IANA special-purpose ranges that never belong to
// a country (see docs geo-notes). They are decided before the database is
// asked, because the built-in database wrongly places 192.168/16 and
// 172.16/12 in AU and 2001:db8::/32 in JP.
var specialPrefixes = mustPrefixes(
	// IPv4
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
	"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	// IPv6
	"::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:2::/48", "2001:10::/28",
	"2001:20::/28", "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10",
	"ff00::/8",
)

// SpecialPrefixes returns the special-purpose ranges that always map to
// "--", IPv4 first.
func SpecialPrefixes() []netip.Prefix { return slices.Clone(specialPrefixes) }

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Override is one site configuration entry "PREFIX = CC": addresses in
// Prefix get Country whatever the database says.
type Override struct {
	Prefix  netip.Prefix
	Country flowfile.Country
}

// Enricher applies the site's rule to an address, in this order:
//  1. IPv4-mapped IPv6 is unmapped;
//  2. the site's internal networks → "--";
//  3. the IANA special-purpose ranges (SpecialPrefixes) → "--";
//  4. the site's overrides, the longest matching prefix winning;
//  5. the database; no entry → "--".
//
// Steps 2 to 4 are merged at start into one range table of the same
// flattened form as the database's, so an address costs two table lookups
// at most and no allocation. An Enricher is read-only and safe for
// concurrent use.
type Enricher struct {
	db *DB
	// rules holds steps 2–4 merged: ranges with a code, or ruleNone for
	// "ask the database".
	rules *iptable.Table[flowfile.Country]
}

// ruleNone marks a range that no rule covers, ruleOwn the site's internal
// networks and the special-purpose ranges ("--", and not public). Neither
// can be a country code: those are two lower-case letters, digits or '-',
// all >= 0x2d in the high byte.
const (
	ruleNone flowfile.Country = 0x0200
	ruleOwn  flowfile.Country = 0x0300
)

// NewEnricher builds an Enricher over db. internal lists the site's own
// networks; overrides its "PREFIX = CC" entries (an override inside an
// internal or special range has no effect: those rules come first). A nil
// db answers "--" for every address the rules leave open.
func NewEnricher(db *DB, internal []netip.Prefix, overrides []Override) (*Enricher, error) {
	for _, p := range internal {
		if !p.IsValid() {
			return nil, fmt.Errorf("internal network %v is not a valid prefix", p)
		}
	}
	for _, o := range overrides {
		if !o.Prefix.IsValid() {
			return nil, fmt.Errorf("country override %v is not a valid prefix", o.Prefix)
		}
	}
	// Paint from the weakest rule to the strongest: overrides from the
	// shortest prefix to the longest, then special ranges and internal
	// networks on top.
	var ps []iptable.Painted[flowfile.Country]
	sorted := slices.Clone(overrides)
	slices.SortStableFunc(sorted, func(a, b Override) int { return unmapPrefix(a.Prefix).Bits() - unmapPrefix(b.Prefix).Bits() })
	for _, o := range sorted {
		c := o.Country
		if c == 0 {
			c = flowfile.NoCountry
		}
		ps = append(ps, iptable.Painted[flowfile.Country]{Prefix: unmapPrefix(o.Prefix), Value: c})
	}
	for _, p := range specialPrefixes {
		ps = append(ps, iptable.Painted[flowfile.Country]{Prefix: p, Value: ruleOwn})
	}
	for _, p := range internal {
		ps = append(ps, iptable.Painted[flowfile.Country]{Prefix: unmapPrefix(p), Value: ruleOwn})
	}
	return &Enricher{db: db, rules: iptable.Paint(ps, ruleNone)}, nil
}

// Country returns the code for addr under the site rule.
func (e *Enricher) Country(addr netip.Addr) flowfile.Country {
	c, _ := e.Classify(addr)
	return c
}

// Classify returns addr's country under the site rule, and whether addr
// is public: in none of the site's internal networks and no
// special-purpose range, so that a public database (of AS numbers, say)
// may be asked about it. An override does not make an address private.
func (e *Enricher) Classify(addr netip.Addr) (flowfile.Country, bool) {
	switch {
	case addr.Is4():
		return e.classify4(iptable.U32(addr))
	case addr.Is4In6():
		return e.classify4(iptable.U32(addr.Unmap()))
	case addr.Is6():
		u := iptable.U128From(addr)
		switch c := e.rules.Lookup6(u); c {
		case ruleNone:
			if e.db == nil {
				return flowfile.NoCountry, true
			}
			return e.db.t.Lookup6(u), true
		case ruleOwn:
			return flowfile.NoCountry, false
		default:
			return c, true
		}
	}
	return flowfile.NoCountry, false // the zero Addr: no address at all
}

func (e *Enricher) classify4(a uint32) (flowfile.Country, bool) {
	switch c := e.rules.Lookup4(a); c {
	case ruleNone:
		if e.db == nil {
			return flowfile.NoCountry, true
		}
		return e.db.t.Lookup4(a), true
	case ruleOwn:
		return flowfile.NoCountry, false
	default:
		return c, true
	}
}

// Enrich sets rec.SCC and rec.DCC from rec.SIP and rec.DIP.
func (e *Enricher) Enrich(rec *flowfile.Record) {
	rec.SCC = e.Country(rec.SIP)
	rec.DCC = e.Country(rec.DIP)
}

// DB returns the database behind e.
func (e *Enricher) DB() *DB { return e.db }

func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked()
	}
	return p.Masked()
}
