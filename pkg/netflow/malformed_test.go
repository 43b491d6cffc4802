package netflow

import (
	"errors"
	"testing"
)

func TestMalformedPackets(t *testing.T) {
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	good := set(2, tmpl(300, v4Fields...))
	cases := []struct {
		name  string
		pkt   []byte
		kind  ErrorKind
		flows int // flows still decoded from the good part
	}{
		{"empty", nil, ErrShort, 0},
		{"one byte", []byte{0}, ErrShort, 0},
		{"unknown version", cat(u16(7), make([]byte, 30)), ErrVersion, 0},
		{"v5 short header", cat(u16(5), u16(1), make([]byte, 10)), ErrShort, 0},
		{"v5 count lies", v5Pkt(1, t0s, 0, 0, 0, v5Rec{src: "10.0.0.1", dst: "10.0.0.2"})[:60], ErrLength, 0},
		{"v9 short header", cat(u16(9), u16(1), make([]byte, 10)), ErrShort, 0},
		{"IPFIX short header", cat(u16(10), u16(16), make([]byte, 8)), ErrShort, 0},
		{"IPFIX length beyond packet", cat(u16(10), u16(200), make([]byte, 30)), ErrLength, 0},
		{"IPFIX length below header", cat(u16(10), u16(4), make([]byte, 30)), ErrLength, 0},
		{"zero-length set", ipfixMsg(t0s, 0, 0, good, set(300, rec), cat(u16(300), u16(0), rec)), ErrSetLength, 1},
		{"set length beyond packet", ipfixMsg(t0s, 0, 0, good, set(300, rec), cat(u16(300), u16(400), rec)), ErrLength, 1},
		{"reserved set ID", ipfixMsg(t0s, 0, 0, good, set(7, rec), set(300, rec)), ErrSetID, 1},
		{"absurd field count", ipfixMsg(t0s, 0, 0, set(2, u16(300), u16(60000), u16(8), u16(4))), ErrTemplate, 0},
		{"field count past set", ipfixMsg(t0s, 0, 0, set(2, u16(300), u16(3), specs(v4Fields[:2]))), ErrTemplate, 0},
		{"only zero-length fields", ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fs{8, 0, 0}, fs{12, 0, 0})), set(300, rec)), ErrTemplate, 0},
		{"v9 only zero-length fields", v9Pkt(1, t0s, 0, 0, set(0, tmpl(300, fs{8, 0, 0}, fs{12, 0, 0})), set(300, rec)), ErrTemplate, 0},
		{"template ID below 256", ipfixMsg(t0s, 0, 0, set(2, tmpl(200, v4Fields...))), ErrTemplate, 0},
		{"enterprise field cut short", ipfixMsg(t0s, 0, 0, set(2, u16(300), u16(1), u16(0x8001), u16(4), u16(0))), ErrTemplate, 0},
		{"options template without scope", ipfixMsg(t0s, 0, 0, set(3, optTmplIPFIX(400, 0, fs{34, 4, 0}))), ErrTemplate, 0},
		{"v9 options template lengths", v9Pkt(1, t0s, 0, 0, set(1, u16(300), u16(6), u16(4), make([]byte, 10))), ErrTemplate, 0},
		{"variable field past set", ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fs{8, 4, 0}, fs{12, 4, 0}, fs{2, 1, 0}, fs{82, varLen, 0})),
			set(300, ip("10.0.0.1"), ip("10.0.0.2"), u8(1), u8(2), []byte("ab"), ip("10.0.0.1"), ip("10.0.0.2"), u8(1), u8(255), u16(1000))), ErrRecord, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newTestDecoder(nil)
			recs, err := d.Decode(nil, c.pkt, exporterAddr)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err %v, want a *DecodeError", err)
			}
			if de.Kind != c.kind {
				t.Errorf("kind %v (%v), want %v", de.Kind, err, c.kind)
			}
			if len(recs) != c.flows {
				t.Errorf("%d flows, want %d", len(recs), c.flows)
			}
			if n := exporterStats(t, d).Errors[c.kind]; n == 0 {
				t.Errorf("error kind %v not counted", c.kind)
			}
		})
	}
}

func TestLenientPadding(t *testing.T) {
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	cases := []struct {
		name     string
		pkt      []byte
		trailing uint64
	}{
		// RFC 7011: padding shorter than a record at the end of a set
		{"set padding", ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(300, rec, rec, make([]byte, 3))), 0},
		// padding after a template record
		{"template set padding", ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...), make([]byte, 2)), set(300, rec, rec)), 0},
		// v9 packets padded to a word
		{"v9 packet padding", cat(v9Pkt(1, t0s, 0, 0, set(0, tmpl(300, v4Fields...)), set(300, rec, rec)), []byte{0, 0}), 0},
		// bytes after the IPFIX message length: counted, decoding goes on
		{"after IPFIX message", cat(ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(300, rec, rec)), make([]byte, 9)), 1},
		{"after v5 records", cat(v5Pkt(1, t0s, 0, 0, 0, v5Rec{src: "10.0.0.1", dst: "10.0.0.2"}, v5Rec{src: "10.0.0.1", dst: "10.0.0.2"}), make([]byte, 5)), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newTestDecoder(nil)
			recs, err := d.Decode(nil, c.pkt, exporterAddr)
			if err != nil || len(recs) != 2 {
				t.Fatalf("%d flows, err %v; want 2 and nil", len(recs), err)
			}
			e := exporterStats(t, d)
			if e.Errors[ErrTrailing] != c.trailing || e.TotalErrors() != c.trailing {
				t.Errorf("errors %v, want %d trailing", e.Errors, c.trailing)
			}
		})
	}
}

// TestTruncatedCapturePackets cuts every real packet at every length: the
// decoder must return, count and never panic.
func TestTruncatedCapturePackets(t *testing.T) {
	for _, c := range captures {
		pkts := capturePackets(t, c.file)
		d := newTestDecoder(nil)
		for _, p := range pkts[:3] {
			for n := range len(p) {
				d.Decode(nil, p[:n], exporterAddr) //nolint:errcheck // only checking it returns
			}
		}
	}
}

func TestMixedAddressFamilies(t *testing.T) {
	d := newTestDecoder(nil)
	recs, err := d.Decode(nil, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fs{8, 4, 0}, fs{28, 16, 0}, fs{2, 1, 0})),
		set(300, ip("10.0.0.1"), ip("2001:db8::1"), u8(1), ip("10.0.0.1"), ip("::ffff:10.0.0.2"), u8(1))), exporterAddr)
	var de *DecodeError
	if !errors.As(err, &de) || de.Kind != ErrAddressFamily || de.TemplateID != 300 {
		t.Errorf("err %v, want an address family error in template 300", err)
	}
	// the second record's IPv4-mapped address is taken as IPv4
	if len(recs) != 1 || recs[0].DIP.String() != "10.0.0.2" {
		t.Errorf("got %+v", recs)
	}
}
