package netflow

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// capturePackets returns the UDP payloads of a capture in testdata/.
func capturePackets(t testing.TB, file string) [][]byte {
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
	var pkts [][]byte
	for {
		p, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return pkts
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		pkts = append(pkts, bytes.Clone(p.Payload))
	}
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

// A sample of records checked field by field against tshark's decoding of
// the captures (`tshark -r FILE -d udp.port==PORT,cflow -V`).
func TestCaptureSampleRecords(t *testing.T) {
	type want struct {
		index        int
		src, dst     string
		sport, dport uint16
		proto        uint8
		pkts, bytes  uint64
		start, end   string
	}
	cases := map[string][]want{
		"softflowd-v5-a.pcap": {
			{0, "198.51.100.20", "203.0.113.84", 31699, 3306, 17, 26, 15626, "22:13:22.028", "22:14:51.146"},
			{3, "203.0.113.4", "10.0.0.63", 0, 0x0800, 1, 14, 9312, "22:14:03.644", "22:14:52.712"},
		},
		"softflowd-v9-a.pcap": {
			{0, "198.51.100.20", "203.0.113.84", 31699, 3306, 17, 26, 15626, "22:13:21.034", "22:14:50.152"},
			{1, "2001:db8:2::19", "2001:db8:3::7", 45153, 80, 17, 14, 7689, "22:13:26.608", "22:14:51.418"},
			{34, "2001:db8:4::15", "2001:db8:2::4", 0, 0x8000, 58, 23, 17081, "22:13:21.364", "22:15:03.262"},
		},
		"softflowd-ipfix-a-Amilli.pcap": {
			{0, "198.51.100.20", "203.0.113.84", 31699, 3306, 17, 26, 15626, "22:13:22.028", "22:14:51.146"},
			{5, "203.0.113.4", "10.0.0.63", 0, 0x0800, 1, 14, 9312, "22:14:03.644", "22:14:52.712"},
		},
		"pmacct-nfprobe-ipfix.pcap": {
			{0, "10.0.0.4", "198.51.100.51", 31745, 25, 17, 11, 5205, "22:13:20.294", "22:14:21.086"},
			{3, "2001:db8:1::14", "2001:db8:2::5", 6900, 5353, 17, 11, 8587, "22:13:20.426", "22:14:21.122"},
		},
		"nfreplay-v9.pcap": {
			{0, "198.51.100.20", "203.0.113.84", 31699, 3306, 17, 26, 15626, "22:13:21.034", "22:14:50.152"},
		},
	}
	for file, ws := range cases {
		recs := decodeCapture(t, newTestDecoder(nil), file)
		for _, w := range ws {
			r := recs[w.index]
			got := want{w.index, r.SIP.String(), r.DIP.String(), r.SPort, r.DPort, r.Proto, r.Packets, r.Bytes,
				r.StartTime().Format("15:04:05.000"), r.EndTime().Format("15:04:05.000")}
			if got != w || r.StartTime().Format("2006-01-02") != "2023-11-14" {
				t.Errorf("%s record %d:\n got  %+v\n want %+v", file, w.index, got, w)
			}
		}
	}
}

// flowKey is what every exporter of the same traffic agrees on.
type flowKey struct {
	src, dst     string
	sport, dport uint16
	proto        uint8
}

type flowSum struct {
	pkts, bytes uint64
	start, end  int64
	n           int
}

func sumByKey(recs []flowfile.Record) map[flowKey]flowSum {
	m := make(map[flowKey]flowSum)
	for _, r := range recs {
		k := flowKey{r.SIP.String(), r.DIP.String(), r.SPort, r.DPort, r.Proto}
		s, ok := m[k]
		if !ok || r.STime < s.start {
			s.start = r.STime
		}
		s.end = max(s.end, r.ETime)
		s.pkts += r.Packets
		s.bytes += r.Bytes
		s.n++
		m[k] = s
	}
	return m
}

// TestCapturesAgree checks that the five streams, decoded, describe the
// same 1,000 conversations: same addresses, ports, protocols, packets and
// bytes, and times within the 1 s that v9's whole-second header allows.
func TestCapturesAgree(t *testing.T) {
	ref := sumByKey(decodeCapture(t, newTestDecoder(nil), "softflowd-ipfix-a-Amilli.pcap"))
	if len(ref) != 1000 {
		t.Fatalf("%d distinct flows in the IPFIX capture, want 1000", len(ref))
	}
	for _, c := range captures {
		if c.file == "softflowd-ipfix-a-Amilli.pcap" {
			continue
		}
		got := sumByKey(decodeCapture(t, newTestDecoder(nil), c.file))
		v5 := c.file == "softflowd-v5-a.pcap"
		n := 0
		for k, r := range ref {
			gk := k
			if c.file == "nfreplay-v9.pcap" && k.proto == 58 {
				// nfcapd 1.7.1 did not store softflowd's ICMPv6 type (IE
				// 139), so nfreplay re-sends type and code 0.
				gk.dport = 0
			}
			g, ok := got[gk]
			if v5 && strings.Contains(k.src, ":") {
				if ok {
					t.Errorf("%s: IPv6 flow %+v in v5", c.file, k)
				}
				continue
			}
			n++
			if !ok {
				t.Errorf("%s: flow %+v missing", c.file, k)
				continue
			}
			if g.pkts != r.pkts || g.bytes != r.bytes {
				t.Errorf("%s: flow %+v has %d packets %d bytes, want %d %d", c.file, k, g.pkts, g.bytes, r.pkts, r.bytes)
			}
			// pmacct's flow times are its own (and split by its timeouts);
			// softflowd's v9 times are up to 1 s early.
			if d1, d2 := r.start-g.start, r.end-g.end; d1 < 0 || d1 > 1000 || d2 < 0 || d2 > 1000 {
				if c.file != "pmacct-nfprobe-ipfix.pcap" {
					t.Errorf("%s: flow %+v times differ by %d/%d ms", c.file, k, d1, d2)
				}
			}
		}
		if len(got) != n {
			t.Errorf("%s: %d distinct flows, want %d", c.file, len(got), n)
		}
	}
}
