package stats

import (
	"math"
	"net/netip"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Two flows of 2^64−1 bytes sum past 64 bits: the sums saturate at the
// largest uint64 instead of wrapping to a small number (0 Bytes and a
// -nan percentage before).
func TestSumsSaturate(t *testing.T) {
	big := flowfile.Record{SIP: netip.MustParseAddr("10.0.0.1"), DIP: netip.MustParseAddr("192.0.2.1"),
		Proto: 6, Packets: math.MaxUint64, Bytes: math.MaxUint64, STime: 1_764_150_000_000, ETime: 1_764_150_001_000}
	small := big
	small.SIP, small.Packets, small.Bytes = netip.MustParseAddr("10.0.0.2"), 1, 40
	in := stream(t, []flowfile.Record{big, big, small})
	out, errs, st := gstats(t, in, "--fields=sip", "--values=bytes,packets", "--count=5", "--delimited")
	if st != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", st, errs)
	}
	const max = "18446744073709551615"
	if !strings.Contains(out, "INPUT: 3 Records for 2 Bins and "+max+" Total Bytes") {
		t.Errorf("total does not saturate:\n%s", out)
	}
	if !strings.Contains(out, "10.0.0.1|"+max+"|"+max+"|100.000000|100.000000\n") {
		t.Errorf("the saturated bin:\n%s", out)
	}
	if !strings.Contains(out, "10.0.0.2|40|1|0.000000|100.000000\n") || strings.Contains(out, "nan") {
		t.Errorf("the small bin:\n%s", out)
	}
}
