package iptable

import (
	"errors"
	"fmt"

	"github.com/oschwald/maxminddb-golang/v2"
)

// maxNetworks bounds the tree walk. A tree without shared subtrees has at
// most NodeCount+1 leaves; a damaged or hostile file can share subtrees so
// that the walk would take longer than anyone waits. The aliases to the
// IPv4 subtree are not walked, so a real file stays far below
// 8*NodeCount+1024; a real city database has a few million networks.
const maxNetworks = 1 << 26

// maxAliases bounds the IPv6 networks that point at the IPv4 subtree; real
// files have one to four.
const maxAliases = 256

var v4Boundary = U128{0, 1 << 32} // first address after ::/96

// FromMMDB flattens a MaxMind DB file's whole search tree. value gives the
// value of a record; it is called once per distinct record (by data
// offset), since a database has far fewer records than networks. Networks
// without data get none.
//
// The walk tiles the address space in order except where the tree points
// at the IPv4 subtree from outside it (::ffff:0:0/96, 2001::/32, 2002::/16
// in MaxMind-style files): those show up as gaps, and each CIDR block of a
// gap becomes a range that is looked up in the IPv4 table, as the mmdb
// reader would. A tree that cannot be walked this way is an error.
func FromMMDB[V comparable](r *maxminddb.Reader, none V, value func(maxminddb.Result) (V, error)) (*Table[V], error) {
	cache := make(map[uintptr]V)
	b := NewBuilder(none)
	var next U128 // first address not yet covered
	done := false // the walk has covered the last address
	v4seen := false
	aliases := 0

	addAlias := func(start U128, nbits uint) error {
		if aliases == maxAliases {
			return fmt.Errorf("more than %d IPv4 aliases in the search tree", maxAliases)
		}
		aliases++
		b.alias6(start, nbits)
		return nil
	}
	// advance moves next past the n-bit block at s.
	advance := func(s U128, n uint) {
		nx, wrap := BlockEnd(s, n).Next()
		next, done = nx, wrap
	}
	// fillGap covers [next, last], which the walk skipped, with aliases.
	fillGap := func(last U128) error {
		for !done && !last.Less(next) {
			n := uint(128 - next.trailingZeros()) // largest block aligned at next
			if next == (U128{}) {
				n = 0
			}
			for last.Less(BlockEnd(next, n)) {
				n++
			}
			if n > 96 {
				// an alias needs 32 bits below it for the IPv4 address
				return fmt.Errorf("search tree skips %s/%d", next.Addr(), n)
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
			return nil, err
		}
		if count++; count > limit {
			return nil, fmt.Errorf("search tree of %d nodes yields more than %d networks", r.Metadata.NodeCount, limit)
		}
		v := none
		if res.Found() {
			off := res.Offset()
			var ok bool
			if v, ok = cache[off]; !ok {
				var err error
				if v, err = value(res); err != nil {
					return nil, fmt.Errorf("decode record of %s: %w", res.Prefix(), err)
				}
				cache[off] = v
			}
		}
		p := res.Prefix()
		is4 := p.Addr().Is4()
		var start U128
		var nbits uint
		if is4 {
			start, nbits = U128{0, uint64(U32(p.Addr()))}, uint(p.Bits())+96
		} else {
			start, nbits = U128From(p.Addr()), uint(p.Bits())
		}
		if done || start.Less(next) {
			return nil, fmt.Errorf("search tree networks out of order at %s", p)
		}
		if next.Less(start) {
			if err := fillGap(start.Prev()); err != nil {
				return nil, err
			}
		}
		switch {
		case is4:
			if !v4seen && r.Metadata.IPVersion == 6 {
				// 16-byte ::a.b.c.d lookups follow the same subtree.
				if err := addAlias(U128{}, 96); err != nil {
					return nil, err
				}
			}
			v4seen = true
			b.Add4(uint32(start.Lo), v)
		case start.Less(v4Boundary) && nbits <= 96:
			// The tree ends above ::/96, so this one network answers for
			// every IPv4 address too.
			b.Add4(0, v)
			v4seen = true
			b.Add6(start, v)
		default:
			b.Add6(start, v)
		}
		advance(start, nbits)
	}
	if r.Metadata.IPVersion == 6 {
		if err := fillGap(Max); err != nil {
			return nil, err
		}
	}
	if (b.Len4() > 0 && b.starts4[0] != 0) || (b.Len6() > 0 && b.starts6[0] != (U128{})) {
		return nil, errors.New("search tree does not start at address zero")
	}
	return b.Table(), nil
}
