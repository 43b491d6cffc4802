package collector

import (
	"fmt"
	"io/fs"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
)

// A read-only repository fails on every file, each with its own path: the
// log gets one line for the kind of failure and one at the end with how
// many more there were, not a line per file (4,743 lines in 16 s before).
func TestWriteErrorsAreRateLimitedByKind(t *testing.T) {
	var logs lockedBuffer
	stats := NewStats()
	readOnly := func(k FileKey) (RecordWriter, string, error) {
		path := fmt.Sprintf("/repo/in/%d/in-S0_%d", k.Hour, k.Hour)
		return nil, path, fmt.Errorf("open %s: %w", path, &fs.PathError{Op: "open", Path: path, Err: syscall.EROFS})
	}
	e := &Engine{Decoder: &genDecoder{gen: flowgen.New(3, flowgen.Options{}), per: 1}, Stats: stats,
		Sink:          NewSink(SinkConfig{Open: readOnly}),
		FlushInterval: time.Hour,
		Logf:          func(f string, a ...any) { fmt.Fprintf(&logs, f+"\n", a...) }}
	e.Start()
	w := e.NewWorker()
	from := netip.MustParseAddrPort("192.0.2.1:2055")
	dec := e.Decoder.(*genDecoder)
	for h := range 2000 {
		dec.hour = int64(h) * 3_600_000 // a file of its own for every record
		w.Packet(nil, from)
	}
	w.Done()
	e.Close()
	if n := stats.Dropped.Load(); n != 2000 {
		t.Fatalf("%d records dropped, want 2000", n)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "read-only file system") || !strings.Contains(lines[1], "1999 more errors like") {
		t.Errorf("%d log lines, want the first error and a count of the rest:\n%s", len(lines), strings.Join(lines[:min(len(lines), 5)], "\n"))
	}
}

func TestLogLimiter(t *testing.T) {
	l := newLogLimiter(time.Minute)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("first line of a kind held back")
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("first line of another kind held back")
	}
	for range 5 {
		if ok, _ := l.allow("a"); ok {
			t.Fatal("a repeat within the minute let through")
		}
	}
	now = now.Add(61 * time.Second)
	if ok, held := l.allow("a"); !ok || held != 5 {
		t.Errorf("after a minute: %v, %d held; want true, 5", ok, held)
	}
	if got := l.line("x", 5); got != "x (and 5 more like it in the last 1m0s)" {
		t.Errorf("line %q", got)
	}
}
