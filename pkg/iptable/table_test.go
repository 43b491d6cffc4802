package iptable

import (
	"math/rand/v2"
	"net/netip"
	"sort"
	"testing"
)

// Paint must give every address the value of the last prefix holding it,
// for any mix of nested and overlapping-by-nesting prefixes.
func TestPaintAgainstBruteForce(t *testing.T) {
	const none = 0xff
	rng := rand.New(rand.NewPCG(5, 5))
	for round := range 50 {
		var ps []Painted[uint8]
		for range 1 + rng.IntN(40) {
			var p netip.Prefix
			if rng.IntN(2) == 0 {
				// IPv4 inside 10.0.0.0/12 so prefixes meet often
				a := netip.AddrFrom4([4]byte{10, byte(rng.IntN(16)), byte(rng.IntN(256)), byte(rng.IntN(256))})
				p = netip.PrefixFrom(a, 8+rng.IntN(25)).Masked()
				if rng.IntN(20) == 0 {
					p = netip.MustParsePrefix("240.0.0.0/4") // reaches the last address
				}
			} else {
				b := [16]byte{0x20, 0x01, 0x0d, 0xb8, byte(rng.IntN(4)), byte(rng.IntN(256))}
				b[15] = byte(rng.IntN(256))
				p = netip.PrefixFrom(netip.AddrFrom16(b), 16+rng.IntN(113)).Masked()
				if rng.IntN(20) == 0 {
					p = netip.MustParsePrefix("ff00::/8")
				}
			}
			ps = append(ps, Painted[uint8]{p, uint8(rng.IntN(4))})
		}
		tb := Paint(ps, none)
		probe := func(a netip.Addr) {
			want := uint8(none)
			for _, x := range ps {
				if x.Prefix.Contains(a) {
					want = x.Value
				}
			}
			if got := tb.Lookup(a); got != want {
				t.Fatalf("round %d: %s got %d want %d (prefixes %v)", round, a, got, want, ps)
			}
		}
		for _, x := range ps {
			first := x.Prefix.Addr()
			last := LastAddr(x.Prefix)
			for _, a := range []netip.Addr{first, first.Prev(), last, last.Next()} {
				if a.IsValid() && a.Is4() == first.Is4() {
					probe(a)
				}
			}
		}
		for range 200 {
			probe(netip.AddrFrom4([4]byte{10, byte(rng.IntN(16)), byte(rng.IntN(256)), byte(rng.IntN(256))}))
		}
	}
}

// A Builder's table must answer what a binary search over its ranges does,
// at every range boundary and at random, in both families, with ranges
// clustered enough that the IPv6 trie grows child nodes.
func TestBuilderAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		b := NewBuilder[uint32](0)
		var s4 []uint32
		var v4 []uint32
		a := uint32(rng.IntN(1 << 20))
		for a < 1<<31 && len(s4) < 5000 {
			v := uint32(rng.IntN(5))
			if len(v4) == 0 || v4[len(v4)-1] != v {
				s4, v4 = append(s4, a), append(v4, v)
			}
			b.Add4(a, v)
			a += 1 + uint32(rng.ExpFloat64()*float64(uint32(1)<<(8+round%12)))
		}
		var s6 []U128
		var v6 []uint32
		u := U128{0x2001 << 48, 0}
		for len(s6) < 3000 {
			v := uint32(rng.IntN(5))
			if len(v6) == 0 || v6[len(v6)-1] != v {
				s6, v6 = append(s6, u), append(v6, v)
			}
			b.Add6(u, v)
			step := U128{0, 1 + uint64(rng.ExpFloat64()*float64(uint64(1)<<(40+round%20)))}
			if rng.IntN(50) == 0 {
				step = U128{1 + uint64(rng.IntN(1<<30)), 0}
			}
			u = u.Add(step)
		}
		tb := b.Table()
		// the reference: a plain binary search over all the ranges
		want4 := func(a uint32) uint32 {
			i := sort.Search(len(s4), func(i int) bool { return s4[i] > a })
			if i == 0 {
				return 0
			}
			return v4[i-1]
		}
		want6 := func(a U128) uint32 {
			i := sort.Search(len(s6), func(i int) bool { return a.Less(s6[i]) })
			if i == 0 {
				return 0
			}
			return v6[i-1]
		}
		for i, s := range s4 {
			for _, a := range []uint32{s - 1, s, s + 1, rng.Uint32()} {
				if got, want := tb.Lookup4(a), want4(a); got != want {
					t.Fatalf("round %d range %d: Lookup4(%d) = %d, want %d", round, i, a, got, want)
				}
			}
		}
		for i, s := range s6 {
			nx, _ := s.Next()
			for _, a := range []U128{s.Prev(), s, nx, {rng.Uint64(), rng.Uint64()}} {
				if got, want := tb.Lookup6(a), want6(a); got != want {
					t.Fatalf("round %d range %d: Lookup6(%s) = %d, want %d", round, i, a.Addr(), got, want)
				}
			}
		}
		if got := tb.Lookup(netip.Addr{}); got != 0 {
			t.Fatalf("Lookup(zero Addr) = %d, want none", got)
		}
	}
}
