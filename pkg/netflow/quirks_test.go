package netflow

import (
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Vendors' departures from the common case, each built from the layout the
// vendor's real export has (the captures themselves are checked in
// vendor_test.go where ../shared is present).

type flowWant struct {
	src, dst     string
	sport, dport uint16
	pkts, bytes  uint64
}

func checkFlows(t *testing.T, recs []flowfile.Record, want ...flowWant) {
	t.Helper()
	if len(recs) != len(want) {
		t.Fatalf("%d flows, want %d: %+v", len(recs), len(want), recs)
	}
	for i, w := range want {
		r := recs[i]
		got := flowWant{r.SIP.String(), r.DIP.String(), r.SPort, r.DPort, r.Packets, r.Bytes}
		if got != w {
			t.Errorf("flow %d: got %+v, want %+v", i, got, w)
		}
	}
}

func TestV9OptionsTemplateZeroLengthScope(t *testing.T) {
	// Juniper SRX/MX: the "system" scope field has length 0; the options
	// data carries the 1:100 sampling of the flows.
	opts := cat(set(1, optTmplV9(256, []fs{{1, 0, 0}}, []fs{{35, 1, 0}, {34, 4, 0}})),
		set(256, u8(2), u32(100), make([]byte, 3)))
	flow := cat(set(0, tmpl(257, v4Fields...)), set(257, v4Data("10.0.0.1", "10.0.0.2", 1000, 53, 17, 2, 150)))
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, v9Pkt(1000, t0s, 1, 0, opts, flow))
	checkFlows(t, recs, flowWant{"10.0.0.1", "10.0.0.2", 1000, 53, 200, 15000})
	if recs[0].SamplingRate != 100 {
		t.Errorf("sampling rate %d, want 100", recs[0].SamplingRate)
	}
	if e := exporterStats(t, d); e.TotalErrors() != 0 || e.SamplingRateMissing != 0 || e.Templates != 2 {
		t.Errorf("errors %v, sampling missing %d, templates %d", e.Errors, e.SamplingRateMissing, e.Templates)
	}
}

func TestV9ZeroLengthFieldsAndEgressCounters(t *testing.T) {
	// A v9 template padded with zero-length fields, whose egress records
	// count in OUT_PKTS/OUT_BYTES (IE 24/23) while IN_PKTS/IN_BYTES are 0.
	fields := []fs{{8, 4, 0}, {12, 4, 0}, {2, 4, 0}, {1, 4, 0}, {24, 4, 0}, {23, 4, 0}, {4, 1, 0}, {0, 0, 0}, {0, 0, 0}}
	ingress := cat(ip("192.168.1.95"), ip("239.255.255.250"), u32(1), u32(32), u32(0), u32(0), u8(2))
	egress := cat(ip("192.168.1.80"), ip("239.255.255.250"), u32(0), u32(0), u32(3), u32(96), u8(2))
	silent := cat(ip("239.255.255.250"), ip("192.168.1.80"), u32(0), u32(0), u32(0), u32(0), u8(2))
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, v9Pkt(1000, t0s, 1, 0, set(0, tmpl(256, fields...)), set(256, ingress, egress, silent)))
	checkFlows(t, recs, flowWant{"192.168.1.95", "239.255.255.250", 0, 0, 1, 32}, flowWant{"192.168.1.80", "239.255.255.250", 0, 0, 3, 96})
	if e := exporterStats(t, d); e.Events != 1 || e.TotalErrors() != 0 {
		t.Errorf("events %d errors %v; want the silent record counted as an event", e.Events, e.Errors)
	}
}

func TestV9VariableLengthField(t *testing.T) {
	// H3C NetStream: a v9 field of length 65535 (VRF name) encoded as
	// IPFIX encodes variable-length fields.
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{236, varLen, 0}, fs{10, 4, 0})
	short := cat(v4Data("20.20.20.20", "20.20.255.255", 137, 137, 17, 9, 702), u8(3), []byte("vrf"), u32(17))
	long := cat(v4Data("20.20.20.21", "20.20.255.255", 138, 138, 17, 1, 80), u8(255), u16(1), u8(0), u32(18))
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, v9Pkt(1000, t0s, 1, 0, set(0, tmpl(3281, fields...)), set(3281, short, long)))
	checkFlows(t, recs, flowWant{"20.20.20.20", "20.20.255.255", 137, 137, 9, 702}, flowWant{"20.20.20.21", "20.20.255.255", 138, 138, 1, 80})
	if recs[0].In != 17 || recs[1].In != 18 {
		t.Errorf("fields after the variable-length one misread: in %d, %d", recs[0].In, recs[1].In)
	}
}

func TestZeroPaddingAfterLastSet(t *testing.T) {
	// Palo Alto and Cisco ACI fill the datagram with zeros after the last
	// flowset: padding, not an error.
	p := v9Pkt(1000, t0s, 1, 0, set(0, tmpl(256, v4Fields...)), set(256, v4Data("10.0.0.1", "10.0.0.2", 88, 5000, 6, 3, 363)))
	p = cat(p, make([]byte, 600))
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, p)
	checkFlows(t, recs, flowWant{"10.0.0.1", "10.0.0.2", 88, 5000, 3, 363})
	if e := exporterStats(t, d); e.TotalErrors() != 0 {
		t.Errorf("errors %v for zero padding", e.Errors)
	}
	// Bytes that are not zero after the last set are still an error.
	bad := cat(p[:len(p)-600], []byte{0, 0, 0, 7})
	if _, err := newTestDecoder(nil).Decode(nil, bad, exporterAddr); err == nil {
		t.Error("non-zero bytes after the last set accepted silently")
	}
}

// nselFields is the layout of Cisco ASA's NSEL flow-teardown template (v9).
var nselFields = []fs{{148, 4, 0}, {8, 4, 0}, {7, 2, 0}, {10, 2, 0}, {12, 4, 0}, {11, 2, 0}, {14, 2, 0}, {4, 1, 0},
	{225, 4, 0}, {226, 4, 0}, {227, 2, 0}, {228, 2, 0}, {233, 1, 0}, {323, 8, 0}, {231, 4, 0}, {232, 4, 0}, {152, 8, 0}}

func nselRecord(connID uint32, event uint8, fwd, rev uint32, start, end time.Time) []byte {
	return cat(u32(connID), ip("192.168.0.2"), u16(61776), u16(3), ip("192.168.0.17"), u16(80), u16(4), u8(6),
		ip("192.168.0.2"), ip("192.168.0.17"), u16(61776), u16(80), u8(event), u64(uint64(ms(end))), u32(fwd), u32(rev), u64(uint64(ms(start))))
}

func TestNSELInitiatorResponderTeardown(t *testing.T) {
	// A connection's create (1), update (5) and teardown (2) events: the
	// bytes are in initiatorOctets/responderOctets (IE 231/232); the
	// teardown carries the totals, stored once per direction.
	start, end := t0.Add(-2*time.Second), t0.Add(-time.Second)
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, v9Pkt(1000, t0s, 1, 0, set(0, tmpl(263, nselFields...)),
		set(263, nselRecord(7, 1, 0, 0, start, start), nselRecord(7, 5, 81, 6207, start, end), nselRecord(7, 2, 81, 6207, start, end))))
	checkFlows(t, recs, flowWant{"192.168.0.2", "192.168.0.17", 61776, 80, 0, 81}, flowWant{"192.168.0.17", "192.168.0.2", 80, 61776, 0, 6207})
	for i, r := range recs {
		if r.STime != ms(start) || r.ETime != ms(end) {
			t.Errorf("flow %d times %v – %v, want %v – %v (event time as the end)", i, r.StartTime(), r.EndTime(), start, end)
		}
	}
	if recs[0].In != 3 || recs[0].Out != 4 || recs[1].In != 4 || recs[1].Out != 3 {
		t.Errorf("interfaces %d/%d and %d/%d, want 3/4 and 4/3", recs[0].In, recs[0].Out, recs[1].In, recs[1].Out)
	}
	if e := exporterStats(t, d); e.Events != 2 || e.Flows != 2 {
		t.Errorf("events %d flows %d, want the create and update as 2 events", e.Events, e.Flows)
	}
}

func TestFirewallEventOnDeltaRecords(t *testing.T) {
	// PAN-OS marks ordinary records (IE 1/2 deltas) with firewallEvent
	// "created" or "update": they are flows.
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{233, 1, 0})
	recs := decodeOne(t, nil, v9Pkt(1000, t0s, 1, 0, set(0, tmpl(256, fields...)),
		set(256, cat(v4Data("23.35.171.27", "10.32.91.205", 80, 49519, 6, 1, 70), u8(1)), cat(v4Data("10.32.105.103", "162.115.24.30", 39702, 443, 6, 1, 111), u8(5)))))
	checkFlows(t, recs, flowWant{"23.35.171.27", "10.32.91.205", 80, 49519, 1, 70}, flowWant{"10.32.105.103", "162.115.24.30", 39702, 443, 1, 111})
}

func TestNATEventsAreNotFlows(t *testing.T) {
	// NAT event records (natEvent, IE 230) carry no counters: counted as
	// events, not stored as 0-byte flows.
	fields := []fs{{8, 4, 0}, {12, 4, 0}, {7, 2, 0}, {11, 2, 0}, {4, 1, 0}, {225, 4, 0}, {227, 2, 0}, {230, 1, 0}, {323, 8, 0}}
	ev := cat(ip("172.16.100.198"), ip("10.89.87.1"), u16(35303), u16(53), u8(17), ip("10.143.52.29"), u16(35303), u8(1), u64(uint64(ms(t0))))
	d := newTestDecoder(nil)
	if recs := decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, ev, ev, ev))); len(recs) != 0 {
		t.Fatalf("%d flows from NAT events", len(recs))
	}
	if e := exporterStats(t, d); e.Events != 3 || e.TotalErrors() != 0 {
		t.Errorf("events %d errors %v, want 3 and none", e.Events, e.Errors)
	}
}

func TestRFC5103Biflow(t *testing.T) {
	// ipfixprobe/YAF: one record per connection, the reverse direction's
	// counters and flags under PEN 29305. The reverse is its own flow.
	fields := []fs{{1, 8, 0}, {1, 8, penReverse}, {2, 8, 0}, {2, 8, penReverse}, {152, 8, 0}, {153, 8, 0},
		{4, 1, 0}, {6, 1, 0}, {6, 1, penReverse}, {7, 2, 0}, {11, 2, 0}, {10, 4, 0}, {8, 4, 0}, {12, 4, 0}}
	start, end := t0.Add(-8*time.Second), t0.Add(-time.Second)
	rec := func(src, dst string, sport, dport uint16, proto uint8, b, rb, p, rp uint64) []byte {
		return cat(u64(b), u64(rb), u64(p), u64(rp), u64(uint64(ms(start))), u64(uint64(ms(end))), u8(proto), u8(0x1b), u8(0x12),
			u16(sport), u16(dport), u32(10), ip(src), ip(dst))
	}
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(258, fields...)), set(258,
		rec("10.10.1.4", "74.53.140.153", 1470, 25, 6, 21673, 1546, 28, 25),
		rec("10.10.1.20", "10.10.1.255", 138, 138, 17, 229, 0, 1, 0),
		rec("10.10.1.30", "10.10.1.4", 5000, 53, 17, 0, 128, 0, 1))))
	checkFlows(t, recs,
		flowWant{"10.10.1.4", "74.53.140.153", 1470, 25, 28, 21673},
		flowWant{"74.53.140.153", "10.10.1.4", 25, 1470, 25, 1546},
		flowWant{"10.10.1.20", "10.10.1.255", 138, 138, 1, 229},
		flowWant{"10.10.1.4", "10.10.1.30", 53, 5000, 1, 128})
	if r := recs[1]; r.In != 0 || r.Out != 10 || r.Flags != 0x12 || r.STime != ms(start) || r.ETime != ms(end) {
		t.Errorf("reverse flow: in %d out %d flags %#x times %v – %v", r.In, r.Out, r.Flags, r.StartTime(), r.EndTime())
	}
	if e := exporterStats(t, d); e.Flows != 4 || e.Events != 0 {
		t.Errorf("flows %d events %d", e.Flows, e.Events)
	}
}

func TestPhysicalInterfaces(t *testing.T) {
	// Only ingressPhysicalInterface/egressPhysicalInterface (IE 252/253),
	// with 32-bit values; IE 10/14 win where they are set.
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{252, 4, 0}, fs{253, 4, 0})
	recs := decodeOne(t, nil, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)),
		set(300, cat(v4Data("147.53.240.75", "212.82.101.24", 55629, 993, 6, 3, 4506), u32(1342177291), u32(70000)))))
	if len(recs) != 1 || recs[0].In != 1342177291 || recs[0].Out != 70000 {
		t.Fatalf("got %+v, want in 1342177291 out 70000", recs)
	}
	both := append(fields[:len(fields):len(fields)], fs{10, 4, 0})
	recs = decodeOne(t, nil, ipfixMsg(t0s, 0, 0, set(2, tmpl(301, both...)),
		set(301, cat(v4Data("10.0.0.1", "10.0.0.2", 1, 2, 6, 1, 40), u32(900), u32(901), u32(5)))))
	if len(recs) != 1 || recs[0].In != 5 || recs[0].Out != 901 {
		t.Errorf("got in %d out %d, want 5 (IE 10) and 901 (IE 253)", recs[0].In, recs[0].Out)
	}
}

// ethIPv4UDP is an Ethernet frame with an 802.1Q tag carrying IPv4/UDP.
func ethIPv4UDP(src, dst string, sport, dport uint16, ipLen uint16) []byte {
	return cat([]byte{0x18, 0x2a, 0xd3, 0x6e, 0x50, 0x3f, 0xb4, 0x02, 0x16, 0x55, 0x92, 0xf4}, u16(0x8100), u16(231), u16(0x0800),
		[]byte{0x45, 0}, u16(ipLen), u16(0x8f00), u16(0), u8(119), u8(17), u16(0), ip(src), ip(dst),
		u16(sport), u16(dport), u16(ipLen-20), u16(0))
}

func TestDataLinkFrameSection(t *testing.T) {
	// Packet reports that carry only the first bytes of the frame (IE 315)
	// and its size (IE 312): addresses and ports come from the headers,
	// each record is one packet of the IP length.
	fields := []fs{{10, 4, 0}, {14, 4, 0}, {61, 1, 0}, {312, 2, 0}, {315, varLen, 0}}
	frame := ethIPv4UDP("51.51.51.51", "52.52.52.52", 55501, 11777, 96)
	// an IPv6 packet behind two MPLS labels and a pseudowire control word
	inner := cat([]byte{0x60, 0, 0, 0}, u16(64), u8(6), u8(64), ip("2001:db8::1"), ip("2001:db8::2"), u16(443), u16(40000), make([]byte, 9), u8(0x18))
	mpls := cat(make([]byte, 12), u16(0x8847), []byte{0, 0x10, 0, 64}, []byte{0, 0x20, 1, 64}, make([]byte, 4),
		make([]byte, 12), u16(0x86dd), inner)
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(384, fields...)),
		set(384, cat(u32(582), u32(0), u8(0), u16(114), u8(uint8(len(frame))), frame), cat(u32(7), u32(0), u8(0), u16(200), u8(uint8(len(mpls))), mpls))))
	checkFlows(t, recs, flowWant{"51.51.51.51", "52.52.52.52", 55501, 11777, 1, 96}, flowWant{"2001:db8::1", "2001:db8::2", 443, 40000, 1, 104})
	if recs[0].Proto != 17 || recs[0].In != 582 || recs[1].Proto != 6 || recs[1].Flags != 0x18 {
		t.Errorf("proto %d in %d; proto %d flags %#x", recs[0].Proto, recs[0].In, recs[1].Proto, recs[1].Flags)
	}
	// A frame that holds no IP header cannot be a flow: counted.
	arp := cat(make([]byte, 12), u16(0x0806), make([]byte, 28))
	recs = decodeOne(t, d, ipfixMsg(t0s, 1, 0, set(384, cat(u32(1), u32(0), u8(0), u16(60), u8(uint8(len(arp))), arp))))
	if e := exporterStats(t, d); len(recs) != 0 || e.NoAddressRecords != 1 {
		t.Errorf("ARP frame: %d flows, %d records without addresses", len(recs), e.NoAddressRecords)
	}
}

func TestTemplateWithoutAddresses(t *testing.T) {
	// Cisco WLC per-client records: station address (IE 366), counters,
	// direction, no flow addresses. Not flows; counted.
	fields := []fs{{365, 6, 0}, {366, 4, 0}, {61, 1, 0}, {1, 8, 0}, {2, 8, 0}}
	rec := cat(make([]byte, 6), ip("192.168.20.121"), u8(0), u64(3320), u64(83))
	d := newTestDecoder(nil)
	if recs := decodeOne(t, d, v9Pkt(1000, t0s, 1, 1, set(0, tmpl(261, fields...)), set(261, rec, rec))); len(recs) != 0 {
		t.Fatalf("%d flows", len(recs))
	}
	if e := exporterStats(t, d); e.NoAddressRecords != 2 || e.Events != 0 {
		t.Errorf("records without addresses %d events %d, want 2 and 0", e.NoAddressRecords, e.Events)
	}
}

func TestConcatenatedMessages(t *testing.T) {
	// Several whole v5 packets or IPFIX messages in one datagram (a stream
	// captured with nc and sent on) are each decoded.
	r := v5Rec{src: "10.0.0.1", dst: "10.0.0.2", pkts: 1, octets: 40, proto: 17}
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, cat(v5Pkt(1000, t0s, 0, 0, 0, r, r), v5Pkt(1001, t0s, 0, 2, 0, r, r, r), v5Pkt(1002, t0s, 0, 5, 0, r)))
	if e := exporterStats(t, d); len(recs) != 6 || e.TotalErrors() != 0 || e.LostExports != 0 {
		t.Errorf("v5: %d flows, errors %v, lost %d; want 6, none, 0", len(recs), e.Errors, e.LostExports)
	}
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	d = newTestDecoder(nil)
	recs = decodeOne(t, d, cat(ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(300, rec)), ipfixMsg(t0s, 1, 0, set(300, rec, rec))))
	if e := exporterStats(t, d); len(recs) != 3 || e.TotalErrors() != 0 || e.LostExports != 0 {
		t.Errorf("IPFIX: %d flows, errors %v, lost %d; want 3, none, 0", len(recs), e.Errors, e.LostExports)
	}
}

func TestSamplingIntervalAndSpace(t *testing.T) {
	// RouterOS 7's sampling-interval (packets taken in a row) and
	// sampling-space (packets skipped in a row), exported as
	// samplingPacketInterval/samplingPacketSpace (IE 305/306): 2222 taken
	// and 1111 skipped is 2 packets of 3, a factor of 1.5, not 2222.
	for _, c := range []struct {
		interval, space uint32
		pkts, bytes     uint64
		rate            uint32
	}{
		{2222, 1111, 3, 150, 2}, // 2 × 1.5, 100 × 1.5
		{1, 999, 2000, 100000, 1000},
		{1, 0, 2, 100, 1},
	} {
		opts := cat(set(3, optTmplIPFIX(400, 1, fs{149, 4, 0}, fs{305, 4, 0}, fs{306, 4, 0})), set(400, u32(0), u32(c.interval), u32(c.space)))
		recs := decodeOne(t, nil, ipfixMsg(t0s, 0, 0, opts, set(2, tmpl(300, v4Fields...)), set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 2, 100))))
		if len(recs) != 1 || recs[0].Packets != c.pkts || recs[0].Bytes != c.bytes || recs[0].SamplingRate != c.rate {
			t.Errorf("interval %d space %d: got %+v, want %d packets %d bytes rate %d", c.interval, c.space, recs, c.pkts, c.bytes, c.rate)
		}
	}
}

func TestSequenceJumpIsNotLoss(t *testing.T) {
	// H3C: two packets 24 s apart whose numbers differ by 60 million:
	// more than an exporter sends in that time. Not 60 million losses.
	d := newTestDecoder(nil)
	tpl := set(0, tmpl(3281, v4Fields...))
	decodeOne(t, d, v9Pkt(3958259168, 1526894680, 2855, 0, tpl))
	decodeOne(t, d, v9Pkt(3958283189, 1526894704, 60342277, 0, set(3281, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 6, 1, 40))))
	decodeOne(t, d, v9Pkt(3958284189, 1526894705, 60342280, 0, tpl)) // then 2 packets lost
	if ds := domainStats(t, d); ds.LostExports != 2 || ds.SequenceJumps != 1 {
		t.Errorf("lost %d jumps %d, want 2 and 1", ds.LostExports, ds.SequenceJumps)
	}
}

func TestSequenceV9NumberingRecords(t *testing.T) {
	// A v9 exporter that numbers data records (as IPFIX does) rather than
	// export packets is recognised, not read as loss.
	d := newTestDecoder(nil)
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	decodeOne(t, d, v9Pkt(1000, t0s, 100, 0, set(0, tmpl(256, v4Fields...)), set(256, rec, rec, rec)))
	decodeOne(t, d, v9Pkt(1001, t0s, 103, 0, set(256, rec, rec)))
	decodeOne(t, d, v9Pkt(1002, t0s, 105, 0, set(256, rec, rec, rec, rec)))
	decodeOne(t, d, v9Pkt(1003, t0s, 112, 0, set(256, rec))) // 3 records lost
	if ds := domainStats(t, d); ds.LostExports != 3 || ds.NonConformantSequence != 1 {
		t.Errorf("lost %d non-conformant %d, want 3 and 1", ds.LostExports, ds.NonConformantSequence)
	}
}
