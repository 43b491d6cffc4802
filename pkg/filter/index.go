package filter

import "math"

// IndexSet is a set of interface indexes (--input-index, --output-index,
// --any-index). Exporters send 32-bit indexes (ifIndex of large routers,
// physical interfaces such as 1342177291): the small ones, the common case,
// are a bitmap; the others a sorted list of ranges.
type IndexSet struct {
	small Bitmap   // 0..65535
	large RangeSet // above 65535
}

const smallIndexes = 1 << 16

// Has reports whether v is in the set.
func (s *IndexSet) Has(v uint32) bool {
	if v < smallIndexes {
		return s.small.Has(v)
	}
	return s.large.Has(v)
}

// ParseIndexList parses SiLK's INTEGER_LIST of interface indexes, 0 to
// 4294967295 ("1,2", "1342177280-1342177300", "70000-"). It returns SiLK's
// reason on error.
func ParseIndexList(s string) (IndexSet, string) {
	set := IndexSet{small: NewBitmap(smallIndexes)}
	var large [][2]uint32
	e := eachNumberRange(s, math.MaxUint32, 10, func(lo, hi uint32) {
		if lo < smallIndexes {
			set.small.SetRange(lo, min(hi, smallIndexes-1))
			lo = smallIndexes
		}
		if hi >= lo {
			large = append(large, [2]uint32{lo, hi})
		}
	})
	if e != "" {
		return IndexSet{}, e
	}
	set.large = newRangeSet(large)
	return set, ""
}
