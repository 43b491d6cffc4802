package filter

import (
	"math"
	"slices"
)

// IndexSet is a set of interface indexes (--input-index, --output-index,
// --any-index). Exporters send 32-bit indexes (ifIndex of large routers,
// physical interfaces such as 1342177291): the small ones, the common case,
// are a bitmap; the others a sorted list of ranges.
type IndexSet struct {
	small Bitmap      // 0..65535
	large [][2]uint32 // ranges above 65535, sorted, disjoint
}

const smallIndexes = 1 << 16

// Has reports whether v is in the set.
func (s *IndexSet) Has(v uint32) bool {
	if v < smallIndexes {
		return s.small.Has(v)
	}
	i, _ := slices.BinarySearchFunc(s.large, v, func(r [2]uint32, v uint32) int {
		switch {
		case r[1] < v:
			return -1
		case r[0] > v:
			return 1
		}
		return 0
	})
	return i < len(s.large) && s.large[i][0] <= v && v <= s.large[i][1]
}

// ParseIndexList parses SiLK's INTEGER_LIST of interface indexes, 0 to
// 4294967295 ("1,2", "1342177280-1342177300", "70000-"). It returns SiLK's
// reason on error.
func ParseIndexList(s string) (IndexSet, string) {
	set := IndexSet{small: NewBitmap(smallIndexes)}
	e := eachNumberRange(s, math.MaxUint32, 10, func(lo, hi uint32) {
		if lo < smallIndexes {
			set.small.SetRange(lo, min(hi, smallIndexes-1))
			lo = smallIndexes
		}
		if hi >= lo {
			set.large = append(set.large, [2]uint32{lo, hi})
		}
	})
	if e != "" {
		return IndexSet{}, e
	}
	// sort and merge, so that Has can search
	slices.SortFunc(set.large, func(a, b [2]uint32) int { return int(int64(a[0]) - int64(b[0])) })
	merged := set.large[:0]
	for _, r := range set.large {
		if n := len(merged); n > 0 && uint64(r[0]) <= uint64(merged[n-1][1])+1 {
			merged[n-1][1] = max(merged[n-1][1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	set.large = merged
	return set, ""
}
