package site

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
)

// prefixSet answers "is this address in one of these prefixes?" cheaply and
// without allocating: the prefixes are kept as sorted, merged address ranges,
// IPv4 as uint32 pairs and IPv6 as pairs of 128-bit numbers. Small sets
// (the usual handful of internal networks) are scanned; large ones are
// searched by bisection.
type prefixSet struct {
	v4 []range4
	v6 []range6
}

type range4 struct{ lo, hi uint32 }

type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

type range6 struct{ lo, hi u128 }

// linearMax is the size up to which a linear scan beats bisection.
const linearMax = 8

func newPrefixSet(prefixes []netip.Prefix) prefixSet {
	var s prefixSet
	for _, p := range prefixes {
		p = p.Masked()
		if p.Addr().Is4() {
			lo := binary.BigEndian.Uint32(p.Addr().AsSlice())
			hi := lo | uint32(uint64(1)<<(32-p.Bits())-1)
			s.v4 = append(s.v4, range4{lo, hi})
		} else {
			lo := to128(p.Addr())
			hi := lo
			host := 128 - p.Bits()
			switch {
			case host >= 64:
				hi.lo = ^uint64(0)
				if host > 64 {
					hi.hi |= ^uint64(0) >> (128 - host)
				}
			case host > 0:
				hi.lo |= ^uint64(0) >> (64 - host)
			}
			s.v6 = append(s.v6, range6{lo, hi})
		}
	}
	s.v4 = mergeRanges(s.v4,
		func(a, b range4) int { return cmp.Compare(a.lo, b.lo) },
		func(a, b range4) (range4, bool) {
			if b.lo <= a.hi || (a.hi != ^uint32(0) && b.lo == a.hi+1) {
				return range4{a.lo, max(a.hi, b.hi)}, true
			}
			return a, false
		})
	s.v6 = mergeRanges(s.v6,
		func(a, b range6) int {
			if a.lo.less(b.lo) {
				return -1
			}
			if b.lo.less(a.lo) {
				return 1
			}
			return 0
		},
		func(a, b range6) (range6, bool) {
			if !a.hi.less(b.lo) {
				hi := a.hi
				if hi.less(b.hi) {
					hi = b.hi
				}
				return range6{a.lo, hi}, true
			}
			return a, false
		})
	return s
}

// mergeRanges sorts rs and joins overlapping (or, for IPv4, adjacent) ranges,
// so that a lookup needs to find only one candidate.
func mergeRanges[R any](rs []R, compare func(a, b R) int, join func(a, b R) (R, bool)) []R {
	if len(rs) == 0 {
		return nil
	}
	slices.SortFunc(rs, compare)
	out := rs[:1]
	for _, r := range rs[1:] {
		if j, ok := join(out[len(out)-1], r); ok {
			out[len(out)-1] = j
		} else {
			out = append(out, r)
		}
	}
	return slices.Clip(out)
}

func to128(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

// empty reports whether the set holds no prefix at all.
func (s *prefixSet) empty() bool { return len(s.v4) == 0 && len(s.v6) == 0 }

// contains reports whether a is in the set. IPv4-mapped IPv6 addresses are
// looked up as IPv4.
func (s *prefixSet) contains(a netip.Addr) bool {
	if a.Is4() {
		return s.contains4(a.As4())
	}
	if a.Is4In6() {
		return s.contains4(a.Unmap().As4())
	}
	if !a.IsValid() {
		return false
	}
	return s.contains6(to128(a))
}

func (s *prefixSet) contains4(b [4]byte) bool {
	x := binary.BigEndian.Uint32(b[:])
	rs := s.v4
	if len(rs) <= linearMax {
		for _, r := range rs {
			if x >= r.lo && x <= r.hi {
				return true
			}
		}
		return false
	}
	// first range whose hi >= x
	lo, hi := 0, len(rs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if rs[m].hi < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(rs) && rs[lo].lo <= x
}

func (s *prefixSet) contains6(x u128) bool {
	rs := s.v6
	if len(rs) <= linearMax {
		for _, r := range rs {
			if !x.less(r.lo) && !r.hi.less(x) {
				return true
			}
		}
		return false
	}
	lo, hi := 0, len(rs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if rs[m].hi.less(x) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(rs) && !x.less(rs[lo].lo)
}

// prefixMap maps non-overlapping prefixes to values (exporters to sensors,
// prefixes to country overrides).
type prefixMap[V any] struct {
	v4 []entry4[V]
	v6 []entry6[V]
}

type entry4[V any] struct {
	r range4
	v V
}

type entry6[V any] struct {
	r range6
	v V
}

// newPrefixMap builds the map; the prefixes must not overlap (the loader
// rejects overlaps before this is called).
func newPrefixMap[V any](prefixes []netip.Prefix, values []V) prefixMap[V] {
	var m prefixMap[V]
	for i, p := range prefixes {
		one := newPrefixSet([]netip.Prefix{p})
		if len(one.v4) == 1 {
			m.v4 = append(m.v4, entry4[V]{one.v4[0], values[i]})
		} else {
			m.v6 = append(m.v6, entry6[V]{one.v6[0], values[i]})
		}
	}
	slices.SortFunc(m.v4, func(a, b entry4[V]) int { return cmp.Compare(a.r.lo, b.r.lo) })
	slices.SortFunc(m.v6, func(a, b entry6[V]) int {
		if a.r.lo.less(b.r.lo) {
			return -1
		}
		if b.r.lo.less(a.r.lo) {
			return 1
		}
		return 0
	})
	return m
}

func (m *prefixMap[V]) lookup(a netip.Addr) (v V, ok bool) {
	if a.Is4In6() {
		a = a.Unmap()
	}
	switch {
	case a.Is4():
		b := a.As4()
		x := binary.BigEndian.Uint32(b[:])
		rs := m.v4
		lo, hi := 0, len(rs)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if rs[mid].r.hi < x {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo < len(rs) && rs[lo].r.lo <= x {
			return rs[lo].v, true
		}
	case a.Is6():
		x := to128(a)
		rs := m.v6
		lo, hi := 0, len(rs)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if rs[mid].r.hi.less(x) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo < len(rs) && !x.less(rs[lo].r.lo) {
			return rs[lo].v, true
		}
	}
	return v, false
}
