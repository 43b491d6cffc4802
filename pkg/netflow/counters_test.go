package netflow

import (
	"math"
	"testing"
)

// Two IPFIX flows with 8-byte counters of 2^64−1: the records keep what
// the exporter sent, and the exporter's sums of packets and bytes (the
// flow_packets_total and flow_bytes_total metrics) saturate instead of
// wrapping to 2^64−2.
func TestEightByteCountersSaturate(t *testing.T) {
	d := newTestDecoder(nil)
	tpl := tmpl(256, fs{id: 8, len: 4}, fs{id: 12, len: 4}, fs{id: 4, len: 1}, fs{id: 2, len: 8}, fs{id: 1, len: 8})
	rec := cat(ip("10.0.0.1"), ip("192.0.2.9"), u8(6), u64(math.MaxUint64), u64(math.MaxUint64))
	recs, err := d.Decode(nil, ipfixMsg(t0s, 0, 1, set(2, tpl), set(256, rec, rec)), exporterAddr)
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if recs[0].Bytes != math.MaxUint64 || recs[1].Packets != math.MaxUint64 {
		t.Errorf("records changed the counters: %d bytes, %d packets", recs[0].Bytes, recs[1].Packets)
	}
	st := d.Stats().Exporters[0]
	if st.FlowBytes != math.MaxUint64 || st.FlowPackets != math.MaxUint64 {
		t.Errorf("sums %d bytes, %d packets; want both saturated at %d", st.FlowBytes, st.FlowPackets, uint64(math.MaxUint64))
	}
}

// ExportTime reads the same export time as the decoder anchors flows at.
func TestExportTime(t *testing.T) {
	for _, c := range []struct {
		pkt  []byte
		want int64
	}{
		{v5Pkt(1000, t0s, 250_000_000, 1, 0), t0.UnixMilli() + 250},
		{v9Pkt(1000, t0s, 1, 1), t0.UnixMilli()},
		{ipfixMsg(t0s, 1, 1), t0.UnixMilli()},
	} {
		if got, ok := ExportTime(c.pkt); !ok || got != c.want {
			t.Errorf("version %d: %d, %v; want %d", c.pkt[1], got, ok, c.want)
		}
	}
	for _, pkt := range [][]byte{nil, {0, 5, 0}, {0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}} {
		if _, ok := ExportTime(pkt); ok {
			t.Errorf("%x: an export time from a short or unknown packet", pkt)
		}
	}
}
