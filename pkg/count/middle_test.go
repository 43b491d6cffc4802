package count_test

import "testing"

// The middle-spike point of a flow with an odd duration is its start plus
// half its duration rounded down to the millisecond, as rwcount computes
// it: flows whose midpoint falls a half millisecond before a bin edge stay
// in the bin before it.
func TestMiddleSpikeOddDurations(t *testing.T) {
	for _, c := range []struct {
		stime, dur string
		bin        string // the bin that gets the flow
	}{
		{"00:00:04.999", "10.001", "2015/10/09T00:00:00"}, // midpoint 9.9995 s: 9.999
		{"00:00:05.000", "10.001", "2015/10/09T00:00:10"}, // 10.0005 s: 10.000
		{"00:00:05.000", "9.999", "2015/10/09T00:00:00"},  // 9.9995 s: 9.999
		{"00:00:05.001", "9.999", "2015/10/09T00:00:10"},  // 10.0005 s: 10.000
		{"00:00:09.999", "0.001", "2015/10/09T00:00:00"},  // 9.9995 s: 9.999
		{"00:00:09.999", "0.003", "2015/10/09T00:00:10"},  // 10.0005 s: 10.000
	} {
		flow := "stime|duration|bytes|packets\n2015/10/09T" + c.stime + "|" + c.dur + "|100|1\n"
		got := gcount(t, gtuc(t, flow), "--bin-size=10", "--load-scheme=middle-spike", "--no-titles", "--delimited")
		if want := c.bin + "|1.00|100.00|1.00\n"; got != want {
			t.Errorf("flow at %s for %s s: got %q, want %q", c.stime, c.dur, got, want)
		}
	}
}
