package filter

import (
	"regexp"
	"slices"
)

// gflow's AS switches (--sas, --das, --any-as) take lists of AS numbers
// and ranges as the port switches do ("13335,15169", "64512-65534"); an
// "AS" before a number is allowed, as AS numbers are usually written.

// RangeSet is a set of 32-bit numbers kept as sorted, disjoint ranges: AS
// numbers run to 4294967295, too many for a Bitmap.
type RangeSet struct {
	lo, hi []uint32
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

// maxAS is the largest AS number (RFC 6793's four octets).
const maxAS = 1<<32 - 1

// asPrefix matches "AS" before a number at the start of an item or range
// end, in any case.
var asPrefix = regexp.MustCompile(`(?i)(^|[,\-\s])AS(\d)`)

// parseASList parses an AS switch's value into a RangeSet, or returns
// SiLK's reason.
func parseASList(value string) (*RangeSet, string) {
	type rng struct{ lo, hi uint32 }
	var rs []rng
	e := eachNumberRange(asPrefix.ReplaceAllString(value, "$1$2"), maxAS, 10, func(lo, hi uint32) {
		rs = append(rs, rng{lo, hi})
	})
	if e != "" {
		return nil, e
	}
	slices.SortFunc(rs, func(a, b rng) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	s := &RangeSet{}
	for _, r := range rs {
		if n := len(s.hi); n > 0 && uint64(r.lo) <= uint64(s.hi[n-1])+1 {
			s.hi[n-1] = max(s.hi[n-1], r.hi)
			continue
		}
		s.lo, s.hi = append(s.lo, r.lo), append(s.hi, r.hi)
	}
	return s, ""
}
