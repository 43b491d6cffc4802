package netflow

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func noticeDecoder(notes *[]Notice) *Decoder {
	return newTestDecoder(func(o *Options) { o.Notify = func(n Notice) { *notes = append(*notes, n) } })
}

func kinds(notes []Notice, k NoticeKind) []Notice {
	var out []Notice
	for _, n := range notes {
		if n.Kind == k {
			out = append(out, n)
		}
	}
	return out
}

func TestNoticeFirstErrorPerKindAndExporter(t *testing.T) {
	var notes []Notice
	d := noticeDecoder(&notes)
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	// a record cut short in template 300, at a known offset
	bad := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fs{8, 4, 0}, fs{12, 4, 0}, fs{2, 1, 0}, fs{82, varLen, 0})),
		set(300, ip("10.0.0.1"), ip("10.0.0.2"), u8(1), u8(255), u16(1000)))
	other := netip.MustParseAddrPort("192.0.2.2:4739")
	for range 3 {
		d.Decode(nil, bad, exporterAddr) //nolint:errcheck // counted and noticed
	}
	d.Decode(nil, cat(ipfixMsg(t0s, 1, 0, set(2, tmpl(301, v4Fields...)), set(301, rec)), []byte{1, 2, 3}), exporterAddr) //nolint:errcheck
	d.Decode(nil, bad, other)                                                                                             //nolint:errcheck
	// two kinds in one packet: both are noticed
	mixed := set(2, tmpl(302, fs{8, 4, 0}, fs{28, 16, 0}, fs{2, 1, 0}))
	d.Decode(nil, ipfixMsg(t0s, 2, 0, set(7, rec), mixed, set(302, ip("10.0.0.1"), ip("2001:db8::1"), u8(1))), exporterAddr) //nolint:errcheck
	errs := kinds(notes, NoticeError)
	if len(errs) != 5 || errs[3].Err.Kind != ErrSetID || errs[4].Err.Kind != ErrAddressFamily {
		t.Fatalf("%d error notices, want 5 (record from each exporter, trailing once, reserved set ID and address family from one packet): %v", len(errs), errs)
	}
	first := errs[0]
	if first.Err.Kind != ErrRecord || first.TemplateID != 300 || first.Err.Offset != 44 || first.Exporter != exporterAddr {
		t.Errorf("first notice %+v: %v", first, first.Err)
	}
	if !strings.Contains(first.String(), "template 300") || !strings.Contains(first.String(), "byte 44") {
		t.Errorf("notice text %q names no template or offset", first.String())
	}
	if errs[1].Err.Kind != ErrTrailing || errs[2].Exporter != other {
		t.Errorf("notices %v", errs)
	}
	// the counters still count every occurrence
	if e := d.Stats().Exporters[0]; e.Errors[ErrRecord] != 3 {
		t.Errorf("%d record errors counted, want 3", e.Errors[ErrRecord])
	}
}

func TestNoticeNoAddress(t *testing.T) {
	var notes []Notice
	d := noticeDecoder(&notes)
	wlc := []fs{{366, 4, 0}, {1, 8, 0}, {2, 8, 0}}
	p := v9Pkt(1000, t0s, 1, 1, set(0, tmpl(261, wlc...), tmpl(262, v4Fields...)), set(261, ip("192.168.20.121"), u64(3320), u64(83)))
	decodeOne(t, d, p, p)
	n := kinds(notes, NoticeNoAddress)
	if len(n) != 1 || n[0].TemplateID != 261 || n[0].Domain != 1 || !strings.Contains(n[0].String(), "template 261") {
		t.Errorf("no-address notices %v", n)
	}
}

func TestHeldDataAccounting(t *testing.T) {
	// Every data set that arrives before its template ends up in exactly
	// one of: released, lost (DataWithoutTemplate), held now.
	clk := &fixedClock{t0}
	d := newTestDecoder(func(o *Options) {
		o.Now = clk.now
		o.PendingTTL = 5 * time.Second
		o.MaxPendingBytes = 4 * (21 + heldSetOverhead)
	})
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 3, 300) // 21 bytes
	for range 3 {
		decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(300, rec), set(301, rec)))
	}
	// 6 arrived: 4 held (84 bytes), 2 did not fit
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)))) // releases 300's
	clk.t = t0.Add(6 * time.Second)
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(302, rec))) // 301's expire; 302 held
	st := d.Stats()
	e := st.Exporters[0]
	if e.Held != 5 || e.Released != 2 || e.ReleasedFlows != 2 || e.DataWithoutTemplate != 4 || e.HeldSets != 1 {
		t.Errorf("held %d released %d (%d flows) lost %d held now %d; want 5 2 2 4 1",
			e.Held, e.Released, e.ReleasedFlows, e.DataWithoutTemplate, e.HeldSets)
	}
	if len(st.Waiting) != 1 || st.Waiting[0].TemplateID != 302 || st.Waiting[0].Sets != 1 || st.Waiting[0].Bytes != 21 {
		t.Errorf("waiting %+v", st.Waiting)
	}
}
