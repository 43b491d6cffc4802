package netflow

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// decodeOne decodes packets with a fresh decoder and returns the flows of
// the last one; every packet must decode without error.
func decodeOne(t *testing.T, d *Decoder, pkts ...[]byte) []flowfile.Record {
	t.Helper()
	if d == nil {
		d = newTestDecoder(nil)
	}
	var recs []flowfile.Record
	for i, p := range pkts {
		var err error
		recs, err = d.Decode(recs[:0], p, exporterAddr)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
	}
	return recs
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func wantTimes(t *testing.T, recs []flowfile.Record, start, end time.Time) {
	t.Helper()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	if r.STime != ms(start) || r.ETime != ms(end) {
		t.Errorf("times %v – %v, want %v – %v", r.StartTime(), r.EndTime(), start.UTC(), end.UTC())
	}
}

func TestTimeV5Uptime(t *testing.T) {
	// uptime 100 s at export 12:00:00.250; flow from uptime 40 s to 95.5 s
	p := v5Pkt(100_000, t0s, 250_000_000, 0, 0, v5Rec{src: "10.0.0.1", dst: "10.0.0.2", pkts: 1, octets: 40, first: 40_000, last: 95_500, proto: 6})
	export := t0.Add(250 * time.Millisecond)
	wantTimes(t, decodeOne(t, nil, p), export.Add(-60*time.Second), export.Add(-4500*time.Millisecond))
}

func TestTimeV9Uptime(t *testing.T) {
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{22, 4, 0}, fs{21, 4, 0})
	p := v9Pkt(100_000, t0s, 1, 0,
		set(0, tmpl(256, fields...)),
		set(256, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40), u32(40_000), u32(95_500)))
	wantTimes(t, decodeOne(t, nil, p), t0.Add(-60*time.Second), t0.Add(-4500*time.Millisecond))
}

func TestTimeV9UptimeWrap(t *testing.T) {
	// The 32-bit uptime wrapped between the flow's start and the export:
	// start 0xffff_ff00 is 0x100 + 0x200 ms before uptime 0x200.
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{22, 4, 0}, fs{21, 4, 0})
	p := v9Pkt(0x200, t0s, 1, 0,
		set(0, tmpl(256, fields...)),
		set(256, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40), u32(0xffff_ff00), u32(0x100)))
	wantTimes(t, decodeOne(t, nil, p), t0.Add(-0x300*time.Millisecond), t0.Add(-0x100*time.Millisecond))
}

func TestTimeV5UptimeWrap(t *testing.T) {
	p := v5Pkt(1000, t0s, 0, 0, 0, v5Rec{src: "10.0.0.1", dst: "10.0.0.2", pkts: 1, octets: 40, first: 0xffff_fc18, last: 500, proto: 6})
	wantTimes(t, decodeOne(t, nil, p), t0.Add(-2*time.Second), t0.Add(-500*time.Millisecond))
}

func TestTimeV9NXOS8Byte(t *testing.T) {
	// Cisco NX-OS sends FIRST/LAST_SWITCHED in 8 bytes: ms since the epoch.
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{22, 8, 0}, fs{21, 8, 0})
	start, end := t0.Add(-30*time.Second), t0.Add(-time.Second)
	p := v9Pkt(5_000, t0s, 1, 0,
		set(0, tmpl(256, fields...)),
		set(256, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40), u64(uint64(ms(start))), u64(uint64(ms(end)))))
	wantTimes(t, decodeOne(t, nil, p), start, end)
}

// ipfixTimes decodes one IPFIX flow whose time fields are given.
func ipfixTimes(t *testing.T, d *Decoder, timeFields []fs, values []byte, extra ...[]byte) []flowfile.Record {
	t.Helper()
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], timeFields...)
	sets := append(extra, set(2, tmpl(300, fields...)), set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40), values))
	return decodeOne(t, d, ipfixMsg(t0s, 0, 0, sets...))
}

func ntp(tm time.Time) uint64 {
	sec := uint64(tm.Unix() + 2208988800)
	frac := uint64(tm.Nanosecond()) << 32 / 1e9
	return sec<<32 | frac + 1 // +1: round up so truncation gives the ms back
}

func TestTimeIPFIX(t *testing.T) {
	start := t0.Add(-90*time.Second + 123*time.Millisecond)
	end := t0.Add(-2*time.Second + 456*time.Millisecond)
	t.Run("seconds 150/151", func(t *testing.T) {
		recs := ipfixTimes(t, nil, []fs{{150, 4, 0}, {151, 4, 0}}, cat(u32(uint32(start.Unix())), u32(uint32(end.Unix()))))
		wantTimes(t, recs, start.Truncate(time.Second), end.Truncate(time.Second))
	})
	t.Run("milliseconds 152/153", func(t *testing.T) {
		recs := ipfixTimes(t, nil, []fs{{152, 8, 0}, {153, 8, 0}}, cat(u64(uint64(ms(start))), u64(uint64(ms(end)))))
		wantTimes(t, recs, start, end)
	})
	t.Run("microseconds 154/155 NTP", func(t *testing.T) {
		recs := ipfixTimes(t, nil, []fs{{154, 8, 0}, {155, 8, 0}}, cat(u64(ntp(start)), u64(ntp(end))))
		wantTimes(t, recs, start, end)
	})
	t.Run("nanoseconds 156/157 NTP", func(t *testing.T) {
		recs := ipfixTimes(t, nil, []fs{{156, 8, 0}, {157, 8, 0}}, cat(u64(ntp(start)), u64(ntp(end))))
		wantTimes(t, recs, start, end)
	})
	t.Run("delta microseconds 158/159", func(t *testing.T) {
		recs := ipfixTimes(t, nil, []fs{{158, 4, 0}, {159, 4, 0}}, cat(u32(uint32(t0.Sub(start).Microseconds())), u32(uint32(t0.Sub(end).Microseconds()))))
		wantTimes(t, recs, start, end)
	})
	t.Run("start ms and duration 161", func(t *testing.T) {
		recs := ipfixTimes(t, nil, []fs{{152, 8, 0}, {161, 4, 0}}, cat(u64(uint64(ms(start))), u32(uint32(end.Sub(start).Milliseconds()))))
		wantTimes(t, recs, start, end)
	})
	t.Run("uptime 22/21 with 160 in the record", func(t *testing.T) {
		boot := t0.Add(-48 * time.Hour)
		recs := ipfixTimes(t, nil, []fs{{160, 8, 0}, {22, 4, 0}, {21, 4, 0}},
			cat(u64(uint64(ms(boot))), u32(uint32(start.Sub(boot).Milliseconds())), u32(uint32(end.Sub(boot).Milliseconds()))))
		wantTimes(t, recs, start, end)
	})
	t.Run("uptime 22/21 with 160 from options data (MikroTik)", func(t *testing.T) {
		boot := t0.Add(-3 * time.Hour)
		opts := cat(set(3, optTmplIPFIX(400, 1, fs{149, 4, 0}, fs{160, 8, 0})), set(400, u32(7), u64(uint64(ms(boot)))))
		recs := ipfixTimes(t, nil, []fs{{22, 4, 0}, {21, 4, 0}},
			cat(u32(uint32(start.Sub(boot).Milliseconds())), u32(uint32(end.Sub(boot).Milliseconds()))), opts)
		wantTimes(t, recs, start, end)
	})
	t.Run("uptime 22/21 wrapped since 160", func(t *testing.T) {
		// up for 60 days: the 32-bit ms uptime wrapped once (every 49.7 days)
		boot := t0.Add(-60 * 24 * time.Hour)
		recs := ipfixTimes(t, nil, []fs{{160, 8, 0}, {22, 4, 0}, {21, 4, 0}},
			cat(u64(uint64(ms(boot))), u32(uint32(start.Sub(boot).Milliseconds())), u32(uint32(end.Sub(boot).Milliseconds()))))
		wantTimes(t, recs, start, end)
	})
	t.Run("uptime 22/21 without 160", func(t *testing.T) {
		d := newTestDecoder(nil)
		recs := ipfixTimes(t, d, []fs{{22, 4, 0}, {21, 4, 0}}, cat(u32(10_000), u32(25_000)))
		wantTimes(t, recs, t0.Add(-15*time.Second), t0)
		if n := d.Stats().Exporters[0].TimeUnanchored; n != 1 {
			t.Errorf("TimeUnanchored %d, want 1", n)
		}
	})
	t.Run("reduced-size milliseconds", func(t *testing.T) {
		// 6-byte milliseconds: a reduced-size encoding of an unsigned64
		b := u64(uint64(ms(start)))[2:]
		e := u64(uint64(ms(end)))[2:]
		recs := ipfixTimes(t, nil, []fs{{152, 6, 0}, {153, 6, 0}}, cat(b, e))
		wantTimes(t, recs, start, end)
	})
	t.Run("end before start", func(t *testing.T) {
		recs := ipfixTimes(t, nil, []fs{{152, 8, 0}, {153, 8, 0}}, cat(u64(uint64(ms(end))), u64(uint64(ms(start)))))
		wantTimes(t, recs, end, end)
	})
	t.Run("no times", func(t *testing.T) {
		recs := ipfixTimes(t, nil, nil, nil)
		wantTimes(t, recs, t0, t0)
	})
}

func TestReducedSizeFields(t *testing.T) {
	fields := []fs{{8, 4, 0}, {12, 4, 0}, {7, 1, 0}, {11, 2, 0}, {4, 1, 0}, {2, 1, 0}, {1, 3, 0},
		{10, 2, 0}, {14, 4, 0}, {16, 2, 0}, {17, 4, 0}, {6, 2, 0}, {5, 1, 0}, {15, 4, 0}}
	p := ipfixMsg(t0s, 0, 0, set(2, tmpl(300, fields...)),
		set(300, ip("10.1.1.1"), ip("192.0.2.9"), u8(80), u16(50000), u8(6), u8(200), []byte{0x01, 0x00, 0x00},
			u16(3), u32(70000), u16(64512), u32(4200000000), u16(0x0112), u8(0x28), ip("10.1.1.254")))
	recs := decodeOne(t, nil, p)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	want := flowfile.Record{
		SIP: netip.MustParseAddr("10.1.1.1"), DIP: netip.MustParseAddr("192.0.2.9"), NhIP: netip.MustParseAddr("10.1.1.254"),
		SPort: 80, DPort: 50000, Proto: 6, Packets: 200, Bytes: 65536, In: 3, Out: 70000,
		SrcAS: 64512, DstAS: 4200000000, Flags: 0x12, TOS: 0x28, STime: ms(t0), ETime: ms(t0),
	}
	if r != want {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
}
