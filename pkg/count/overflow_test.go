package count_test

import (
	"strings"
	"testing"
)

// gcount's sums are floating point, as rwcount's: two flows of 2^64−1
// bytes add up to about 3.7e19, not to a wrapped 64-bit value.
func TestSumsDoNotWrap(t *testing.T) {
	flow := "stime|duration|bytes|packets\n2015/10/09T00:00:05|1|18446744073709551615|18446744073709551615\n"
	got := gcount(t, gtuc(t, flow+flow[strings.Index(flow, "\n")+1:]), "--bin-size=3600", "--delimited", "--no-titles")
	want := "2015/10/09T00:00:00|2.00|36893488147419103232.00|36893488147419103232.00\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
