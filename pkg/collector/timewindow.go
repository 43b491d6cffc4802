package collector

import (
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/netflow"
)

// TimeWindow is how far a flow's start may lie from the export time of
// the datagram that carried it. Outside, the flow is dropped and counted
// (ExporterCounters.OutOfWindow): a broken or hostile exporter's times
// (year 292278994, one flow per hour of a century) would otherwise make a
// file, a directory and an open writer for every hour they name, and
// files of future hours that retention never reaches. The export time,
// not the collector's clock, is the reference, so that captures replayed
// long after (--read-pcap, nfreplay) keep their flows.
//
// The defaults (DefaultTimeWindow) follow what exporters do: a flow
// cache exports a flow at the latest when its active timeout expires
// (30 minutes on most routers; softflowd's maxlife is a week), and a
// start after the export time is only clock skew. Zero on a side means
// no limit there, as SiLK's rwflowpack has by default
// (--reject-hours-past, --reject-hours-future).
type TimeWindow struct {
	Past   time.Duration // a flow may start this long before its export time
	Future time.Duration // and this long after it
}

// DefaultTimeWindow is gflowcap's: a week before the export time, an hour
// after.
var DefaultTimeWindow = TimeWindow{Past: 7 * 24 * time.Hour, Future: time.Hour}

func (tw TimeWindow) set() bool { return tw.Past > 0 || tw.Future > 0 }

// keep removes from recs[start:] the flows outside the window around
// pkt's export time and returns what is left and how many it removed,
// with the first of them (valid until recs changes).
func (tw TimeWindow) keep(recs []flowfile.Record, start int, pkt []byte) ([]flowfile.Record, int, flowfile.Record) {
	var first flowfile.Record
	if !tw.set() || len(recs) == start {
		return recs, 0, first
	}
	exp, ok := netflow.ExportTime(pkt)
	if !ok {
		return recs, 0, first
	}
	lo, hi := int64(-1<<63), int64(1<<63-1)
	if tw.Past > 0 {
		lo = exp - tw.Past.Milliseconds()
	}
	if tw.Future > 0 {
		hi = exp + tw.Future.Milliseconds()
	}
	out := recs[:start]
	n := 0
	for i := start; i < len(recs); i++ {
		if t := recs[i].STime; t >= lo && t <= hi {
			if n > 0 {
				out = append(out, recs[i])
			} else {
				out = out[:i+1] // nothing removed yet: no copy
			}
			continue
		}
		if n == 0 {
			first = recs[i]
		}
		n++
	}
	return out, n, first
}

// outOfWindow counts what keep removed for exp and says so in the log
// the first time an exporter sends such a flow.
func (e *Engine) outOfWindow(exp *ExporterCounters, n int, first *flowfile.Record, pkt []byte) {
	if exp.OutOfWindow.Add(uint64(n)) != uint64(n) {
		return
	}
	at, _ := netflow.ExportTime(pkt)
	e.notes.printf(e.logf, "a flow outside the flow-time window", "exporter %s: a flow starting %s, exported %s, is outside the flow-time window (%s before to %s after the export time): such flows are dropped and counted; check the exporter's clock, or widen --reject-hours-past / --reject-hours-future",
		exp.Addr, flowTime(first.STime), flowTime(at), e.Window.Past, e.Window.Future)
}

// flowTime prints a flow time for the log, even one far outside Go's
// formatting range of years.
func flowTime(ms int64) string {
	if ms < -62135596800000 || ms > 253402300799999 { // outside years 1–9999
		return time.Duration(ms*1e6).String() + " from 1970"
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z")
}
