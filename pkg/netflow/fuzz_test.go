package netflow

import (
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// The fuzz targets feed one packet to a decoder that has already learnt the
// templates of a real capture (its first packet), so mutated data sets reach
// the record decoder and mutated template sets reach the template parser.
// Seeds are the capture's packets.

func fuzzDecode(f *testing.F, captureFile string, alsoSeed ...[]byte) {
	pkts := capturePackets(f, captureFile)
	for i, p := range pkts {
		if i < 8 {
			f.Add(p)
		}
	}
	for _, p := range alsoSeed {
		f.Add(p)
	}
	warm := pkts[0]
	f.Fuzz(func(t *testing.T, pkt []byte) {
		d := newTestDecoder(func(o *Options) { o.MaxPendingBytes = 1 << 16; o.MaxTemplatesPerExporter = 64 })
		var recs []flowfile.Record
		recs, _ = d.Decode(recs, warm, exporterAddr)
		n := len(recs)
		recs, err := d.Decode(recs, pkt, exporterAddr)
		for i := n; i < len(recs); i++ {
			r := &recs[i]
			if r.ETime < r.STime {
				t.Fatalf("record %d ends before it starts: %+v", i, r)
			}
			if !r.SIP.IsValid() || !r.DIP.IsValid() || r.SIP.Is4() != r.DIP.Is4() {
				t.Fatalf("record %d with addresses %v %v", i, r.SIP, r.DIP)
			}
		}
		// a second pass over the same packet (templates now learnt from it)
		_, err2 := d.Decode(recs[:0], pkt, exporterAddr)
		if (err == nil) != (err2 == nil) && len(pkt) >= 2 && pkt[0] == 0 && pkt[1] == 5 {
			t.Fatalf("v5 decoding depends on state: %v vs %v", err, err2)
		}
		st := d.Stats()
		if len(st.Exporters) != 1 || st.Exporters[0].Packets != 3 {
			t.Fatalf("stats: %+v", st)
		}
		if st.HeldBytes > 1<<16 {
			t.Fatalf("held %d bytes over the bound", st.HeldBytes)
		}
	})
}

func FuzzDecodeV5(f *testing.F) {
	fuzzDecode(f, "softflowd-v5-a.pcap")
}

func FuzzDecodeV9(f *testing.F) {
	fuzzDecode(f, "softflowd-v9-a.pcap",
		v9Pkt(1, t0s, 0, 0, set(1, optTmplV9(257, []fs{{1, 4, 0}}, []fs{{48, 1, 0}, {34, 4, 0}})), set(257, u32(0), u8(5), u32(100))),
		v9Pkt(1, t0s, 0, 0, set(1, optTmplV9(258, []fs{{1, 0, 0}}, []fs{{34, 4, 0}})), set(258, u32(100)),
			set(0, tmpl(300, fs{8, 4, 0}, fs{12, 4, 0}, fs{236, varLen, 0}, fs{0, 0, 0}, fs{23, 4, 0})),
			set(300, ip("10.0.0.1"), ip("10.0.0.2"), u8(255), u16(1), u8(0), u32(5)), make([]byte, 8)))
}

func FuzzDecodeIPFIX(f *testing.F) {
	fields := []fs{{8, 4, 0}, {12, 4, 0}, {82, varLen, 0}, {1, 4, 29305}, {225, 4, 0}, {226, 4, 0}, {160, 8, 0}, {22, 4, 0}, {21, 4, 0}}
	extra := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)),
		set(300, ip("10.0.0.1"), ip("10.0.0.2"), u8(2), []byte("ab"), u32(1), ip("192.0.2.1"), ip("10.0.0.9"), u64(1), u32(2), u32(3)),
		set(3, optTmplIPFIX(400, 1, fs{302, 4, 0}, fs{305, 4, 0}, fs{306, 4, 0})), set(400, u32(1), u32(1), u32(9)),
		set(2, u16(2), u16(0)))
	frame := ethIPv4UDP("51.51.51.51", "52.52.52.52", 55501, 11777, 96)
	quirks := ipfixMsg(t0s, 0, 0,
		set(2, tmpl(384, fs{10, 4, 0}, fs{312, 2, 0}, fs{315, varLen, 0})), set(384, u32(1), u16(114), u8(uint8(len(frame))), frame),
		set(2, tmpl(385, fs{1, 8, 0}, fs{1, 8, penReverse}, fs{2, 4, 0}, fs{2, 4, penReverse}, fs{8, 4, 0}, fs{12, 4, 0}, fs{233, 1, 0}, fs{232, 4, 0})),
		set(385, u64(10), u64(20), u32(1), u32(2), ip("10.0.0.1"), ip("10.0.0.2"), u8(2), u32(7)))
	fuzzDecode(f, "softflowd-ipfix-a-Amilli.pcap", extra, quirks, capturePackets(f, "pmacct-nfprobe-ipfix.pcap")[0])
}
