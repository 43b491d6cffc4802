// Package iptable maps IP addresses to small values (a country code, an AS
// number) through flattened range tables: sorted range starts with an
// index on the top bits, so a lookup is an index step and a short binary
// search, a few nanoseconds and no allocation.
//
// Tables are built from ranges given in address order (Builder), from a
// MaxMind DB file's whole search tree (FromMMDB), or from prefixes painted
// over each other (Paint). gflow's country database (pkg/geo) and AS
// database (pkg/asn) both use them: decoding an mmdb record per address
// costs 200–400 ns, and the collector looks up two addresses per flow.
package iptable

import (
	"math/bits"
	"net/netip"
	"slices"
)

// node6 indexes a slice of the IPv6 space on k bits starting at bit
// shift (0 = most significant); its slots are slot6[off : off+2^k].
type node6 struct {
	off   uint32
	shift uint8
	k     uint8
}

// slot6 is either a child node (n has childBit set, the rest is the node's
// index) or the window of ranges [lo, lo+n] to search: lo is the range
// holding the slice's first address, lo+n the last range starting inside
// the slice. Eight bytes, so more of the index stays in cache.
type slot6 struct {
	lo, n uint32
}

const childBit = 1 << 31

// leafMax is the largest window left to binary search; bigger ones get a
// child index of about one slot per range (at most 2^16 slots).
const leafMax = 8

// Table is a flattened address → value map. It is read-only once built
// and safe for concurrent use.
type Table[V comparable] struct {
	// IPv4: starts4[i] is the first address of range i, which runs to
	// starts4[i+1]-1; vals4[i] its value. starts4[0] == 0.
	starts4 []uint32
	vals4   []V
	// idx4[h] is the index of the range holding address h<<16; h = 65536
	// holds len-1 so idx4[h+1] always bounds the search.
	idx4 [65537]uint32

	// IPv6: the same with 128-bit starts. The registries' space is
	// clustered (geofeeds list thousands of /48s in one /32), so one
	// top-bits index is not enough: node6 is a trie of indexes. Node 0
	// splits the space on the top 16 bits; a slice whose window still
	// holds more than leafMax ranges points at a child node that splits
	// it further.
	starts6 []U128
	vals6   []V
	node6   []node6
	slot6   []slot6

	// aliasAt lists the IPv6 ranges that stand for the IPv4 table (::/96
	// and, in MaxMind-style files, ::ffff:0:0/96, 2001::/32, 2002::/16);
	// aliasOff[k] is the bit offset of the IPv4 address inside an address
	// of range aliasAt[k]. A handful at most, so a scan is the cheapest
	// test.
	aliasAt  []uint32
	aliasOff []uint8

	none V
}

// Lookup returns the value for addr: IPv4 and IPv4-mapped IPv6 addresses
// from the IPv4 ranges, others from the IPv6 ranges; the zero Addr gets
// the table's "none" value.
func (t *Table[V]) Lookup(addr netip.Addr) V {
	switch {
	case addr.Is4():
		return t.Lookup4(U32(addr))
	case !addr.IsValid():
		return t.none
	case addr.Is4In6():
		return t.Lookup4(U32(addr.Unmap()))
	}
	return t.Lookup6(U128From(addr))
}

// Lookup4 returns the value for the IPv4 address a.
func (t *Table[V]) Lookup4(a uint32) V {
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
	return t.vals4[lo]
}

// Lookup6 returns the value for the IPv6 address u. It does not unmap
// IPv4-mapped addresses: use Lookup for a netip.Addr.
func (t *Table[V]) Lookup6(u U128) V {
	i := t.find6(u)
	for k, j := range t.aliasAt {
		if j == i {
			return t.Lookup4(u.bits32(uint(t.aliasOff[k])))
		}
	}
	return t.vals6[i]
}

// find6 returns the index of the IPv6 range holding u.
func (t *Table[V]) find6(u U128) uint32 {
	n := t.node6[0]
	var sl slot6
	for {
		sl = t.slot6[n.off+uint32(u.bitsAt(uint(n.shift), uint(n.k)))]
		if sl.n&childBit == 0 {
			break
		}
		n = t.node6[sl.n&^childBit]
	}
	// the last range in [lo, hi] starting at or before u; starts6[lo] <= u
	lo, hi := sl.lo, sl.lo+sl.n
	for lo < hi {
		m := (lo + hi + 1) >> 1
		if s := t.starts6[m]; s.Hi < u.Hi || s.Hi == u.Hi && s.Lo <= u.Lo {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lo
}

// None is the value of addresses no range covers.
func (t *Table[V]) None() V { return t.none }

// Ranges4 returns the IPv4 ranges: starts[i] is the first address of range
// i, which runs to starts[i+1]-1, with value vals[i]. The slices belong to
// the table: do not modify them.
func (t *Table[V]) Ranges4() (starts []uint32, vals []V) { return t.starts4, t.vals4 }

// Ranges6 returns the IPv6 ranges as Ranges4 does; the ranges that stand
// for the IPv4 table have the "none" value here.
func (t *Table[V]) Ranges6() (starts []U128, vals []V) { return t.starts6, t.vals6 }

// Builder collects ranges in address order and merges neighbours with the
// same value.
type Builder[V comparable] struct {
	none     V
	starts4  []uint32
	vals4    []V
	starts6  []U128
	vals6    []V
	aliasAt  []uint32
	aliasOff []uint8
	// lastAlias says the last IPv6 range is an alias, which a value must
	// not be merged into.
	lastAlias bool
}

// NewBuilder returns an empty Builder; none is the value of addresses no
// range covers.
func NewBuilder[V comparable](none V) *Builder[V] { return &Builder[V]{none: none} }

// Add4 starts an IPv4 range at start with value v; it runs to the next
// range's start. Starts must increase from call to call.
func (b *Builder[V]) Add4(start uint32, v V) {
	if n := len(b.vals4); n > 0 && b.vals4[n-1] == v {
		return
	}
	b.starts4 = append(b.starts4, start)
	b.vals4 = append(b.vals4, v)
}

// Add6 starts an IPv6 range at start with value v, as Add4 does.
func (b *Builder[V]) Add6(start U128, v V) {
	if n := len(b.vals6); n > 0 && b.vals6[n-1] == v && !b.lastAlias {
		return
	}
	b.starts6 = append(b.starts6, start)
	b.vals6 = append(b.vals6, v)
	b.lastAlias = false
}

// alias6 starts an IPv6 range whose addresses are looked up as the IPv4
// address at bit offset off.
func (b *Builder[V]) alias6(start U128, off uint) {
	b.starts6 = append(b.starts6, start)
	b.vals6 = append(b.vals6, b.none)
	b.aliasAt = append(b.aliasAt, uint32(len(b.starts6)-1))
	b.aliasOff = append(b.aliasOff, uint8(off))
	b.lastAlias = true
}

// Grow makes room for n4 more IPv4 and n6 more IPv6 ranges.
func (b *Builder[V]) Grow(n4, n6 int) {
	b.starts4, b.vals4 = slices.Grow(b.starts4, n4), slices.Grow(b.vals4, n4)
	b.starts6, b.vals6 = slices.Grow(b.starts6, n6), slices.Grow(b.vals6, n6)
}

// Len4 is the number of IPv4 ranges added so far.
func (b *Builder[V]) Len4() int { return len(b.starts4) }

// Len6 is the number of IPv6 ranges added so far.
func (b *Builder[V]) Len6() int { return len(b.starts6) }

// Table indexes the ranges. Space before the first range of a family has
// the "none" value. The Builder must not be used afterwards.
func (b *Builder[V]) Table() *Table[V] {
	if len(b.starts4) == 0 || b.starts4[0] != 0 {
		b.starts4 = slices.Insert(b.starts4, 0, 0)
		b.vals4 = slices.Insert(b.vals4, 0, b.none)
	}
	if len(b.starts6) == 0 || b.starts6[0] != (U128{}) {
		b.starts6 = slices.Insert(b.starts6, 0, U128{})
		b.vals6 = slices.Insert(b.vals6, 0, b.none)
		for i := range b.aliasAt {
			b.aliasAt[i]++
		}
	}
	t := &Table[V]{
		starts4: slices.Clip(b.starts4), vals4: slices.Clip(b.vals4),
		starts6: slices.Clip(b.starts6), vals6: slices.Clip(b.vals6),
		aliasAt: b.aliasAt, aliasOff: b.aliasOff,
		none: b.none,
	}
	t.index()
	*b = Builder[V]{}
	return t
}

// index fills idx4 (for each top-16-bit value h, the last range starting
// at or before h<<16) and the IPv6 trie.
func (t *Table[V]) index() {
	i := 0
	for h := range 65536 {
		base := uint32(h) << 16
		for i+1 < len(t.starts4) && t.starts4[i+1] <= base {
			i++
		}
		t.idx4[h] = uint32(i)
	}
	t.idx4[65536] = uint32(len(t.starts4) - 1)
	t.node6 = t.node6[:0]
	t.slot6 = t.slot6[:0]
	t.build6(0, 16, U128{}, 0, uint32(len(t.starts6)-1))
	t.node6 = slices.Clip(t.node6)
	t.slot6 = slices.Clip(t.slot6)
}

// build6 adds a node splitting the slice that starts at base (aligned on
// bit shift) on k bits; lo..hi is the slice's window. It returns the
// node's index.
func (t *Table[V]) build6(shift, k uint, base U128, lo, hi uint32) uint32 {
	id := uint32(len(t.node6))
	off := uint32(len(t.slot6))
	t.node6 = append(t.node6, node6{off: off, shift: uint8(shift), k: uint8(k)})
	n := uint32(1) << k
	t.slot6 = slices.Grow(t.slot6, int(n))[:int(off)+int(n)]
	i := lo
	for j := range n {
		start := base.withBits(shift, k, uint64(j))
		// the range holding start
		for i < hi && !start.Less(t.starts6[i+1]) {
			i++
		}
		// the last range starting inside the slice
		e := i
		if j == n-1 {
			e = hi
		} else {
			next := base.withBits(shift, k, uint64(j)+1)
			for e < hi && t.starts6[e+1].Less(next) {
				e++
			}
		}
		sl := slot6{lo: i, n: e - i}
		if e-i+1 > leafMax && shift+k < 128 {
			ck := min(uint(bits.Len32(e-i+1)), 16, 128-shift-k)
			sl.n = childBit | t.build6(shift+k, ck, start, i, e)
		}
		t.slot6[off+j] = sl
	}
	return id
}
