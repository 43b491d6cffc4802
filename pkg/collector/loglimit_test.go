package collector

import (
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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
	l := newLogLimiter(time.Minute, 1, "errors")
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
	l.allow("a")
	if got := l.held(); len(got) != 1 || got[0] != `1 more errors like "a" were not logged` {
		t.Errorf("held at the end: %q", got)
	}
}

// A burst of a kind passes whole; then one line a minute, and a quiet
// kind gets its burst back.
func TestLogLimiterBurst(t *testing.T) {
	l := newLogLimiter(time.Minute, 3, "lines")
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	passed := 0
	for range 10 {
		if ok, _ := l.allow("a"); ok {
			passed++
		}
	}
	if passed != 3 {
		t.Fatalf("%d of 10 lines passed at once, want the burst of 3", passed)
	}
	now = now.Add(time.Minute)
	if ok, held := l.allow("a"); !ok || held != 7 {
		t.Errorf("a minute later: %v, %d held; want true, 7", ok, held)
	}
	if ok, _ := l.allow("a"); ok {
		t.Error("a second line in that minute passed")
	}
	now = now.Add(time.Hour)
	passed = 0
	for range 10 {
		if ok, _ := l.allow("a"); ok {
			passed++
		}
	}
	if passed != 3 {
		t.Errorf("after a quiet hour %d lines passed at once, want 3", passed)
	}
}

// readOnlyRepo returns a repository root with its state directory in which
// nothing can be written: a read-only file system where one can be
// mounted (root), else directories without write permission.
func readOnlyRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if os.Geteuid() != 0 {
		os.Mkdir(filepath.Join(root, ".gflowcap"), 0o555)
		os.Chmod(root, 0o555)
		t.Cleanup(func() { os.Chmod(root, 0o755); os.Chmod(filepath.Join(root, ".gflowcap"), 0o755) })
		return root
	}
	if err := syscall.Mount("tmpfs", root, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a file system here to make read-only: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(root, syscall.MNT_DETACH) })
	if err := os.Mkdir(filepath.Join(root, ".gflowcap"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("", root, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount read-only: %v", err)
	}
	return root
}

// A collector on a read-only repository, receiving from many exporters
// (each with a template and a flow outside the flow-time window, their
// flows spread over many hours) writes a bounded log: every kind of line
// is rate-limited, and what was held back is counted, so the counts add
// up to what happened. Before, each exporter had lines of its own: 4,200
// spoofed addresses made 4,200 "first packet" lines.
func TestReadOnlyRepositoryAndManyExportersDoNotFloodTheLog(t *testing.T) {
	root := readOnlyRepo(t)
	var logs lockedBuffer
	to, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: 50 * time.Millisecond, Stderr: &logs, Window: DefaultTimeWindow})
	const exporters = 300
	export := time.Now().UTC().Truncate(time.Second)
	for i := range exporters {
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 9, byte(i >> 8), byte(i)}), 0)
		c, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(src), net.UDPAddrFromAddrPort(to))
		if err != nil {
			t.Fatal(err)
		}
		// two flows in hours of their own, one a year before the export
		starts := []int64{export.Add(-time.Duration(i%150) * time.Hour).UnixMilli(), export.Add(-time.Duration(i%150)*time.Hour - 30*time.Minute).UnixMilli(),
			export.AddDate(-1, 0, 0).UnixMilli()}
		if _, err := c.Write(ipfixTimes(export, 0, starts)); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if i%32 == 31 {
			time.Sleep(time.Millisecond) // stay inside the socket buffer
		}
	}
	waitFor(t, "every exporter's flows", func() bool { return stats.Totals().Flows == 2*exporters })
	waitFor(t, "their loss", func() bool { return stats.Dropped.Load() == 2*exporters })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	log := logs.String()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) > 4*noteBurst+20 {
		t.Errorf("%d log lines; the first 50:\n%s", len(lines), strings.Join(lines[:50], "\n"))
	}
	// Each kind about the exporters: lines written plus lines counted as
	// held back add up to one per exporter.
	heldRE := regexp.MustCompile(`\(and (\d+) more like it in the last`)
	endRE := regexp.MustCompile(`Z (\d+) more lines like ".*" were not logged$`)
	for kind, marker := range map[string]string{
		"an exporter's first packet":          ": first packet, IPFIX",
		"a new template":                      "template 256 arrived",
		"a flow outside the flow-time window": "outside the flow-time window",
	} {
		written, held := 0, 0
		for _, l := range lines {
			switch {
			case !strings.Contains(l, marker):
			case endRE.MatchString(l):
				n, _ := strconv.Atoi(endRE.FindStringSubmatch(l)[1])
				held += n
			default:
				written++
				if m := heldRE.FindStringSubmatch(l); m != nil {
					n, _ := strconv.Atoi(m[1])
					held += n
				}
			}
		}
		if written > noteBurst+1 || written+held != exporters {
			t.Errorf("%q: %d lines written and %d counted as held back; want at most %d written, and %d in all", kind, written, held, noteBurst+1, exporters)
		}
	}
	// The repository's errors: one line per kind, whatever the number of
	// files, saves and exporters.
	for _, what := range []string{"read-only file system", "permission denied"} {
		if n := strings.Count(log, what); n > 6 {
			t.Errorf("%d lines say %q", n, what)
		}
	}
}
