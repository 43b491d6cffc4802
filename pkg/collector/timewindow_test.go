package collector

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/netflow"
)

// ipfixTimes builds an IPFIX message exported at export carrying flows
// with the absolute start and end times given (flowStartMilliseconds,
// flowEndMilliseconds), the template first.
func ipfixTimes(export time.Time, seq uint32, starts []int64) []byte {
	be := binary.BigEndian
	tpl := []byte{0, 2, 0, 0, 1, 0, 0, 6} // set 2, template 256, 6 fields
	for _, f := range [][2]uint16{{8, 4}, {12, 4}, {4, 1}, {2, 8}, {1, 8}, {152, 8}} {
		tpl = be.AppendUint16(be.AppendUint16(tpl, f[0]), f[1])
	}
	be.PutUint16(tpl[2:], uint16(len(tpl)))
	data := []byte{1, 0, 0, 0}
	for i, s := range starts {
		data = append(data, 10, 0, byte(i>>8), byte(i), 192, 0, 2, 1, 6)
		data = be.AppendUint64(be.AppendUint64(data, 1), 100)
		data = be.AppendUint64(data, uint64(s))
	}
	be.PutUint16(data[2:], uint16(len(data)))
	msg := make([]byte, 16)
	be.PutUint16(msg, 10)
	be.PutUint32(msg[4:], uint32(export.Unix()))
	be.PutUint32(msg[8:], seq)
	msg = append(append(msg, tpl...), data...)
	be.PutUint16(msg[2:], uint16(len(msg)))
	return msg
}

// Flows whose times are far from their export time (each in an hour of
// its own, up to a million years away) are dropped and counted, and make
// no files; flows within the window are stored as usual.
func TestFlowsOutsideTheTimeWindow(t *testing.T) {
	root := t.TempDir()
	export := time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC)
	var logs lockedBuffer
	stats := NewStats()
	e := &Engine{Decoder: netflow.NewDecoder(netflow.DefaultOptions()), Stats: stats,
		Sink:   NewSink(SinkConfig{Open: RepoOpener(root, func(uint16) string { return "S0" }, nil)}),
		Window: DefaultTimeWindow, FlushInterval: time.Hour,
		Logf: func(f string, a ...any) { fmt.Fprintf(&logs, f+"\n", a...) }}
	e.Start()
	w := e.NewWorker()
	from := netip.MustParseAddrPort("192.0.2.7:4739")
	var good, bad []int64
	for i := range 50 {
		good = append(good, export.Add(-time.Duration(i)*time.Minute).UnixMilli())
	}
	for i := range 2000 {
		h := int64(i + 200) // from 200 hours after the export time on
		if i%2 == 1 {
			h = -h - 24*7 // and more than a week before it
		}
		bad = append(bad, export.UnixMilli()+h*3_600_000*int64(1+i%5*1_000_000))
	}
	seq := uint32(0)
	for len(bad) > 0 {
		n := min(len(bad), 40)
		w.Packet(ipfixTimes(export, seq, bad[:n]), from)
		seq += uint32(n)
		bad = bad[n:]
	}
	w.Packet(ipfixTimes(export, seq, good), from)
	// a flow at the edges is inside, one millisecond past them outside
	edges := []int64{
		export.Add(-DefaultTimeWindow.Past).UnixMilli(), export.Add(DefaultTimeWindow.Future).UnixMilli(),
		export.Add(-DefaultTimeWindow.Past).UnixMilli() - 1, export.Add(DefaultTimeWindow.Future).UnixMilli() + 1,
	}
	w.Packet(ipfixTimes(export, seq+50, edges), from)
	w.Done()
	e.Close()

	tot := stats.Totals()
	if tot.OutOfWindow != 2002 || tot.Flows != 52 || tot.Written != 52 {
		t.Errorf("%d flows outside the window, %d accepted, %d written; want 2002, 52, 52", tot.OutOfWindow, tot.Flows, tot.Written)
	}
	recs, files := readRepo(t, root)
	if len(recs) != 52 || len(files) > 4 {
		t.Errorf("%d records in %d files %v; want 52 in a few", len(recs), len(files), files)
	}
	var dirs int
	filepath.WalkDir(root, func(string, os.DirEntry, error) error { dirs++; return nil })
	if dirs > 20 {
		t.Errorf("%d directories and files under the root", dirs)
	}
	if n := strings.Count(logs.String(), "outside the flow-time window"); n != 1 {
		t.Errorf("%d log lines about the window, want one:\n%s", n, logs.String())
	}
}
