package netflow

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Hostile exporters: a spoofed flood must not lock out real exporters, nor
// grow the decoder's memory without bound.

func spoofed(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 4739)
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// legitFlows sends a template and 1,000 flows from exporter and counts what
// was decoded.
func legitFlows(t *testing.T, d *Decoder, exporter netip.AddrPort) int {
	t.Helper()
	rec := v4Data("192.168.1.10", "8.8.8.8", 40000, 443, 6, 1, 100)
	var recs []flowfile.Record
	n := 0
	for i := range 100 {
		var sets [][]byte
		if i == 0 {
			sets = append(sets, set(2, tmpl(300, v4Fields...)))
		}
		var body []byte
		for range 10 {
			body = append(body, rec...)
		}
		sets = append(sets, set(300, body))
		var err error
		recs, err = d.Decode(recs[:0], ipfixMsg(t0s, uint32(i*10), 0, sets...), exporter)
		if err != nil && !errors.As(err, new(*DecodeError)) {
			t.Fatal(err)
		}
		n += len(recs)
	}
	return n
}

func TestExporterTableIsNotLockedOut(t *testing.T) {
	// One packet from each of 4,200 addresses, then a real exporter: it is
	// admitted (a spoofed address that never sent a flow gives way), all
	// its flows are kept, and across a restart only it is remembered.
	var refusals int
	d := newTestDecoder(func(o *Options) {
		o.Notify = func(n Notice) {
			if n.Kind == NoticeExporterRefused {
				refusals++
			}
		}
	})
	junk := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(999, make([]byte, 40)))
	for i := range 4200 {
		d.Decode(nil, junk, spoofed(i)) //nolint:errcheck // junk
	}
	real := netip.MustParseAddrPort("198.51.100.7:2055")
	if n := legitFlows(t, d, real); n != 1000 {
		t.Fatalf("%d of 1,000 flows of a real exporter after a spoofed flood", n)
	}
	st := d.Stats()
	if len(st.Exporters) != 4096 || st.RefusedPackets != 0 || refusals != 0 || st.Forgotten != 4200+1-4096 {
		t.Errorf("%d exporters, %d refused, %d forgotten", len(st.Exporters), st.RefusedPackets, st.Forgotten)
	}
	var buf bytes.Buffer
	if err := d.SaveTemplates(&buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), `"exporter"`); n != 1 {
		t.Errorf("the templates file keeps %d exporters, want only the one that sent flows", n)
	}
	d2 := newTestDecoder(nil)
	if err := d2.LoadTemplates(&buf); err != nil {
		t.Fatal(err)
	}
	recs, _ := d2.Decode(nil, ipfixMsg(t0s, 1000, 0, set(300, v4Data("192.168.1.10", "8.8.8.8", 1, 2, 6, 1, 100))), real)
	if len(recs) != 1 {
		t.Errorf("after a restart, %d flows from the real exporter's next packet, want 1", len(recs))
	}
}

func TestExporterTableGivesWay(t *testing.T) {
	clk := &fixedClock{t0}
	var refused []netip.AddrPort
	preferred := netip.MustParseAddr("192.0.2.100")
	d := newTestDecoder(func(o *Options) {
		o.Now = clk.now
		o.MaxExporters = 3
		o.ExporterIdle = time.Minute
		o.Preferred = func(a netip.Addr) bool { return a == preferred }
		o.Notify = func(n Notice) {
			if n.Kind == NoticeExporterRefused {
				refused = append(refused, n.Exporter)
			}
		}
	})
	flow := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)))
	a, b, c := netip.MustParseAddrPort("192.0.2.1:1"), netip.MustParseAddrPort("192.0.2.2:1"), netip.MustParseAddrPort("192.0.2.3:1")
	for _, e := range []netip.AddrPort{a, b, c} {
		if recs, err := d.Decode(nil, flow, e); err != nil || len(recs) != 1 {
			t.Fatalf("%v: %v %d", e, err, len(recs))
		}
	}
	// The table is full of exporters that sent flows: a spoofed address is
	// refused, counted and noticed, while they are active.
	if _, err := d.Decode(nil, flow, spoofed(1)); err == nil || len(refused) != 1 || refused[0] != spoofed(1) {
		t.Fatalf("spoofed address admitted into a table of active exporters: %v, notices %v", err, refused)
	}
	// A preferred exporter is admitted: the least recently heard gives way.
	clk.t = clk.t.Add(time.Second)
	d.Decode(nil, flow, b) //nolint:errcheck
	d.Decode(nil, flow, c) //nolint:errcheck
	if recs, err := d.Decode(nil, flow, netip.AddrPortFrom(preferred, 9)); err != nil || len(recs) != 1 {
		t.Fatalf("preferred exporter: %v", err)
	}
	if has(d, a.Addr()) || !has(d, b.Addr()) {
		t.Errorf("the least recently heard exporter did not give way")
	}
	// After a minute of silence, exporters give way to newcomers; the
	// preferred one never does, and the newcomers, active now, keep their
	// places in turn.
	clk.t = clk.t.Add(2 * time.Minute)
	for i := range 2 {
		if _, err := d.Decode(nil, flow, spoofed(10+i)); err != nil {
			t.Fatalf("newcomer %d refused though the others are idle: %v", i, err)
		}
	}
	if _, err := d.Decode(nil, flow, spoofed(20)); err == nil {
		t.Fatalf("a third newcomer took the place of an active exporter")
	}
	if !has(d, preferred) || !has(d, spoofed(10).Addr()) || !has(d, spoofed(11).Addr()) {
		t.Errorf("exporters %v", d.Stats().Exporters)
	}
	if st := d.Stats(); st.RefusedPackets != 2 || len(st.Exporters) != 3 || len(refused) != 2 {
		t.Errorf("%d refused, %d exporters, %d notices", st.RefusedPackets, len(st.Exporters), len(refused))
	}
}

func has(d *Decoder, a netip.Addr) bool {
	for _, e := range d.Stats().Exporters {
		if e.Exporter == a {
			return true
		}
	}
	return false
}

// amplification sends templates of 512 fields, as many as fit a datagram,
// n templates in all, from exporter.
func amplification(d *Decoder, exporter netip.AddrPort, n int) {
	var fields []byte
	for i := range MaxFieldsPerTemplate {
		fields = binary.BigEndian.AppendUint16(fields, uint16(1000+i))
		fields = binary.BigEndian.AppendUint16(fields, 4)
	}
	id := 256
	for id < 256+n {
		var recs []byte
		for k := 0; k < 31 && id < 256+n; k++ {
			recs = binary.BigEndian.AppendUint16(recs, uint16(id))
			recs = binary.BigEndian.AppendUint16(recs, MaxFieldsPerTemplate)
			recs = append(recs, fields...)
			id++
		}
		d.Decode(nil, ipfixMsg(t0s, 0, 0, set(2, recs)), exporter) //nolint:errcheck // refusals expected
	}
}

func TestTemplateAmplificationIsBounded(t *testing.T) {
	// Three exporters each send 4,096 templates of 512 fields (142
	// datagrams each): each keeps at most MaxTemplateFieldsPerExporter
	// fields, the rest are refused and counted, and the heap stays small.
	before := heapInUse()
	d := newTestDecoder(nil)
	for i := range 3 {
		amplification(d, spoofed(i), 4096)
	}
	grew := int64(heapInUse()) - int64(before)
	st := d.Stats()
	def := DefaultOptions()
	for _, e := range st.Exporters {
		if e.TemplateFields > def.MaxTemplateFieldsPerExporter || e.Errors[ErrTemplateLimit] == 0 {
			t.Errorf("%v: %d template fields, %d refused", e.Exporter, e.TemplateFields, e.Errors[ErrTemplateLimit])
		}
	}
	if grew > 16<<20 {
		t.Errorf("the heap grew by %d MB", grew>>20)
	}
	var buf bytes.Buffer
	if err := d.SaveTemplates(&buf); err != nil || buf.Len() > 1<<10 {
		t.Errorf("templates file of %d bytes (%v): exporters that sent no flow are not saved", buf.Len(), err)
	}
	t.Logf("3 exporters × 4,096 templates × 512 fields: %d fields kept, heap +%d KiB", st.TemplateFields, grew>>10)
}

func TestHoldIsSharedPerExporter(t *testing.T) {
	// One exporter's template-less junk fills its own share of the hold,
	// not another's: 50 of 50 data sets that arrive before their template
	// are kept and decoded. Then 40 junk exporters fill the whole hold:
	// the real exporter's sets still get room, taken from the biggest.
	clk := &fixedClock{t0}
	d := newTestDecoder(func(o *Options) { o.Now = clk.now })
	junk := ipfixMsg(t0s, 0, 0, set(999, make([]byte, 8000)))
	for range 1000 {
		d.Decode(nil, junk, spoofed(1)) //nolint:errcheck
	}
	check := func(real netip.AddrPort) {
		t.Helper()
		rec := v4Data("192.168.1.10", "8.8.8.8", 40000, 443, 6, 1, 100)
		for i := range 50 {
			d.Decode(nil, ipfixMsg(t0s, uint32(i), 0, set(300, rec)), real) //nolint:errcheck
		}
		recs, _ := d.Decode(nil, ipfixMsg(t0s, 50, 0, set(2, tmpl(300, v4Fields...))), real)
		if len(recs) != 50 {
			t.Errorf("%v: %d of 50 held data sets decoded when their template came", real, len(recs))
		}
	}
	for _, e := range d.Stats().Exporters {
		if e.Exporter == spoofed(1).Addr() && e.HeldBytes > DefaultOptions().MaxHeldBytesPerExporter {
			t.Errorf("one exporter holds %d bytes, over its share", e.HeldBytes)
		}
	}
	check(netip.MustParseAddrPort("198.51.100.7:2055"))
	for i := range 40 {
		for range 200 {
			d.Decode(nil, junk, spoofed(100+i)) //nolint:errcheck
		}
	}
	if st := d.Stats(); st.HeldBytes > DefaultOptions().MaxPendingBytes {
		t.Errorf("%d bytes held, over the bound", st.HeldBytes)
	}
	check(netip.MustParseAddrPort("198.51.100.8:2055"))
}

func TestGenerationChangesWithTheSavedState(t *testing.T) {
	d := newTestDecoder(nil)
	p := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)),
		set(3, optTmplIPFIX(400, 1, fs{149, 4, 0}, fs{34, 4, 0})), set(400, u32(0), u32(100)))
	decodeOne(t, d, p)
	g := d.Generation()
	decodeOne(t, d, p) // the same templates and rates again
	if d.Generation() != g {
		t.Errorf("generation moved though nothing changed")
	}
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(3, optTmplIPFIX(400, 1, fs{149, 4, 0}, fs{34, 4, 0})), set(400, u32(0), u32(200))))
	if d.Generation() == g {
		t.Errorf("generation did not move with a new sampling rate")
	}
}

func TestLoadTemplatesLoadsWhatItCan(t *testing.T) {
	// Two exporters' state, then the file cut in the second one, or with
	// the first one damaged: what is intact is loaded.
	d := newTestDecoder(nil)
	flow := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)))
	a, b := netip.MustParseAddrPort("192.0.2.1:1"), netip.MustParseAddrPort("192.0.2.2:1")
	d.Decode(nil, flow, a) //nolint:errcheck
	d.Decode(nil, flow, b) //nolint:errcheck
	var buf bytes.Buffer
	if err := d.SaveTemplates(&buf); err != nil {
		t.Fatal(err)
	}
	full := buf.String()
	second := strings.Index(full, `"192.0.2.2"`)
	data := set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40))
	for name, c := range map[string]struct {
		file string
		want netip.AddrPort
	}{
		"cut":     {full[:second+20], a},
		"damaged": {strings.Replace(full, `"id": 300`, `"id": 3`, 1), b},
	} {
		d2 := newTestDecoder(nil)
		err := d2.LoadTemplates(strings.NewReader(c.file))
		if err == nil {
			t.Errorf("%s: no word of what was left out", name)
		}
		if recs, _ := d2.Decode(nil, ipfixMsg(t0s, 1, 0, data), c.want); len(recs) != 1 {
			t.Errorf("%s: the intact exporter's templates not loaded (%v)", name, err)
		}
	}
}
