// Package iptabletest gives the addresses with which the tests of
// iptable's users check a flattened table against the mmdb it came from:
// uniformly random ones, and ones just around range boundaries, where an
// off-by-one would show.
package iptabletest

import (
	"math/bits"
	"math/rand/v2"
	"net/netip"

	"github.com/gflow/gflow/pkg/iptable"
)

// Probes4 yields n IPv4 addresses: a third uniformly random, a third just
// around the start of a random range of t, a third with random top bits
// and low bits counting up.
func Probes4[V comparable](rng *rand.Rand, t *iptable.Table[V], n int) []netip.Addr {
	starts, _ := t.Ranges4()
	out := make([]netip.Addr, 0, n)
	for i := range n {
		var a uint32
		switch i % 3 {
		case 0:
			a = rng.Uint32()
		case 1:
			a = starts[rng.IntN(len(starts))] + uint32(rng.IntN(3)) - 1
		default:
			a = rng.Uint32()&^0xffff | uint32(i)&0xffff
		}
		out = append(out, netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}))
	}
	return out
}

// Probes6 yields up to n IPv6 addresses: a third uniformly random, a third
// around the start of a random range of t, a third random inside the
// allocated space 2000::/3. IPv4-mapped addresses are left out: a table's
// Lookup unmaps them, an mmdb does not.
func Probes6[V comparable](rng *rand.Rand, t *iptable.Table[V], n int) []netip.Addr {
	starts, _ := t.Ranges6()
	out := make([]netip.Addr, 0, n)
	for i := range n {
		var u iptable.U128
		switch i % 3 {
		case 0:
			u = iptable.U128{Hi: rng.Uint64(), Lo: rng.Uint64()}
		case 1:
			u = starts[rng.IntN(len(starts))]
			switch rng.IntN(3) {
			case 0:
				u = u.Prev()
			case 1:
				u, _ = u.Next()
			}
		default:
			u = Allocated6(rng)
		}
		a := u.Addr()
		if a.Is4In6() {
			continue
		}
		out = append(out, a)
	}
	return out
}

// Allocated6 is a uniformly random address in 2000::/3.
func Allocated6(rng *rand.Rand) iptable.U128 {
	return iptable.U128{Hi: 0x2000<<48 | rng.Uint64()>>3, Lo: rng.Uint64()}
}

// InRange6 is a random address inside the aligned block that starts at s:
// as many low bits as s has trailing zeros (below 64) are random.
func InRange6(rng *rand.Rand, s iptable.U128) netip.Addr {
	tz := uint(bits.TrailingZeros64(s.Lo))
	return iptable.U128{Hi: s.Hi, Lo: s.Lo | rng.Uint64()>>(64-tz)}.Addr()
}
