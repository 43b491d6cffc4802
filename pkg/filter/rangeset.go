package filter

import (
	"cmp"
	"slices"
)

// RangeSet is a set of 32-bit numbers kept as sorted, disjoint ranges:
// AS numbers and interface indexes run to 4294967295, too many for a
// Bitmap.
type RangeSet struct {
	lo, hi []uint32
}

// newRangeSet sorts and merges ranges, given as {lo, hi} pairs, into a
// RangeSet; overlapping and adjacent ranges become one.
func newRangeSet(rs [][2]uint32) RangeSet {
	slices.SortFunc(rs, func(a, b [2]uint32) int { return cmp.Compare(a[0], b[0]) })
	var s RangeSet
	for _, r := range rs {
		if n := len(s.hi); n > 0 && uint64(r[0]) <= uint64(s.hi[n-1])+1 {
			s.hi[n-1] = max(s.hi[n-1], r[1])
			continue
		}
		s.lo, s.hi = append(s.lo, r[0]), append(s.hi, r[1])
	}
	return s
}

// Has reports whether v is in the set.
func (s *RangeSet) Has(v uint32) bool {
	// the last range starting at or before v
	lo, hi := 0, len(s.lo)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.lo[m] <= v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo > 0 && v <= s.hi[lo-1]
}
