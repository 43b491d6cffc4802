package filter

import (
	"bytes"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Every range switch includes both its ends and nothing past them: for
// each, a record just below the range, at its low end, at its high end
// and just above (--bytes=1000-2000 passes 1000 and 2000, not 999 or
// 2001).
func TestRangeSwitchesAtBothEnds(t *testing.T) {
	ms := func(s string) int64 {
		tm, err := time.Parse("2006-01-02T15:04:05.000", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	base := flowfile.Record{Proto: 6, SPort: 1, DPort: 1, Packets: 10, Bytes: 1000, In: 1, Out: 1,
		STime: ms("2015-10-09T05:00:00.000"), ETime: ms("2015-10-09T05:00:01.000")}
	type set func(r *flowfile.Record, v int64)
	cases := []struct {
		name, value string
		set         set
		below, lo   int64
		hi, above   int64
	}{
		{"sport", "1024-2048", func(r *flowfile.Record, v int64) { r.SPort = uint16(v) }, 1023, 1024, 2048, 2049},
		{"dport", "0-80", func(r *flowfile.Record, v int64) { r.DPort = uint16(v) }, -1, 0, 80, 81},
		{"dport", "65000-65535", func(r *flowfile.Record, v int64) { r.DPort = uint16(v) }, 64999, 65000, 65535, -1},
		{"aport", "100-200", func(r *flowfile.Record, v int64) { r.DPort = uint16(v) }, 99, 100, 200, 201},
		{"aport", "100-200", func(r *flowfile.Record, v int64) { r.SPort = uint16(v) }, 99, 100, 200, 201},
		{"protocol", "6-17", func(r *flowfile.Record, v int64) { r.Proto = uint8(v) }, 5, 6, 17, 18},
		{"protocol", "250-255", func(r *flowfile.Record, v int64) { r.Proto = uint8(v) }, 249, 250, 255, -1},
		{"icmp-type", "3-8", func(r *flowfile.Record, v int64) { r.Proto, r.SPort, r.DPort = 1, 0, uint16(v)<<8 }, 2, 3, 8, 9},
		{"icmp-code", "1-4", func(r *flowfile.Record, v int64) { r.Proto, r.SPort, r.DPort = 58, 0, 3<<8|uint16(v) }, 0, 1, 4, 5},
		{"bytes", "1000-2000", func(r *flowfile.Record, v int64) { r.Bytes = uint64(v) }, 999, 1000, 2000, 2001},
		{"packets", "5-10", func(r *flowfile.Record, v int64) { r.Packets = uint64(v) }, 4, 5, 10, 11},
		// bytes per packet 100-200 with 10 packets: 999 bytes is 99.9
		{"bytes-per-packet", "100-200", func(r *flowfile.Record, v int64) { r.Packets, r.Bytes = 10, uint64(v) }, 999, 1000, 2000, 2001},
		// duration in seconds, ms in the record
		{"duration", "2-5", func(r *flowfile.Record, v int64) { r.ETime = r.STime + v }, 1999, 2000, 5000, 5001},
		{"duration", "0.5-0.75", func(r *flowfile.Record, v int64) { r.ETime = r.STime + v }, 499, 500, 750, 751},
		{"input-index", "2-3", func(r *flowfile.Record, v int64) { r.In = uint32(v) }, 1, 2, 3, 4},
		{"output-index", "10-65535", func(r *flowfile.Record, v int64) { r.Out = uint32(v) }, 9, 10, 65535, 65536},
		{"any-index", "2-3", func(r *flowfile.Record, v int64) { r.Out = uint32(v) }, 1, 2, 3, 4},
		{"application", "80-443", func(r *flowfile.Record, v int64) { r.Application = uint16(v) }, 79, 80, 443, 444},
		// windows: the end is rounded up to its precision (the minute)
		{"stime", "2015/10/09:05:10-2015/10/09:05:20", func(r *flowfile.Record, v int64) { r.STime, r.ETime = v, v+1000 },
			ms("2015-10-09T05:09:59.999"), ms("2015-10-09T05:10:00.000"), ms("2015-10-09T05:20:59.999"), ms("2015-10-09T05:21:00.000")},
		{"etime", "2015/10/09:05:10:30-2015/10/09:05:20:30", func(r *flowfile.Record, v int64) { r.STime, r.ETime = v-1000, v },
			ms("2015-10-09T05:10:29.999"), ms("2015-10-09T05:10:30.000"), ms("2015-10-09T05:20:30.999"), ms("2015-10-09T05:20:31.000")},
		// active during the window: ending at its start or starting at its end
		{"active-time", "2015/10/09:05:10-2015/10/09:05:20", func(r *flowfile.Record, v int64) {
			if v < ms("2015-10-09T05:15:00.000") {
				r.STime, r.ETime = v-60_000, v
			} else {
				r.STime, r.ETime = v, v+60_000
			}
		}, ms("2015-10-09T05:09:59.999"), ms("2015-10-09T05:10:00.000"), ms("2015-10-09T05:20:59.999"), ms("2015-10-09T05:21:00.000")},
	}
	for _, c := range cases {
		f, err := Compile([2]string{c.name, c.value})
		if err != nil {
			t.Errorf("--%s=%s: %v", c.name, c.value, err)
			continue
		}
		for _, p := range []struct {
			v    int64
			want bool
		}{{c.below, false}, {c.lo, true}, {c.hi, true}, {c.above, false}} {
			if p.v < 0 && !p.want {
				continue // no value beyond the field's range
			}
			r := base
			c.set(&r, p.v)
			if got := f.Match(&r); got != p.want {
				t.Errorf("--%s=%s: record with %d: match %v, want %v", c.name, c.value, p.v, got, p.want)
			}
			// a block of that record alone is not skipped by its summary
			if s := summaryOf(t, r); p.want && !f.KeepBlock(s) {
				t.Errorf("--%s=%s: the block of the record with %d is skipped", c.name, c.value, p.v)
			}
		}
	}
}

// summaryOf returns the summary of a block holding r alone.
func summaryOf(t *testing.T, r flowfile.Record) *flowfile.BlockSummary {
	t.Helper()
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecNone})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(&r)
	w.Close()
	rd, err := flowfile.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.NextBlock(); err != nil {
		t.Fatal(err)
	}
	return rd.Summary()
}
