package netflow

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/netflow/pcapfile"
)

// capture is one of the real export streams in testdata/ (see its README)
// with the totals the exporter sent.
type capture struct {
	file                  string
	flows                 int
	packets, bytes        uint64
	nonConformantSequence bool
}

var captures = []capture{
	{"softflowd-v5-a.pcap", 764, 15242, 9685550, false},
	{"softflowd-v9-a.pcap", 1000, 20000, 12820719, false},
	{"softflowd-ipfix-a-Amilli.pcap", 1000, 20000, 12820719, true},
	{"pmacct-nfprobe-ipfix.pcap", 1995, 20000, 12820719, false},
	{"nfreplay-v9.pcap", 1000, 20000, 12820719, false},
}

// decodeCapture decodes every packet of a capture with d.
func decodeCapture(t testing.TB, d *Decoder, file string) []flowfile.Record {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := pcapfile.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var recs []flowfile.Record
	for {
		p, err := pr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		recs, err = d.Decode(recs, p.Payload, p.Src)
		if err != nil {
			t.Errorf("%s: packet at %v: %v", file, p.Time, err)
		}
	}
	return recs
}

func TestCaptureTotals(t *testing.T) {
	lo := time.Date(2023, 11, 14, 22, 13, 0, 0, time.UTC).UnixMilli()
	hi := time.Date(2023, 11, 14, 22, 16, 0, 0, time.UTC).UnixMilli()
	for _, c := range captures {
		t.Run(c.file, func(t *testing.T) {
			d := NewDecoder(DefaultOptions())
			recs := decodeCapture(t, d, c.file)
			var pk, by uint64
			for i := range recs {
				r := &recs[i]
				pk += r.Packets
				by += r.Bytes
				if r.STime < lo || r.ETime > hi || r.ETime < r.STime {
					t.Errorf("record %d: times %v – %v outside the capture's 22:13–22:16", i, r.StartTime(), r.EndTime())
				}
			}
			if len(recs) != c.flows || pk != c.packets || by != c.bytes {
				t.Errorf("decoded %d flows, %d packets, %d bytes; exporter sent %d, %d, %d", len(recs), pk, by, c.flows, c.packets, c.bytes)
			}
			st := d.Stats()
			if len(st.Exporters) != 1 {
				t.Fatalf("%d exporters, want 1", len(st.Exporters))
			}
			e := st.Exporters[0]
			if e.Flows != uint64(c.flows) || e.FlowPackets != c.packets || e.FlowBytes != c.bytes {
				t.Errorf("stats: %d flows %d packets %d bytes", e.Flows, e.FlowPackets, e.FlowBytes)
			}
			if e.LostExports != 0 || e.Restarts != 0 || e.TotalErrors() != 0 || e.DataWithoutTemplate != 0 || e.SamplingRateMissing != 0 {
				t.Errorf("stats: %+v", e)
			}
			if got := e.NonConformantSequence > 0; got != c.nonConformantSequence {
				t.Errorf("non-conformant sequence messages %d, want non-zero %v", e.NonConformantSequence, c.nonConformantSequence)
			}
		})
	}
}
