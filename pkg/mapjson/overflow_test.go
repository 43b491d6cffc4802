package mapjson

import (
	"math"
	"testing"
)

// A table without an INPUT line or percentages whose rows sum past 64
// bits: the total saturates, as gstats's sums do, instead of wrapping to
// a small number that gives percentages in the thousands.
func TestRowSumSaturates(t *testing.T) {
	text := `scc|               Bytes|
 us|18446744073709551615|
 ch|18446744073709551615|
 de|                1000|
`
	d := Build(mustParse(t, text, ParseOptions{}), testTime)
	if d.Total != math.MaxUint64 || d.TotalSource != "rows" {
		t.Fatalf("total %d (%s), want the largest uint64 from the rows", d.Total, d.TotalSource)
	}
	for _, r := range d.Rows {
		if r.Percent < 0 || r.Percent > 100 {
			t.Errorf("%s: %v%%", r.Code, r.Percent)
		}
	}
}
