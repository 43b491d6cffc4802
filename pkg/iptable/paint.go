package iptable

import (
	"net/netip"
	"slices"
)

// Painted is a prefix with the value its addresses get.
type Painted[V comparable] struct {
	Prefix netip.Prefix // masked; IPv4 prefixes as IPv4, not mapped
	Value  V
}

// Paint turns prefixes, later ones winning, into a table with none where no
// prefix lies. A site may list thousands of networks, so it sweeps: the
// space is cut at every prefix boundary, and since prefixes either nest or
// do not meet, the prefixes holding a cut form a chain kept on a stack,
// each entry remembering the strongest prefix at or below it.
func Paint[V comparable](ps []Painted[V], none V) *Table[V] {
	var v4, v6 []span[V]
	for prio, x := range ps {
		s := U128From(x.Prefix.Addr())
		n := uint(x.Prefix.Bits())
		if x.Prefix.Addr().Is4() {
			s, n = U128{0, uint64(U32(x.Prefix.Addr()))}, n+96
			v4 = append(v4, span[V]{s, BlockEnd(s, n), prio, x.Value})
		} else {
			v6 = append(v6, span[V]{s, BlockEnd(s, n), prio, x.Value})
		}
	}
	b := NewBuilder(none)
	sweep(v4, U128{0, 1<<32 - 1}, none, func(start U128, v V) { b.Add4(uint32(start.Lo), v) })
	sweep(v6, Max, none, func(start U128, v V) { b.Add6(start, v) })
	return b.Table()
}

// span is a painted prefix as an address range; prio orders the rules
// (higher wins).
type span[V comparable] struct {
	start, end U128
	prio       int
	v          V
}

// sweep calls emit for each piece of the space [0, last] in address order,
// with the value of the strongest span holding it.
func sweep[V comparable](spans []span[V], last U128, none V, emit func(start U128, v V)) {
	// outer spans first at the same start, so the stack is a chain
	slices.SortStableFunc(spans, func(a, b span[V]) int {
		if c := a.start.Cmp(b.start); c != 0 {
			return c
		}
		return -a.end.Cmp(b.end)
	})
	cuts := []U128{{}}
	for _, x := range spans {
		cuts = append(cuts, x.start)
		if n, wrap := x.end.Next(); !wrap && !last.Less(n) {
			cuts = append(cuts, n)
		}
	}
	slices.SortFunc(cuts, U128.Cmp)
	cuts = slices.Compact(cuts)

	type entry struct {
		end  U128
		best int // index into spans of the strongest span in the chain
	}
	var stack []entry
	next := 0
	for _, c := range cuts {
		for len(stack) > 0 && stack[len(stack)-1].end.Less(c) {
			stack = stack[:len(stack)-1]
		}
		for next < len(spans) && !c.Less(spans[next].start) {
			x := spans[next]
			best := next
			if n := len(stack); n > 0 && spans[stack[n-1].best].prio > x.prio {
				best = stack[n-1].best
			}
			stack = append(stack, entry{x.end, best})
			next++
		}
		v := none
		if n := len(stack); n > 0 {
			v = spans[stack[n-1].best].v
		}
		emit(c, v)
	}
}
