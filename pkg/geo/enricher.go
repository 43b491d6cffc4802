package geo

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/gflow/gflow/pkg/flowfile"
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
	rules *table
}

// ruleNone marks a range that no rule covers. It cannot be a country code
// (see aliasMark).
const ruleNone flowfile.Country = 0x0200

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
	var ps []painted
	sorted := slices.Clone(overrides)
	slices.SortStableFunc(sorted, func(a, b Override) int { return unmapPrefix(a.Prefix).Bits() - unmapPrefix(b.Prefix).Bits() })
	for _, o := range sorted {
		c := o.Country
		if c == 0 {
			c = flowfile.NoCountry
		}
		ps = append(ps, painted{unmapPrefix(o.Prefix), c})
	}
	for _, p := range specialPrefixes {
		ps = append(ps, painted{p, flowfile.NoCountry})
	}
	for _, p := range internal {
		ps = append(ps, painted{unmapPrefix(p), flowfile.NoCountry})
	}
	return &Enricher{db: db, rules: paint(ps)}, nil
}

// Country returns the code for addr under the site rule.
func (e *Enricher) Country(addr netip.Addr) flowfile.Country {
	var c flowfile.Country
	switch {
	case addr.Is4():
		a := u32(addr)
		if c = e.rules.lookup4(a); c == ruleNone {
			if e.db == nil {
				return flowfile.NoCountry
			}
			return e.db.t.lookup4(a)
		}
	case addr.Is4In6():
		a := u32(addr.Unmap())
		if c = e.rules.lookup4(a); c == ruleNone {
			if e.db == nil {
				return flowfile.NoCountry
			}
			return e.db.t.lookup4(a)
		}
	case addr.Is6():
		u := u128From(addr)
		if c = e.rules.lookup6(u); c == ruleNone {
			if e.db == nil {
				return flowfile.NoCountry
			}
			return e.db.t.lookup6(u)
		}
	default: // the zero Addr: no address at all
		return flowfile.NoCountry
	}
	return c
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

type painted struct {
	p netip.Prefix
	c flowfile.Country
}

// paint turns prefixes, later ones winning, into range tables with
// ruleNone where no prefix lies. A site may list thousands of networks, so
// it sweeps: the space is cut at every prefix boundary, and since prefixes
// either nest or do not meet, the prefixes holding a cut form a chain kept
// on a stack, each entry remembering the strongest prefix at or below it.
func paint(ps []painted) *table {
	var v4, v6 []span
	for prio, x := range ps {
		if x.p.Addr().Is4() {
			s := u128{0, uint64(u32(x.p.Addr()))}
			v4 = append(v4, span{s, blockEnd(s, uint(x.p.Bits())+96), prio, x.c})
		} else {
			s := u128From(x.p.Addr())
			v6 = append(v6, span{s, blockEnd(s, uint(x.p.Bits())), prio, x.c})
		}
	}
	var b4 builder4
	sweep(v4, u128{0, 1<<32 - 1}, func(start u128, c flowfile.Country) { b4.add(uint32(start.lo), c) })
	var b6 builder6
	sweep(v6, u128{^uint64(0), ^uint64(0)}, func(start u128, c flowfile.Country) { b6.add(start, c) })
	t := &table{starts4: b4.starts, codes4: b4.codes, starts6: b6.starts, codes6: b6.codes}
	t.index()
	return t
}

// span is a painted prefix as an address range; prio orders the rules
// (higher wins).
type span struct {
	start, end u128
	prio       int
	c          flowfile.Country
}

func cmp128(a, b u128) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

// sweep calls emit for each piece of the space [0, last] in address order,
// with the code of the strongest span holding it.
func sweep(spans []span, last u128, emit func(start u128, c flowfile.Country)) {
	// outer spans first at the same start, so the stack is a chain
	slices.SortStableFunc(spans, func(a, b span) int {
		if c := cmp128(a.start, b.start); c != 0 {
			return c
		}
		return -cmp128(a.end, b.end)
	})
	cuts := []u128{{}}
	for _, x := range spans {
		cuts = append(cuts, x.start)
		if n, wrap := x.end.add1(); !wrap && !last.less(n) {
			cuts = append(cuts, n)
		}
	}
	slices.SortFunc(cuts, cmp128)
	cuts = slices.Compact(cuts)

	type entry struct {
		end  u128
		best int // index into spans of the strongest span in the chain
	}
	var stack []entry
	next := 0
	for _, c := range cuts {
		for len(stack) > 0 && stack[len(stack)-1].end.less(c) {
			stack = stack[:len(stack)-1]
		}
		for next < len(spans) && !c.less(spans[next].start) {
			x := spans[next]
			best := next
			if n := len(stack); n > 0 && spans[stack[n-1].best].prio > x.prio {
				best = stack[n-1].best
			}
			stack = append(stack, entry{x.end, best})
			next++
		}
		code := ruleNone
		if n := len(stack); n > 0 {
			code = spans[stack[n-1].best].c
		}
		emit(c, code)
	}
}
