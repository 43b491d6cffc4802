package filter

import "regexp"

// gflow's AS switches (--sas, --das, --any-as) take lists of AS numbers
// and ranges as the port switches do ("13335,15169", "64512-65534"); an
// "AS" before a number is allowed, as AS numbers are usually written.

// maxAS is the largest AS number (RFC 6793's four octets).
const maxAS = 1<<32 - 1

// asPrefix matches "AS" before a number at the start of an item or range
// end, in any case.
var asPrefix = regexp.MustCompile(`(?i)(^|[,\-\s])AS(\d)`)

// parseASList parses an AS switch's value into a RangeSet, or returns
// SiLK's reason.
func parseASList(value string) (*RangeSet, string) {
	var rs [][2]uint32
	e := eachNumberRange(asPrefix.ReplaceAllString(value, "$1$2"), maxAS, 10, func(lo, hi uint32) {
		rs = append(rs, [2]uint32{lo, hi})
	})
	if e != "" {
		return nil, e
	}
	s := newRangeSet(rs)
	return &s, ""
}
