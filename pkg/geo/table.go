package geo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/flowfile"
)

// The collector looks up two addresses per flow, and decoding an mmdb record
// costs ~190 ns for IPv4 and ~400 ns for IPv6. So at load time the whole
// search tree is flattened into sorted range tables: a lookup is then an
// index step on the top 16 bits and a short binary search, with no
// allocation. The tables are built from whichever mmdb is loaded and are
// checked against the mmdb itself in the tests.

// aliasMark in a v6 table's code says "this range is an alias of the IPv4
// subtree": the low byte indexes table.aliases. Real codes are two
// lower-case letters, digits or '-' (all >= 0x2d in the high byte), so
// 0x01xx never collides with one.
const aliasMark = 0x0100

// maxNetworks bounds the tree walk. A tree without shared subtrees has at
// most NodeCount+1 leaves; a damaged or hostile file can share subtrees so
// that the walk would take longer than anyone waits. The aliases to the
// IPv4 subtree are not walked, so a real file stays far below
// 8*NodeCount+1024; a real city database has a few million networks.
const maxNetworks = 1 << 26

// u128 is an IPv6 address as two big-endian halves.
type u128 struct{ hi, lo uint64 }

func u128From(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func (u u128) less(v u128) bool { return u.hi < v.hi || u.hi == v.hi && u.lo < v.lo }

func (u u128) add1() (u128, bool) {
	lo, c := bits.Add64(u.lo, 1, 0)
	hi, c := bits.Add64(u.hi, 0, c)
	return u128{hi, lo}, c != 0
}

// bits32 returns the 32 bits of u starting at bit offset off (0 = most
// significant); off+32 must be <= 128.
func (u u128) bits32(off uint) uint32 {
	switch {
	case off >= 64:
		return uint32(u.lo >> (96 - off))
	case off <= 32:
		return uint32(u.hi >> (32 - off))
	default:
		return uint32(u.hi<<(off-32)) | uint32(u.lo>>(96-off))
	}
}

// alias is an IPv6 network that the mmdb points at its IPv4 subtree
// (::/96 itself, and in MaxMind-style files ::ffff:0:0/96, 2001::/32,
// 2002::/16): the IPv4 address looked up is the 32 bits after the prefix.
type alias struct{ bits uint }

// table holds the flattened database.
// node6 indexes a slice of the IPv6 space on k bits starting at bit
// shift (0 = most significant); its slots are slot6[off : off+2^k].
type node6 struct {
	off   uint32
	shift uint8
	k     uint8
}

// slot6 is one of: a child node (n has childBit set, the rest is the
// node's index); the answer itself, when one range covers the whole slice
// (n has codeBit set, the low 16 bits are the code); or the window of
// ranges [lo, lo+n] to search: lo is the range holding the slice's first
// address, lo+n the last range starting inside the slice. Eight bytes, so
// more of the index stays in cache.
type slot6 struct {
	lo, n uint32
}

const (
	childBit = 1 << 31
	codeBit  = 1 << 30
)

// leafMax is the largest window left to binary search; bigger ones get a
// child index of about one slot per range (at most 2^16 slots).
const leafMax = 8

type table struct {
	// IPv4: starts4[i] is the first address of range i, which runs to
	// starts4[i+1]-1; codes4[i] its country. starts4[0] == 0.
	starts4 []uint32
	codes4  []flowfile.Country
	// idx4[h] is the index of the range holding address h<<16; h = 65536
	// holds len-1 so idx4[h+1] always bounds the search.
	idx4 [65537]uint32

	// IPv6: the same with 128-bit starts. The registries' space is
	// clustered (geofeeds list thousands of /48s in one /32), so one
	// top-bits index is not enough: node6 is a trie of indexes. Node 0 splits the space on the top 16 bits; a slice whose
	// window still holds more than leafMax ranges points at a child node
	// that splits it further.
	starts6 []u128
	codes6  []flowfile.Country
	node6   []node6
	slot6   []slot6

	aliases []alias
}

func (t *table) lookup4(a uint32) flowfile.Country {
	h := a >> 16
	lo, hi := t.idx4[h], t.idx4[h+1]
	// largest i in [lo, hi] with starts4[i] <= a; starts4[lo] <= a holds.
	for lo < hi {
		m := (lo + hi + 1) >> 1
		if t.starts4[m] <= a {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return t.codes4[lo]
}

func (t *table) lookup6(u u128) flowfile.Country {
	n := t.node6[0]
	var sl slot6
	for {
		sl = t.slot6[n.off+uint32(u.bitsAt(uint(n.shift), uint(n.k)))]
		if sl.n&childBit == 0 {
			break
		}
		n = t.node6[sl.n&^childBit]
	}
	var c flowfile.Country
	if sl.n&codeBit != 0 {
		c = flowfile.Country(sl.n)
	} else {
		c = t.search6(u, sl.lo, sl.lo+sl.n)
	}
	if c&0xff00 == aliasMark {
		return t.lookup4(u.bits32(t.aliases[c&0xff].bits))
	}
	return c
}

// search6 returns the code of the last range in [lo, hi] starting at or
// before u; starts6[lo] <= u holds.
func (t *table) search6(u u128, lo, hi uint32) flowfile.Country {
	for lo < hi {
		m := (lo + hi + 1) >> 1
		if s := t.starts6[m]; s.hi < u.hi || s.hi == u.hi && s.lo <= u.lo {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return t.codes6[lo]
}

// builder collects ranges in address order and merges neighbours with the
// same code.
type builder4 struct {
	starts []uint32
	codes  []flowfile.Country
}

func (b *builder4) add(start uint32, c flowfile.Country) {
	if n := len(b.codes); n > 0 && b.codes[n-1] == c {
		return
	}
	b.starts = append(b.starts, start)
	b.codes = append(b.codes, c)
}

type builder6 struct {
	starts []u128
	codes  []flowfile.Country
}

func (b *builder6) add(start u128, c flowfile.Country) {
	if n := len(b.codes); n > 0 && b.codes[n-1] == c {
		return
	}
	b.starts = append(b.starts, start)
	b.codes = append(b.codes, c)
}

// codeOf decodes the record at a data offset once and remembers it: a
// country database has a few hundred distinct records behind millions of
// networks.
type decoder struct {
	cache map[uintptr]flowfile.Country
	found bool // some record carried a country field
	flat  bool // it was country_code (ip-location-db layout)
}

// record reads both layouts: ip-location-db's flat country_code and
// MaxMind's / DB-IP's nested country.iso_code, falling back to
// registered_country.iso_code (some networks carry only that), then, as
// SiLK's rwgeoip2ccmap does, represented_country and the continent.
type record struct {
	CountryCode string `maxminddb:"country_code"`
	Country     struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	RepresentedCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"represented_country"`
	Continent struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"continent"`
}

// continentCodes are SiLK's codes for MaxMind's continent-only networks:
// eu and ap as legacy GeoIP had them, and rwgeoip2ccmap's invented ones.
var continentCodes = map[string]string{
	"EU": "eu", "AS": "ap", "AF": "xf", "AN": "xa", "NA": "xn", "OC": "xo", "SA": "xs",
}

// looseRecord is the fallback when a record does not fit record: other
// databases use the same names for other shapes (IPinfo's "country" is a
// country name).
type looseRecord struct {
	CountryCode        any `maxminddb:"country_code"`
	Country            any `maxminddb:"country"`
	RegisteredCountry  any `maxminddb:"registered_country"`
	RepresentedCountry any `maxminddb:"represented_country"`
	Continent          any `maxminddb:"continent"`
}

// code returns the record's code, whether it has a country field, and
// whether that was the flat country_code. Only a two-character string is
// taken as a code. A continent-only record gives SiLK's continent code but
// does not count as a country field: a file of nothing else is not a
// country database.
func (r *record) code() (string, bool, bool) {
	switch {
	case len(r.CountryCode) == 2:
		return r.CountryCode, true, true
	case len(r.Country.ISOCode) == 2:
		return r.Country.ISOCode, true, false
	case len(r.RegisteredCountry.ISOCode) == 2:
		return r.RegisteredCountry.ISOCode, true, false
	case len(r.RepresentedCountry.ISOCode) == 2:
		return r.RepresentedCountry.ISOCode, true, false
	}
	if c, ok := continentCodes[r.Continent.Code]; ok {
		return c, false, false
	}
	return "", false, false
}

// decodeRecord reads the country fields of the record res points at. A
// record that is not a map has none; one that does not decode at all
// means a damaged file.
func decodeRecord(res maxminddb.Result) (record, error) {
	var r record
	err := res.Decode(&r)
	if err == nil {
		return r, nil
	}
	var l looseRecord
	if err2 := res.Decode(&l); err2 != nil {
		var v any
		if res.Decode(&v) != nil {
			return r, err
		}
		return record{}, nil // not a map
	}
	r = record{}
	r.CountryCode, _ = l.CountryCode.(string)
	for _, f := range []struct {
		v   any
		dst *string
	}{
		{l.Country, &r.Country.ISOCode},
		{l.RegisteredCountry, &r.RegisteredCountry.ISOCode},
		{l.RepresentedCountry, &r.RepresentedCountry.ISOCode},
	} {
		if m, ok := f.v.(map[string]any); ok {
			*f.dst, _ = m["iso_code"].(string)
		}
	}
	if m, ok := l.Continent.(map[string]any); ok {
		r.Continent.Code, _ = m["code"].(string)
	}
	return r, nil
}

func (d *decoder) codeOf(res maxminddb.Result) (flowfile.Country, error) {
	off := res.Offset()
	if c, ok := d.cache[off]; ok {
		return c, nil
	}
	r, err := decodeRecord(res)
	if err != nil {
		return 0, fmt.Errorf("decode record of %s: %w", res.Prefix(), err)
	}
	s, ok, flat := r.code()
	c := flowfile.MakeCountry(s) // "" → NoCountry
	if ok {
		d.found = true
		d.flat = d.flat || flat
	}
	d.cache[off] = c
	return c, nil
}

var v4Boundary = u128{0, 1 << 32} // first address after ::/96

// buildTable walks every network of the mmdb, with empty ones, in address
// order. The walk tiles the address space except where the tree points at
// the IPv4 subtree from outside it (aliases such as 2002::/16): those show
// up as gaps, and each CIDR block of a gap becomes an alias range.
func buildTable(r *maxminddb.Reader) (*table, *decoder, error) {
	d := &decoder{cache: make(map[uintptr]flowfile.Country)}
	var b4 builder4
	var b6 builder6
	var aliases []alias
	var next u128 // first address not yet covered
	done := false // the walk has covered the last address
	v4seen := false

	addAlias := func(start u128, nbits uint) error {
		if len(aliases) == 256 {
			return errors.New("more than 256 IPv4 aliases in the search tree")
		}
		b6.starts = append(b6.starts, start)
		b6.codes = append(b6.codes, flowfile.Country(aliasMark|len(aliases)))
		aliases = append(aliases, alias{bits: nbits})
		return nil
	}
	// advance moves next past the n-bit block at s.
	advance := func(s u128, n uint) {
		nx, wrap := blockEnd(s, n).add1()
		next, done = nx, wrap
	}
	// fillGap covers [next, last], which the walk skipped, with aliases.
	fillGap := func(last u128) error {
		for !done && !last.less(next) {
			n := uint(128 - tz128(next)) // largest block aligned at next
			if next == (u128{}) {
				n = 0
			}
			for last.less(blockEnd(next, n)) {
				n++
			}
			if n > 96 {
				// an alias needs 32 bits below it for the IPv4 address
				return fmt.Errorf("search tree skips %s/%d", addrOf(next), n)
			}
			if err := addAlias(next, n); err != nil {
				return err
			}
			advance(next, n)
		}
		return nil
	}

	limit := min(maxNetworks, 8*int(min(r.Metadata.NodeCount, maxNetworks))+1024)
	count := 0
	for res := range r.Networks(maxminddb.IncludeNetworksWithoutData()) {
		if err := res.Err(); err != nil {
			return nil, nil, err
		}
		if count++; count > limit {
			return nil, nil, fmt.Errorf("search tree of %d nodes yields more than %d networks", r.Metadata.NodeCount, limit)
		}
		c := flowfile.NoCountry
		if res.Found() {
			var err error
			if c, err = d.codeOf(res); err != nil {
				return nil, nil, err
			}
		}
		p := res.Prefix()
		is4 := p.Addr().Is4()
		var start u128
		var nbits uint
		if is4 {
			a := p.Addr().As4()
			start, nbits = u128{0, uint64(binary.BigEndian.Uint32(a[:]))}, uint(p.Bits())+96
		} else {
			start, nbits = u128From(p.Addr()), uint(p.Bits())
		}
		if done || start.less(next) {
			return nil, nil, fmt.Errorf("search tree networks out of order at %s", p)
		}
		if next.less(start) {
			if err := fillGap(sub1(start)); err != nil {
				return nil, nil, err
			}
		}
		switch {
		case is4:
			if !v4seen && r.Metadata.IPVersion == 6 {
				// 16-byte ::a.b.c.d lookups follow the same subtree.
				if err := addAlias(u128{}, 96); err != nil {
					return nil, nil, err
				}
			}
			v4seen = true
			b4.add(uint32(start.lo), c)
		case start.less(v4Boundary) && nbits <= 96:
			// The tree ends above ::/96, so this one network answers for
			// every IPv4 address too.
			b4.add(0, c)
			v4seen = true
			b6.add(start, c)
		default:
			b6.add(start, c)
		}
		advance(start, nbits)
	}
	if r.Metadata.IPVersion == 6 {
		if err := fillGap(u128{^uint64(0), ^uint64(0)}); err != nil {
			return nil, nil, err
		}
	}
	// An IPv4-only file answers nothing for IPv6 addresses.
	if len(b4.starts) == 0 {
		b4.add(0, flowfile.NoCountry)
	}
	if len(b6.starts) == 0 {
		b6.add(u128{}, flowfile.NoCountry)
	}
	if b4.starts[0] != 0 || b6.starts[0] != (u128{}) {
		return nil, nil, errors.New("search tree does not start at address zero")
	}
	t := &table{
		starts4: slices.Clip(b4.starts), codes4: slices.Clip(b4.codes),
		starts6: slices.Clip(b6.starts), codes6: slices.Clip(b6.codes),
		aliases: aliases,
	}
	t.index()
	return t, d, nil
}

func sub1(u u128) u128 {
	lo, b := bits.Sub64(u.lo, 1, 0)
	hi, _ := bits.Sub64(u.hi, 0, b)
	return u128{hi, lo}
}

// index fills idx4 (for each top-16-bit value h, the last range starting
// at or before h<<16) and the IPv6 trie.
func (t *table) index() {
	i := 0
	for h := range 65536 {
		base := uint32(h) << 16
		for i+1 < len(t.starts4) && t.starts4[i+1] <= base {
			i++
		}
		t.idx4[h] = uint32(i)
	}
	t.idx4[65536] = uint32(len(t.starts4) - 1)
	t.index6()
}

// index6 builds the IPv6 trie of indexes.
func (t *table) index6() {
	t.node6 = t.node6[:0]
	t.slot6 = t.slot6[:0]
	t.build6(0, 16, u128{}, 0, uint32(len(t.starts6)-1))
	t.node6 = slices.Clip(t.node6)
	t.slot6 = slices.Clip(t.slot6)
}

// build6 adds a node splitting the slice that starts at base (aligned on
// bit shift) on k bits; lo..hi is the slice's window. It returns the
// node's index.
func (t *table) build6(shift, k uint, base u128, lo, hi uint32) uint32 {
	id := uint32(len(t.node6))
	off := uint32(len(t.slot6))
	t.node6 = append(t.node6, node6{off: off, shift: uint8(shift), k: uint8(k)})
	n := uint32(1) << k
	t.slot6 = slices.Grow(t.slot6, int(n))[:int(off)+int(n)]
	i := lo
	for j := range n {
		start := base.withBits(shift, k, uint64(j))
		// the range holding start
		for i < hi && !start.less(t.starts6[i+1]) {
			i++
		}
		// the last range starting inside the slice
		e := i
		if j == n-1 {
			e = hi
		} else {
			next := base.withBits(shift, k, uint64(j)+1)
			for e < hi && t.starts6[e+1].less(next) {
				e++
			}
		}
		sl := slot6{lo: i, n: e - i}
		if e == i {
			sl.n = codeBit | uint32(t.codes6[i])
		}
		if e-i+1 > leafMax && shift+k < 128 {
			ck := min(uint(bits.Len32(e-i+1)), 16, 128-shift-k)
			sl.n = childBit | t.build6(shift+k, ck, start, i, e)
		}
		t.slot6[off+j] = sl
	}
	return id
}

// bitsAt returns the k bits of u starting at bit shift (0 = most
// significant); 0 < k <= 32, shift+k <= 128.
func (u u128) bitsAt(shift, k uint) uint64 {
	switch {
	case shift+k <= 64:
		return (u.hi << shift) >> (64 - k)
	case shift >= 64:
		return (u.lo << (shift - 64)) >> (64 - k)
	}
	return ((u.hi << shift) | (u.lo >> (64 - shift))) >> (64 - k)
}

// withBits returns u with the k bits at shift set to v (u has them zero).
func (u u128) withBits(shift, k uint, v uint64) u128 {
	end := shift + k // v's lowest bit lands at bit end-1
	switch {
	case end <= 64:
		u.hi |= v << (64 - end)
	case shift >= 64:
		u.lo |= v << (128 - end)
	default:
		u.hi |= v >> (end - 64)
		u.lo |= v << (128 - end)
	}
	return u
}

// blockEnd is the last address of the n-bit prefix starting at s.
func blockEnd(s u128, n uint) u128 {
	switch {
	case n == 0:
		return u128{^uint64(0), ^uint64(0)}
	case n < 64:
		return u128{s.hi | (^uint64(0) >> n), ^uint64(0)}
	case n == 64:
		return u128{s.hi, ^uint64(0)}
	case n < 128:
		return u128{s.hi, s.lo | (^uint64(0) >> (n - 64))}
	}
	return s
}

func tz128(u u128) int {
	if u.lo != 0 {
		return bits.TrailingZeros64(u.lo)
	}
	return 64 + bits.TrailingZeros64(u.hi)
}

func addrOf(u u128) netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], u.hi)
	binary.BigEndian.PutUint64(b[8:], u.lo)
	return netip.AddrFrom16(b)
}
