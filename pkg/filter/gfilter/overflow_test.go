package gfilter

import (
	"math"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// --print-volume-statistics sums saturate at the largest uint64 instead
// of wrapping, and the failing records' sums are their own, not the
// difference of two saturated sums.
func TestVolumeSumsSaturate(t *testing.T) {
	big := flowfile.Record{SIP: netip.MustParseAddr("10.0.0.1"), DIP: netip.MustParseAddr("192.0.2.1"),
		Proto: 6, Packets: math.MaxUint64, Bytes: math.MaxUint64, STime: 1_764_150_000_000, ETime: 1_764_150_001_000}
	udp := big
	udp.Proto, udp.Packets, udp.Bytes = 17, 3, 300
	path := filepath.Join(t.TempDir(), "big.gf")
	writeStream(t, path, []flowfile.Record{big, big, udp}, 0)
	_, errs, st := gf(t, "--proto=6", "--print-volume-statistics=stderr", path)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	// spaces aside: the columns are rwfilter's widths
	lines := strings.Split(strings.ReplaceAll(errs, " ", ""), "\n")
	want := []string{
		"Total|3|18446744073709551615|18446744073709551615|1|",
		"Pass|2|18446744073709551615|18446744073709551615||",
		"Fail|1|3|300||",
	}
	for i, w := range want {
		if i+1 >= len(lines) || lines[i+1] != w {
			t.Errorf("line %d: want %q in\n%s", i+1, w, errs)
		}
	}
}
