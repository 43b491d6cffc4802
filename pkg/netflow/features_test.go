package netflow

import (
	"errors"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

func exporterStats(t *testing.T, d *Decoder) ExporterStats {
	t.Helper()
	st := d.Stats()
	if len(st.Exporters) != 1 {
		t.Fatalf("%d exporters, want 1", len(st.Exporters))
	}
	return st.Exporters[0]
}

func TestTemplateRedefinedAndWithdrawn(t *testing.T) {
	d := newTestDecoder(nil)
	data := set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 3, 300))
	recs := decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), data))
	if len(recs) != 1 || recs[0].Bytes != 300 {
		t.Fatalf("first template: %+v", recs)
	}
	// Redefined with the address fields swapped round.
	swapped := append([]fs{{12, 4, 0}, {8, 4, 0}}, v4Fields[2:]...)
	recs = decodeOne(t, d, ipfixMsg(t0s, 1, 0, set(2, tmpl(300, swapped...)), data))
	if len(recs) != 1 || recs[0].SIP != netip.MustParseAddr("10.0.0.2") {
		t.Fatalf("redefined template not used: %+v", recs)
	}
	// Withdrawn: the data is held, not decoded with the old template.
	recs = decodeOne(t, d, ipfixMsg(t0s, 2, 0, set(2, u16(300), u16(0)), data))
	if len(recs) != 0 {
		t.Fatalf("data decoded after withdrawal: %+v", recs)
	}
	e := exporterStats(t, d)
	if e.Held != 1 || e.HeldSets != 1 || e.Templates != 0 {
		t.Errorf("after withdrawal: %d sets held, %d templates", e.Held, e.Templates)
	}
}

func TestTemplateWithdrawAll(t *testing.T) {
	d := newTestDecoder(nil)
	decodeOne(t, d, ipfixMsg(t0s, 0, 0,
		set(2, tmpl(300, v4Fields...), tmpl(301, v4Fields...)),
		set(3, optTmplIPFIX(400, 1, fs{149, 4, 0}, fs{34, 4, 0}))))
	if n := exporterStats(t, d).Templates; n != 3 {
		t.Fatalf("%d templates, want 3", n)
	}
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, u16(2), u16(0))))
	if n := exporterStats(t, d).Templates; n != 1 {
		t.Fatalf("after withdrawing all templates: %d left, want the options template", n)
	}
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(3, u16(3), u16(0))))
	if n := exporterStats(t, d).Templates; n != 0 {
		t.Fatalf("after withdrawing all options templates: %d left", n)
	}
}

func TestTemplatesPerDomainAndExporter(t *testing.T) {
	d := newTestDecoder(nil)
	// The same template ID in two observation domains means two templates.
	decodeOne(t, d, ipfixMsg(t0s, 0, 1, set(2, tmpl(300, v4Fields...))))
	decodeOne(t, d, ipfixMsg(t0s, 0, 2, set(2, tmpl(300, append([]fs{{12, 4, 0}, {8, 4, 0}}, v4Fields[2:]...)...))))
	data := set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 3, 300))
	r1 := decodeOne(t, d, ipfixMsg(t0s, 0, 1, data))
	r2 := decodeOne(t, d, ipfixMsg(t0s, 0, 2, data))
	if len(r1) != 1 || len(r2) != 1 || r1[0].SIP == r2[0].SIP {
		t.Fatalf("domains share templates: %+v %+v", r1, r2)
	}
	// Another exporter has none of them.
	recs, err := d.Decode(nil, ipfixMsg(t0s, 0, 1, data), netip.MustParseAddrPort("192.0.2.2:4739"))
	if err != nil || len(recs) != 0 {
		t.Fatalf("other exporter: %v %+v", err, recs)
	}
	// The exporter's source port does not matter (it changes on restart).
	recs, _ = d.Decode(nil, ipfixMsg(t0s, 0, 1, data), netip.MustParseAddrPort("192.0.2.1:1"))
	if len(recs) != 1 {
		t.Fatalf("new source port lost the templates")
	}
}

func TestTemplateLimit(t *testing.T) {
	d := newTestDecoder(func(o *Options) { o.MaxTemplatesPerExporter = 3 })
	var recs []byte
	for id := uint16(300); id < 305; id++ {
		recs = cat(recs, tmpl(id, v4Fields...))
	}
	_, err := d.Decode(nil, ipfixMsg(t0s, 0, 0, set(2, recs)), exporterAddr)
	var de *DecodeError
	if !errors.As(err, &de) || de.Kind != ErrTemplateLimit {
		t.Fatalf("err %v, want template_limit", err)
	}
	e := exporterStats(t, d)
	if e.Templates != 3 || e.Errors[ErrTemplateLimit] != 2 {
		t.Errorf("%d templates, %d refused; want 3 and 2", e.Templates, e.Errors[ErrTemplateLimit])
	}
	// Redefining a kept template is still allowed.
	if _, err := d.Decode(nil, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields[:3]...))), exporterAddr); err != nil {
		t.Errorf("redefinition at the limit: %v", err)
	}
}

func TestHeldDataReleasedByTemplate(t *testing.T) {
	clk := &fixedClock{t0}
	d := newTestDecoder(func(o *Options) { o.Now = clk.now })
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{22, 4, 0}, fs{21, 4, 0})
	// Data first, in a packet whose uptime anchors its times.
	data := set(256, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 3, 300), u32(50_000), u32(59_000))
	recs := decodeOne(t, d, v9Pkt(60_000, t0s, 1, 7, data))
	if len(recs) != 0 {
		t.Fatalf("decoded without template: %+v", recs)
	}
	e := exporterStats(t, d)
	if e.DataWithoutTemplate != 0 || e.Held != 1 || e.HeldSets != 1 || d.Stats().HeldBytes == 0 {
		t.Fatalf("not held: %+v", e)
	}
	// The template comes 2 s later with another packet of data.
	clk.t = t0.Add(2 * time.Second)
	later := set(256, v4Data("10.0.0.3", "10.0.0.4", 1, 2, 17, 1, 100), u32(61_000), u32(61_500))
	recs = decodeOne(t, d, v9Pkt(62_000, t0s+2, 2, 7, set(0, tmpl(256, fields...)), later))
	if len(recs) != 2 {
		t.Fatalf("%d records, want the new one and the released one", len(recs))
	}
	// The released flow comes out when its template arrives, here before
	// the packet's own data set, with the times of its own packet.
	if recs[0].SIP != netip.MustParseAddr("10.0.0.1") || recs[1].SIP != netip.MustParseAddr("10.0.0.3") {
		t.Fatalf("order: %v then %v", recs[0].SIP, recs[1].SIP)
	}
	if recs[1].STime != ms(t0.Add(time.Second)) {
		t.Errorf("new flow start %v", recs[1].StartTime())
	}
	if recs[0].STime != ms(t0.Add(-10*time.Second)) || recs[0].ETime != ms(t0.Add(-time.Second)) {
		t.Errorf("released flow times %v – %v", recs[0].StartTime(), recs[0].EndTime())
	}
	e = exporterStats(t, d)
	if e.Released != 1 || e.ReleasedFlows != 1 || e.Flows != 2 || e.HeldSets != 0 || e.DataWithoutTemplate != 0 || d.Stats().HeldBytes != 0 || e.LostExports != 0 {
		t.Errorf("after release: %+v held bytes %d", e, d.Stats().HeldBytes)
	}
}

func TestHeldDataSamePacket(t *testing.T) {
	// A data set before its template in the same packet.
	p := ipfixMsg(t0s, 0, 0, set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 3, 300)), set(2, tmpl(300, v4Fields...)))
	if recs := decodeOne(t, nil, p); len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
}

func TestHeldDataExpiresAndIsBounded(t *testing.T) {
	clk := &fixedClock{t0}
	// room for 4 sets of one 21-byte record (each costs heldSetOverhead more)
	d := newTestDecoder(func(o *Options) {
		o.Now = clk.now
		o.PendingTTL = 5 * time.Second
		o.MaxPendingBytes = 4*(21+heldSetOverhead) + 10
	})
	data := set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 3, 300)) // 21-byte record
	for range 6 {
		decodeOne(t, d, ipfixMsg(t0s, 0, 0, data))
	}
	e := exporterStats(t, d)
	if e.Held != 4 || e.DataWithoutTemplate != 2 || d.Stats().HeldBytes != 84 {
		t.Fatalf("bound of 100 bytes: held %d dropped %d bytes %d", e.Held, e.DataWithoutTemplate, d.Stats().HeldBytes)
	}
	clk.t = t0.Add(6 * time.Second)
	recs := decodeOne(t, d, ipfixMsg(t0s+6, 0, 0, set(2, tmpl(300, v4Fields...))))
	if len(recs) != 0 {
		t.Errorf("expired data released: %d records", len(recs))
	}
	e = exporterStats(t, d)
	if e.DataWithoutTemplate != 6 || e.Released != 0 || d.Stats().HeldBytes != 0 {
		t.Errorf("after expiry: dropped %d, held bytes %d", e.DataWithoutTemplate, d.Stats().HeldBytes)
	}
}

func TestVariableLengthAndEnterpriseFields(t *testing.T) {
	fields := []fs{
		{8, 4, 0},
		{1, 4, 12345},   // an enterprise field numbered like octetDeltaCount: skipped
		{82, varLen, 0}, // interfaceName, short form
		{12, 4, 0},
		{100, varLen, 9}, // an unknown enterprise variable-length field, long form
		{7, 2, 0}, {11, 2, 0}, {4, 1, 0}, {1, 4, 0}, {2, 4, 0},
		{8, 4, 12345}, // enterprise element numbered like sourceIPv4Address: not an address
	}
	long := make([]byte, 300)
	rec1 := cat(ip("10.0.0.1"), u32(999), u8(4), []byte("eth0"), ip("10.0.0.2"), u8(255), u16(300), long,
		u16(1000), u16(53), u8(17), u32(120), u32(2), ip("192.0.2.99"))
	rec2 := cat(ip("10.0.0.3"), u32(999), u8(0), ip("10.0.0.4"), u8(1), u8(7),
		u16(1001), u16(53), u8(17), u32(80), u32(1), ip("192.0.2.99"))
	// the set ends with 3 bytes of padding: less than the 28-byte minimum record
	p := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, rec1, rec2, []byte{0, 0, 0}))
	d := newTestDecoder(nil)
	recs := decodeOne(t, d, p)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if recs[0].SIP != netip.MustParseAddr("10.0.0.1") || recs[0].DIP != netip.MustParseAddr("10.0.0.2") || recs[0].Bytes != 120 || recs[0].SPort != 1000 {
		t.Errorf("record 1: %+v", recs[0])
	}
	if recs[1].SIP != netip.MustParseAddr("10.0.0.3") || recs[1].DIP != netip.MustParseAddr("10.0.0.4") || recs[1].Bytes != 80 || recs[1].DPort != 53 {
		t.Errorf("record 2: %+v", recs[1])
	}
	if n := exporterStats(t, d).TotalErrors(); n != 0 {
		t.Errorf("%d errors for padding", n)
	}

	// A variable-length field that claims more than the set holds.
	bad := cat(ip("10.0.0.1"), u32(999), u8(200), []byte("eth0"))
	_, err := d.Decode(nil, ipfixMsg(t0s, 0, 0, set(300, bad, make([]byte, 24))), exporterAddr)
	var de *DecodeError
	if !errors.As(err, &de) || de.Kind != ErrRecord {
		t.Errorf("overrunning variable field: %v", err)
	}
}

func TestICMPTypeCode(t *testing.T) {
	cases := []struct {
		name   string
		fields []fs
		values []byte
		proto  uint8
		want   uint16
	}{
		{"IE 32", []fs{{32, 2, 0}}, u16(0x0301), 1, 0x0301},
		{"IE 139 (ICMPv6)", []fs{{139, 2, 0}}, u16(0x8000), 58, 0x8000},
		{"IE 176/177", []fs{{176, 1, 0}, {177, 1, 0}}, cat(u8(11), u8(1)), 1, 0x0b01},
		{"IE 178/179", []fs{{178, 1, 0}, {179, 1, 0}}, cat(u8(129), u8(0)), 58, 0x8100},
		{"destination port", []fs{{11, 2, 0}}, u16(0x0800), 1, 0x0800},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, dst := "10.0.0.1", "10.0.0.2"
			a4, a6 := []fs{{8, 4, 0}, {12, 4, 0}}, cat(ip(src), ip(dst))
			if c.proto == 58 {
				src, dst = "2001:db8::1", "2001:db8::2"
				a4, a6 = []fs{{27, 16, 0}, {28, 16, 0}}, cat(ip(src), ip(dst))
			}
			fields := append(append(a4, fs{4, 1, 0}, fs{7, 2, 0}, fs{2, 4, 0}), c.fields...)
			p := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, a6, u8(c.proto), u16(1234), u32(1), c.values))
			recs := decodeOne(t, nil, p)
			if len(recs) != 1 || recs[0].DPort != c.want || recs[0].SPort != 0 {
				t.Errorf("got %+v, want DPort %#x SPort 0", recs, c.want)
			}
		})
	}
}

func TestSampling(t *testing.T) {
	flow := func(fields []fs, vals []byte) ([]fs, []byte) {
		return append(v4Fields[:len(v4Fields):len(v4Fields)], fields...), cat(v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 3, 300), vals)
	}
	check := func(t *testing.T, recs []flowfile.Record, rate uint32) {
		t.Helper()
		mult := uint64(max(rate, 1))
		if len(recs) != 1 || recs[0].SamplingRate != rate || recs[0].Packets != 3*mult || recs[0].Bytes != 300*mult {
			t.Errorf("got %+v, want rate %d", recs, rate)
		}
	}
	t.Run("v5 header", func(t *testing.T) {
		p := v5Pkt(1000, t0s, 0, 0, 1<<14|100, v5Rec{src: "10.0.0.1", dst: "10.0.0.2", pkts: 3, octets: 300, proto: 17})
		check(t, decodeOne(t, nil, p), 100)
	})
	t.Run("v9 options data per sampler id", func(t *testing.T) {
		d := newTestDecoder(nil)
		// scope: system (type 1); options: FLOW_SAMPLER_ID, SAMPLING_INTERVAL, algorithm
		opts := cat(set(1, optTmplV9(257, []fs{{1, 4, 0}}, []fs{{48, 1, 0}, {34, 4, 0}, {35, 1, 0}})),
			set(257, u32(0), u8(5), u32(1000), u8(2), u32(0), u8(6), u32(64), u8(2)))
		fields, vals := flow([]fs{{48, 1, 0}}, u8(6))
		recs := decodeOne(t, d, v9Pkt(1000, t0s, 1, 0, opts, set(0, tmpl(256, fields...)), set(256, vals)))
		check(t, recs, 64)
	})
	t.Run("IPFIX 305/306 without sampler id", func(t *testing.T) {
		opts := cat(set(3, optTmplIPFIX(400, 1, fs{149, 4, 0}, fs{305, 4, 0}, fs{306, 4, 0})), set(400, u32(1), u32(1), u32(99)))
		fields, vals := flow(nil, nil)
		check(t, decodeOne(t, nil, ipfixMsg(t0s, 0, 0, opts, set(2, tmpl(300, fields...)), set(300, vals))), 100)
	})
	t.Run("IPFIX selector 302 with population 310/309", func(t *testing.T) {
		opts := cat(set(3, optTmplIPFIX(400, 1, fs{302, 4, 0}, fs{309, 4, 0}, fs{310, 4, 0})),
			set(400, u32(9), u32(1), u32(512), u32(10), u32(1), u32(4)))
		fields, vals := flow([]fs{{302, 4, 0}}, u32(9))
		check(t, decodeOne(t, nil, ipfixMsg(t0s, 0, 0, opts, set(2, tmpl(300, fields...)), set(300, vals))), 512)
	})
	t.Run("interval in the data record", func(t *testing.T) {
		fields, vals := flow([]fs{{34, 4, 0}}, u32(10))
		check(t, decodeOne(t, nil, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, vals))), 10)
	})
	t.Run("configured default", func(t *testing.T) {
		d := newTestDecoder(func(o *Options) {
			o.DefaultSamplingRate = func(a netip.Addr) uint32 {
				if a == exporterAddr.Addr() {
					return 1000
				}
				return 0
			}
		})
		fields, vals := flow(nil, nil)
		check(t, decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, vals))), 1000)
	})
	t.Run("unsampled exporter", func(t *testing.T) {
		d := newTestDecoder(nil)
		fields, vals := flow(nil, nil)
		check(t, decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, vals))), 0)
		if n := exporterStats(t, d).SamplingRateMissing; n != 0 {
			t.Errorf("sampling rate missing %d for an exporter that never mentioned sampling", n)
		}
	})
	t.Run("missing: unknown sampler", func(t *testing.T) {
		d := newTestDecoder(nil)
		fields, vals := flow([]fs{{48, 2, 0}}, u16(3))
		check(t, decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, vals))), 0)
		if n := exporterStats(t, d).SamplingRateMissing; n != 1 {
			t.Errorf("sampling rate missing %d, want 1", n)
		}
	})
	t.Run("missing: announced, no rate yet; then learnt", func(t *testing.T) {
		d := newTestDecoder(nil)
		fields, vals := flow(nil, nil)
		optT := set(3, optTmplIPFIX(400, 1, fs{149, 4, 0}, fs{34, 4, 0}))
		check(t, decodeOne(t, d, ipfixMsg(t0s, 0, 0, optT, set(2, tmpl(300, fields...)), set(300, vals))), 0)
		if n := exporterStats(t, d).SamplingRateMissing; n != 1 {
			t.Errorf("sampling rate missing %d, want 1", n)
		}
		check(t, decodeOne(t, d, ipfixMsg(t0s, 2, 0, set(400, u32(1), u32(20)), set(300, vals))), 20)
	})
}

func TestNAT(t *testing.T) {
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{225, 4, 0}, fs{226, 4, 0}, fs{227, 2, 0}, fs{228, 2, 0})
	rec := func(src, dst string, sport, dport uint16, nsrc, ndst string, nsport, ndport uint16) []byte {
		return cat(v4Data(src, dst, sport, dport, 6, 1, 60), ip(nsrc), ip(ndst), u16(nsport), u16(ndport))
	}
	outbound := rec("192.168.1.10", "8.8.8.8", 40000, 443, "203.0.113.5", "8.8.8.8", 61000, 443)
	inbound := rec("8.8.8.8", "203.0.113.5", 443, 61000, "8.8.8.8", "192.168.1.10", 443, 40000)
	onlyDst := rec("8.8.8.8", "203.0.113.5", 443, 61000, "0.0.0.0", "192.168.1.10", 0, 40000) // MikroTik: only 226/228
	p := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, outbound, inbound, onlyDst))
	// nh: the address of the other view, kept in nhIP.
	type ends struct {
		src, dst     string
		sport, dport uint16
		nh           string
	}
	for _, c := range []struct {
		inside bool
		want   []ends
	}{
		{true, []ends{{"192.168.1.10", "8.8.8.8", 40000, 443, "203.0.113.5"}, {"8.8.8.8", "192.168.1.10", 443, 40000, "203.0.113.5"}, {"8.8.8.8", "192.168.1.10", 443, 40000, "203.0.113.5"}}},
		{false, []ends{{"203.0.113.5", "8.8.8.8", 61000, 443, "192.168.1.10"}, {"8.8.8.8", "203.0.113.5", 443, 61000, "192.168.1.10"}, {"8.8.8.8", "203.0.113.5", 443, 61000, "192.168.1.10"}}},
	} {
		d := newTestDecoder(func(o *Options) { o.NATInside = c.inside })
		recs := decodeOne(t, d, p)
		if len(recs) != 3 {
			t.Fatalf("%d records", len(recs))
		}
		for i, w := range c.want {
			r := recs[i]
			if r.SIP.String() != w.src || r.DIP.String() != w.dst || r.SPort != w.sport || r.DPort != w.dport || r.NhIP.String() != w.nh {
				t.Errorf("NATInside %v record %d: %v:%d -> %v:%d nh %v, want %+v", c.inside, i, r.SIP, r.SPort, r.DIP, r.DPort, r.NhIP, w)
			}
		}
	}
}

func TestIPv6Flow(t *testing.T) {
	fields := []fs{{27, 16, 0}, {28, 16, 0}, {62, 16, 0}, {7, 2, 0}, {11, 2, 0}, {4, 1, 0}, {86, 8, 0}, {85, 8, 0}}
	p := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)),
		set(300, ip("2001:db8::1"), ip("2001:db8::2"), ip("fe80::1"), u16(5353), u16(5353), u8(17), u64(4), u64(400)))
	recs := decodeOne(t, nil, p)
	if len(recs) != 1 || !recs[0].IsIPv6() || recs[0].NhIP != netip.MustParseAddr("fe80::1") || recs[0].Packets != 4 || recs[0].Bytes != 400 {
		t.Errorf("got %+v", recs)
	}
}

func TestBGPNextHopFallback(t *testing.T) {
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{18, 4, 0})
	p := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)), set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 3, 300), ip("192.0.2.254")))
	recs := decodeOne(t, nil, p)
	if len(recs) != 1 || recs[0].NhIP != netip.MustParseAddr("192.0.2.254") {
		t.Errorf("got %+v", recs)
	}
}

// TestConcurrentUse runs Decode, Stats and SaveTemplates at once; with
// -race it checks the documented concurrency safety.
func TestConcurrentUse(t *testing.T) {
	d := newTestDecoder(nil)
	pkts := capturePackets(t, "softflowd-v9-a.pcap")
	done := make(chan bool)
	for g := range 2 {
		go func() {
			var recs []flowfile.Record
			for _, p := range pkts {
				recs, _ = d.Decode(recs[:0], p, netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(g)}), 9))
			}
			done <- true
		}()
	}
	go func() {
		for range 20 {
			d.Stats()
			d.SaveTemplates(io.Discard) //nolint:errcheck // io.Discard does not fail
		}
		done <- true
	}()
	for range 3 {
		<-done
	}
	for _, e := range d.Stats().Exporters {
		if e.Flows != 1000 {
			t.Errorf("%v: %d flows, want 1000", e.Exporter, e.Flows)
		}
	}
}
