package flowgen_test

import (
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

func TestReproducible(t *testing.T) {
	a := make([]flowfile.Record, 5000)
	b := make([]flowfile.Record, 5000)
	flowgen.New(42, flowgen.Options{}).Fill(a)
	flowgen.New(42, flowgen.Options{}).Fill(b)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("record %d differs between two generators with the same seed", i)
		}
	}
	flowgen.New(43, flowgen.Options{}).Fill(b)
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 42 and 43 share %d records", same)
	}
}

func TestFillDoesNotAllocate(t *testing.T) {
	g := flowgen.New(1, flowgen.Options{})
	recs := make([]flowfile.Record, 1000)
	if n := testing.AllocsPerRun(10, func() { g.Fill(recs) }); n != 0 {
		t.Errorf("Fill allocates %.1f times per call", n)
	}
}

// TestShape checks the properties tests and benchmarks rely on.
func TestShape(t *testing.T) {
	const n = 200_000
	start := time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC)
	recs := make([]flowfile.Record, n)
	flowgen.New(7, flowgen.Options{Start: start, PerHour: n, Sensors: 2}).Fill(recs)
	var v6, tcp443, web, sensors1 int
	hosts := map[[16]byte]int{}
	for i := range recs {
		r := &recs[i]
		if i > 0 && r.STime < recs[i-1].STime {
			t.Fatalf("record %d starts before record %d", i, i-1)
		}
		if r.STime < start.UnixMilli() || r.ETime < r.STime || r.Packets == 0 || r.Bytes < r.Packets*20 {
			t.Fatalf("record %d is not sensible: %+v", i, *r)
		}
		if r.SIP.Is4() != r.DIP.Is4() || r.SIP.Is4In6() {
			t.Fatalf("record %d mixes address families: %+v", i, *r)
		}
		if r.IsIPv6() {
			v6++
		}
		if r.Proto == 6 && (r.DPort == 443 || r.SPort == 443) {
			tcp443++
		}
		if r.Type == flowfile.TypeInWeb || r.Type == flowfile.TypeOutWeb {
			web++
			if r.Proto != 6 {
				t.Fatalf("record %d: web type for protocol %d", i, r.Proto)
			}
		}
		if r.IsICMP() && r.SPort != 0 {
			t.Fatalf("record %d: ICMP with a source port", i)
		}
		if r.Sensor == 1 {
			sensors1++
		}
		hosts[r.SIP.As16()]++
	}
	last := recs[n-1].STime - start.UnixMilli()
	if last < 50*60*1000 || last > 70*60*1000 {
		t.Errorf("PerHour=%d flows span %v, want about an hour", n, time.Duration(last)*time.Millisecond)
	}
	if f := float64(v6) / n; f < 0.12 || f > 0.18 {
		t.Errorf("IPv6 share %.3f, want about 0.15", f)
	}
	if f := float64(tcp443) / n; f < 0.25 || f > 0.45 {
		t.Errorf("TCP 443 share %.3f", f)
	}
	if web == 0 || sensors1 == 0 {
		t.Errorf("%d web flows, %d of sensor 1", web, sensors1)
	}
	// Zipf: the busiest source carries far more than its equal share.
	top := 0
	for _, c := range hosts {
		top = max(top, c)
	}
	if top < 50*n/len(hosts) {
		t.Errorf("busiest source has %d flows of %d over %d sources: not skewed", top, n, len(hosts))
	}
}
