package collector

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// lockedBuffer is stderr shared by the collector's goroutines and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestReadPcapWritesEveryFlowToItsHour(t *testing.T) {
	root := t.TempDir()
	var stderr lockedBuffer
	cfg := Config{Pcaps: []string{"testdata/softflowd-v9-a.pcap"}, DataRoot: root, Stderr: &stderr,
		FlushInterval: time.Second}
	if err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	recs, files := readRepo(t, root)
	if got, want := sum(recs), (totals{1000, 20000, 12820719}); got != want {
		t.Fatalf("repository holds %+v, softflowd sent %+v", got, want)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, "_20231114.22") || !strings.Contains(f, "/2023/11/14/") {
			t.Errorf("file %s is not in hour 2023-11-14 22", f)
		}
	}
	v6 := 0
	for i := range recs {
		r := &recs[i]
		if r.IsIPv6() {
			v6++
		}
		if h := r.StartTime().Format("2006-01-02T15"); h != "2023-11-14T22" {
			t.Fatalf("flow starts at %s", r.StartTime())
		}
		if r.SCC == 0 || r.DCC == 0 {
			t.Fatalf("flow without country codes: %+v", r)
		}
	}
	if v6 == 0 {
		t.Errorf("no IPv6 flows read back; softflowd's v9 export has 236")
	}
	if _, err := os.Stat(filepath.Join(root, ".gflowcap", "templates")); err != nil {
		t.Errorf("templates not saved: %v", err)
	}
	if !strings.Contains(stderr.String(), "1000 flows") {
		t.Errorf("no summary on stderr: %q", stderr.String())
	}

	// A second run (forced: the capture is refused otherwise) appends to
	// the same hourly files.
	cfg.Force = true
	if err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	recs2, files2 := readRepo(t, root)
	if got := sum(recs2); got != (totals{2000, 40000, 2 * 12820719}) {
		t.Fatalf("after a second run the repository holds %+v", got)
	}
	if len(files2) != len(files) {
		t.Errorf("second run made new files: %v then %v", files, files2)
	}
}

// startUDP runs the collector in-process on a loopback port and returns the
// port, the counters and a stop function that cancels it (what SIGTERM does)
// and returns Run's error. It returns once the collector decodes.
func startUDP(t *testing.T, cfg Config) (netip.AddrPort, *Stats, func() error) {
	t.Helper()
	ready := make(chan []netip.AddrPort, 1)
	cfg.Listen = []string{"127.0.0.1:0"}
	cfg.RcvBuf = 4 << 20
	cfg.Ready = func(a []netip.AddrPort) { ready <- a }
	cfg.Stats = NewStats()
	log := &lockedBuffer{}
	if cfg.Stderr == nil {
		cfg.Stderr = log
	} else {
		cfg.Stderr = io.MultiWriter(cfg.Stderr, log)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, cfg) }()
	select {
	case a := <-ready:
		// The socket is bound first; the site and the country tables load
		// next, which takes a while under the race detector on a busy
		// machine. The start line says the collector decodes.
		ended := make(chan struct{})
		var runErr error
		go func() { runErr = <-errc; close(ended) }()
		waitStarted(t, log.String, ended, cancel)
		return a[0], cfg.Stats, func() error { cancel(); <-ended; return runErr }
	case err := <-errc:
		cancel()
		t.Fatalf("collector did not start: %v", err)
	}
	return netip.AddrPort{}, nil, nil
}

// The deadlines of the waits below only keep a broken test from hanging:
// they are no assertion about speed. A -race build on a machine loaded by
// other builds and tests has taken over a minute to start gflowcap.
const (
	startLimit = 5 * time.Minute // for the start line
	waitLimit  = 2 * time.Minute // for anything else the collector does
)

// waitStarted waits for gflowcap's start line in log, which it writes once
// it decodes. A collector that ends (ended closed) before fails the test
// at once, with its log; cancel stops one that does not start in time.
func waitStarted(t *testing.T, log func() string, ended <-chan struct{}, cancel func()) {
	t.Helper()
	deadline := time.Now().Add(startLimit)
	for !strings.Contains(log(), " started: ") {
		select {
		case <-ended:
			t.Fatalf("gflowcap ended before its start line:\n%s", log())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("gflowcap did not write its start line in %s:\n%s", startLimit, log())
		}
	}
}

// waitFor polls cond (the collector works asynchronously) until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out after %s waiting for %s", waitLimit, what)
}

// sendV5 sends n packets of 30 flows each, flows starting at base.
func sendV5(t *testing.T, to netip.AddrPort, seq0 uint32, n int, base time.Time) totals {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(to))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var tot totals
	uptime := uint32(3_600_000)
	for p := range n {
		flows := make([]v5flow, 30)
		for i := range flows {
			k := int(seq0) + p*30 + i // flows of later calls differ from earlier ones
			flows[i] = v5flow{
				src: netip.AddrFrom4([4]byte{192, 168, 1, byte(k)}), dst: netip.AddrFrom4([4]byte{8, 8, byte(k >> 8), byte(k)}),
				sport: uint16(1024 + k), dport: 443, proto: 6, pkts: uint32(k%7 + 1), bytes: uint32(100 * (k%7 + 1)),
				first: uptime - 2000, last: uptime - 1000,
			}
			tot.flows++
			tot.packets += uint64(flows[i].pkts)
			tot.bytes += uint64(flows[i].bytes)
		}
		pkt := v5Packet(seq0+uint32(p*30), uptime, uint32(base.Unix()), flows)
		if _, err := c.Write(pkt); err != nil {
			t.Fatal(err)
		}
		if p%50 == 49 {
			time.Sleep(time.Millisecond) // stay well inside the socket buffer
		}
	}
	return tot
}

func TestUDPStopFlushesEverything(t *testing.T) {
	root := t.TempDir()
	addr, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, StatsInterval: 0})
	base := time.Now().UTC().Truncate(time.Second)
	want := sendV5(t, addr, 0, 200, base)
	waitFor(t, "all flows decoded", func() bool { return stats.Totals().Flows == want.flows })
	// The flush interval is an hour: only the stop (SIGTERM/SIGINT in the
	// command) can have put these records on disk.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	recs, _ := readRepo(t, root)
	if got := sum(recs); got != want {
		t.Fatalf("repository holds %+v, sent %+v", got, want)
	}
	for i := range recs {
		r := &recs[i]
		if r.Type != flowfile.TypeOutWeb || r.DPort != 443 || r.Proto != 6 {
			t.Fatalf("flow read back as type %s dport %d proto %d, want outweb 443 6", r.Type, r.DPort, r.Proto)
		}
	}
}

func TestAllowRefusesOtherExporters(t *testing.T) {
	root := t.TempDir()
	allow, err := ParseAllow([]string{"10.1.2.3", "192.0.2.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	addr, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, Allow: allow})
	sendV5(t, addr, 0, 10, time.Now())
	waitFor(t, "refused packets counted", func() bool { return stats.Denied.Load() == 10 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if recs, _ := readRepo(t, root); len(recs) != 0 {
		t.Fatalf("%d flows from a refused exporter were stored", len(recs))
	}
	if n := stats.Totals().Packets; n != 0 {
		t.Fatalf("refused packets reached the decoder: %d", n)
	}

	// The loopback exporter allowed: everything is taken.
	root2 := t.TempDir()
	allow, _ = ParseAllow([]string{"127.0.0.0/8"})
	addr, stats, stop = startUDP(t, Config{DataRoot: root2, FlushInterval: time.Hour, Allow: allow})
	want := sendV5(t, addr, 0, 10, time.Now())
	waitFor(t, "flows decoded", func() bool { return stats.Totals().Flows == want.flows })
	stop()
	if recs, _ := readRepo(t, root2); sum(recs) != want {
		t.Fatalf("allowed exporter: stored %+v, sent %+v", sum(recs), want)
	}
	if _, err := ParseAllow([]string{"300.1.1.1"}); err == nil {
		t.Fatal("--allow accepted 300.1.1.1")
	}
}

func TestMalformedPacketsAreCountedAndSurvived(t *testing.T) {
	root := t.TempDir()
	addr, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour})
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	good := v5Packet(0, 1000, uint32(time.Now().Unix()), []v5flow{{src: netip.MustParseAddr("192.168.1.1"),
		dst: netip.MustParseAddr("8.8.8.8"), proto: 17, pkts: 1, bytes: 60, first: 900, last: 950}})
	bad := [][]byte{
		{},                           // empty
		{0, 5},                       // short
		{0, 9, 0, 50, 1, 2, 3},       // v9 header cut short
		good[:30],                    // v5 claiming a record it does not carry
		{0, 10, 0xff, 0xff, 0, 0},    // IPFIX with a lying length
		[]byte("GET / HTTP/1.0\r\n"), // not NetFlow at all
		append([]byte{0, 9, 0, 1}, make([]byte, 16)...),
	}
	// An IPFIX template set with a zero-length field and an absurd count.
	ipfix := []byte{0, 10, 0, 28, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 12, 1, 0, 0xff, 0xff, 0, 8, 0, 0}
	bad = append(bad, ipfix)
	for _, b := range bad {
		c.Write(b)
	}
	c.Write(good)
	waitFor(t, "the good packet after the bad ones", func() bool { return stats.Totals().Flows == 1 })
	waitFor(t, "every packet counted", func() bool { return stats.Totals().Packets == uint64(len(bad))+1 })
	if n := stats.Totals().Errors; n < uint64(len(bad))-1 {
		t.Errorf("%d malformed packets counted, sent %d", n, len(bad))
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if recs, _ := readRepo(t, root); len(recs) != 1 {
		t.Fatalf("%d flows stored, want the 1 good one", len(recs))
	}
}

func TestSummaryLine(t *testing.T) {
	root := t.TempDir()
	var stderr lockedBuffer
	_, _, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, StatsInterval: 20 * time.Millisecond, Stderr: &stderr})
	waitFor(t, "a summary line", func() bool { return strings.Contains(stderr.String(), "kernel drops") })
	stop()
	lines := strings.Split(stderr.String(), "\n")
	if !strings.Contains(lines[0], "no site configuration") || strings.Count(stderr.String(), "no site configuration") != 1 {
		t.Errorf("the missing site configuration is not said exactly once first: %q", stderr.String())
	}
	if !strings.Contains(lines[1], " started: listening on UDP 127.0.0.1:") {
		t.Errorf("no start line after the configuration's: %q", lines[1])
	}
	line := lines[2]
	if !strings.HasPrefix(line, "gflowcap: ") || !strings.Contains(line, "Z 0 exporters, 0 flows (0/s), 0 decode errors, 0 lost exports, 0 kernel drops, 0 files open") {
		t.Fatalf("summary line %q", line)
	}
}

// Files that are not the hour's gflow file where the collector must write
// one (a text file, another sensor's file, a damaged header) are moved
// aside, kept, and fresh files started: no flow is dropped (before, that
// type's flows were dropped for the hour).
func TestFileInTheWayIsMovedAside(t *testing.T) {
	root := t.TempDir()
	repo := flowfile.Repo{Root: root}
	hour := time.Date(2023, 11, 14, 22, 0, 0, 0, time.UTC)
	other := filepath.Join(t.TempDir(), "other")
	w, err := flowfile.Create(other, flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd,
		Type: flowfile.TypeOut, SensorID: 7, Sensor: "S7", Hour: hour})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	otherSensor, _ := os.ReadFile(other)
	badCRC := bytes.Clone(otherSensor)
	badCRC[14] ^= 1
	inWay := map[string][]byte{}
	for ty := range flowfile.NumTypes {
		p := repo.Path(flowfile.FlowType(ty), "S0", hour)
		os.MkdirAll(filepath.Dir(p), 0o755)
		content := [][]byte{[]byte("not flows at all, a note someone left here\n"), otherSensor, badCRC}[ty%3]
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		inWay[p] = content
	}
	var stderr lockedBuffer
	cfg := Config{Pcaps: []string{"testdata/softflowd-v9-a.pcap"}, DataRoot: root, Stderr: &stderr,
		FlushInterval: time.Second}
	if err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	moved := 0
	for p, content := range inWay {
		aside, _ := filepath.Glob(p + ".bad-*")
		if len(aside) == 0 {
			// no flow of this type: left where it was, untouched
			if b, _ := os.ReadFile(p); !bytes.Equal(b, content) {
				t.Errorf("%s was changed", p)
			}
			os.Remove(p)
			continue
		}
		moved++
		if b, _ := os.ReadFile(aside[0]); !bytes.Equal(b, content) {
			t.Errorf("%s does not hold what was at %s", aside[0], p)
		}
		if !strings.Contains(stderr.String(), filepath.Base(aside[0])) {
			t.Errorf("the log does not name %s:\n%s", aside[0], stderr.String())
		}
	}
	if moved == 0 {
		t.Fatal("no file was moved aside")
	}
	recs, files := readRepo(t, root)
	if got, want := sum(recs), (totals{1000, 20000, 12820719}); got != want {
		t.Fatalf("repository holds %+v, softflowd sent %+v (files %v)\n%s", got, want, files, stderr.String())
	}
}
