package netflow

import (
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// steadyState returns a decoder that has seen a capture once (so it knows
// the templates) and the capture's packets.
func steadyState(tb testing.TB, file string) (*Decoder, [][]byte, int) {
	pkts := capturePackets(tb, file)
	d := newTestDecoder(nil)
	var recs []flowfile.Record
	flows := 0
	for _, p := range pkts {
		var err error
		recs, err = d.Decode(recs[:0], p, exporterAddr)
		if err != nil {
			tb.Fatal(err)
		}
		flows += len(recs)
	}
	return d, pkts, flows
}

// TestDecodeDoesNotAllocate checks the steady state: known templates and a
// reused destination slice cost no allocation per packet or flow.
func TestDecodeDoesNotAllocate(t *testing.T) {
	for _, file := range []string{"softflowd-v5-a.pcap", "softflowd-v9-a.pcap", "softflowd-ipfix-a-Amilli.pcap", "pmacct-nfprobe-ipfix.pcap", "nfreplay-v9.pcap"} {
		d, pkts, _ := steadyState(t, file)
		recs := make([]flowfile.Record, 0, 64)
		allocs := testing.AllocsPerRun(5, func() {
			for _, p := range pkts {
				recs, _ = d.Decode(recs[:0], p, exporterAddr)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per pass over %d packets, want 0", file, allocs, len(pkts))
		}
	}
}

func benchDecode(b *testing.B, file string) {
	d, pkts, flows := steadyState(b, file)
	recs := make([]flowfile.Record, 0, 64)
	size := 0
	for _, p := range pkts {
		size += len(p)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, p := range pkts {
			recs, _ = d.Decode(recs[:0], p, exporterAddr)
		}
	}
	b.StopTimer()
	total := float64(flows) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "flows/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/flow")
}

func BenchmarkDecodeV5(b *testing.B)    { benchDecode(b, "softflowd-v5-a.pcap") }
func BenchmarkDecodeV9(b *testing.B)    { benchDecode(b, "softflowd-v9-a.pcap") }
func BenchmarkDecodeIPFIX(b *testing.B) { benchDecode(b, "softflowd-ipfix-a-Amilli.pcap") }

// BenchmarkDecodeIPFIXPmacct has small messages (about 5 flows each): the
// per-packet cost shows.
func BenchmarkDecodeIPFIXPmacct(b *testing.B) { benchDecode(b, "pmacct-nfprobe-ipfix.pcap") }
