// Package e2e runs gflow against real peers. The collector tests have
// Debian's softflowd, pmacct and nfdump export a known capture over the
// loopback to a running gflowcap, then read the repository back and compare
// every flow with the capture. A test whose exporter is not installed is
// skipped and says which package to install.
package e2e

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/gflow/gflow/pkg/collector"
	"github.com/gflow/gflow/pkg/flowfile"
)

const inputPcap = "testdata/synth-2000pkts-seed2.pcap"

// flowKey is a 5-tuple as gflow stores it: ICMP type and code in DPort
// with SPort 0.
type flowKey struct {
	src, dst     netip.Addr
	sport, dport uint16
	proto        uint8
}

type flowSum struct {
	packets, bytes uint64
	first, last    int64 // ms
}

// groundTruth reads the input capture: per 5-tuple, packets, IP bytes and
// the times of the first and last packet.
func groundTruth(t *testing.T) map[flowKey]*flowSum {
	t.Helper()
	f, err := os.Open(inputPcap)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkts, link, err := readPcap(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[flowKey]*flowSum{}
	for _, raw := range pkts {
		p := gopacket.NewPacket(raw.data, link, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		var k flowKey
		var ipLen uint64
		switch ip := p.NetworkLayer().(type) {
		case *layers.IPv4:
			k.src, _ = netip.AddrFromSlice(ip.SrcIP.To4())
			k.dst, _ = netip.AddrFromSlice(ip.DstIP.To4())
			k.proto = uint8(ip.Protocol)
			ipLen = uint64(ip.Length)
		case *layers.IPv6:
			k.src, _ = netip.AddrFromSlice(ip.SrcIP)
			k.dst, _ = netip.AddrFromSlice(ip.DstIP)
			k.proto = uint8(ip.NextHeader)
			ipLen = uint64(ip.Length) + 40
		default:
			continue
		}
		switch l := p.TransportLayer().(type) {
		case *layers.TCP:
			k.sport, k.dport = uint16(l.SrcPort), uint16(l.DstPort)
		case *layers.UDP:
			k.sport, k.dport = uint16(l.SrcPort), uint16(l.DstPort)
		}
		if ic, ok := p.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4); ok {
			k.dport = uint16(ic.TypeCode)
		}
		if ic, ok := p.Layer(layers.LayerTypeICMPv6).(*layers.ICMPv6); ok {
			k.dport = uint16(ic.TypeCode)
		}
		ms := raw.time.UnixMilli()
		s := out[k]
		if s == nil {
			s = &flowSum{first: ms}
			out[k] = s
		}
		s.packets++
		s.bytes += ipLen
		s.last = ms
	}
	return out
}

// The deadlines of the waits below only keep a broken test from hanging:
// they are no assertion about speed. A -race build on a machine loaded by
// other builds and tests has taken over a minute to start gflowcap, and
// the real exporters run slowly there too.
const (
	startLimit = 5 * time.Minute // for gflowcap's start line
	waitLimit  = 2 * time.Minute // for flows, and for an exporter's run
)

// runCollector starts gflowcap in-process on a loopback port and returns
// the port, its counters and a stop function (what SIGTERM does).
func runCollector(t *testing.T, root string) (netip.AddrPort, *collector.Stats, func()) {
	t.Helper()
	return startCollector(t, collector.Config{DataRoot: root, FlushInterval: time.Second}, &syncBuffer{})
}

// startCollector runs gflowcap in-process with cfg on a loopback port,
// logging to log, and returns once it decodes: the port, its counters and
// a stop function (what SIGTERM does).
func startCollector(t *testing.T, cfg collector.Config, log *syncBuffer) (netip.AddrPort, *collector.Stats, func()) {
	t.Helper()
	ready := make(chan []netip.AddrPort, 1)
	stats := collector.NewStats()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	cfg.Listen, cfg.RcvBuf, cfg.Stderr, cfg.Stats = []string{"127.0.0.1:0"}, 4<<20, log, stats
	cfg.Ready = func(a []netip.AddrPort) { ready <- a }
	t.Setenv("GFLOW_SITE_CONFIG", "")
	go func() { errc <- collector.Run(ctx, cfg) }()
	select {
	case a := <-ready:
		// The socket is bound before the country tables load: the start
		// line says it decodes.
		deadline := time.Now().Add(startLimit)
		for !strings.Contains(log.String(), " started: ") {
			select {
			case err := <-errc:
				cancel()
				t.Fatalf("gflowcap ended before its start line: %v\n%s", err, log.String())
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("gflowcap did not start decoding in %s:\n%s", startLimit, log.String())
			}
		}
		return a[0], stats, func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("gflowcap: %v", err)
			}
		}
	case err := <-errc:
		cancel()
		t.Fatalf("gflowcap did not start: %v", err)
	}
	return netip.AddrPort{}, nil, nil
}

// waitFlows waits until the collector has decoded want flows (or, if some
// never come, until waitLimit has passed; the test then reports what is
// missing). Whether flows come in a burst or with pauses, as a loaded
// machine schedules the exporter and the collector, does not matter.
func waitFlows(stats *collector.Stats, want uint64) {
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if stats.Totals().Flows >= want {
			return
		}
	}
}

func readRepo(t *testing.T, root string) ([]flowfile.Record, []string) {
	t.Helper()
	var recs []flowfile.Record
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if err == nil && path != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return err
		}
		if _, err := flowfile.ParseRepoPath(path); err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		files = append(files, rel)
		r, err := flowfile.Open(path)
		if err != nil {
			return err
		}
		defer r.Close()
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			recs = append(recs, *rec)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, files
}

type want struct {
	flows, packets, bytes uint64
	ipv4Only              bool
	// noICMPv6Type: the peer sends ICMPv6 flows with type and code 0.
	noICMPv6Type bool
}

func (k flowKey) String() string {
	return fmt.Sprintf("%s:%d→%s:%d/%d", k.src, k.sport, k.dst, k.dport, k.proto)
}

// check compares the repository with the capture: the totals the exporter
// sent, and for every 5-tuple its packets, bytes and times.
func check(t *testing.T, root string, w want, slack time.Duration) {
	t.Helper()
	recs, files := readRepo(t, root)
	var got want
	for i := range recs {
		got.flows++
		got.packets += recs[i].Packets
		got.bytes += recs[i].Bytes
	}
	got.ipv4Only, got.noICMPv6Type = w.ipv4Only, w.noICMPv6Type
	if got != w {
		t.Errorf("repository holds %d flows, %d packets, %d bytes; the exporter sent %d, %d, %d",
			got.flows, got.packets, got.bytes, w.flows, w.packets, w.bytes)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, "_20231114.22") {
			t.Errorf("file %s: the flows are of 2023-11-14 22:xx UTC", f)
		}
	}
	truth := groundTruth(t)
	stored := map[flowKey]*flowSum{}
	for i := range recs {
		r := &recs[i]
		k := flowKey{r.SIP, r.DIP, r.SPort, r.DPort, r.Proto}
		s := stored[k]
		if s == nil {
			s = &flowSum{first: r.STime, last: r.ETime}
			stored[k] = s
		}
		s.packets += r.Packets
		s.bytes += r.Bytes
		s.first, s.last = min(s.first, r.STime), max(s.last, r.ETime)
		if r.SCC == 0 || r.DCC == 0 {
			t.Fatalf("flow %v without country codes", k)
		}
	}
	bad := 0
	for k, tr := range truth {
		if w.ipv4Only && k.src.Is6() {
			continue
		}
		if w.noICMPv6Type && k.proto == 58 {
			k.dport = 0
		}
		s := stored[k]
		switch {
		case s == nil:
			t.Errorf("flow %v (%d packets) missing", k, tr.packets)
		case s.packets != tr.packets || s.bytes != tr.bytes:
			t.Errorf("flow %v: %d packets %d bytes, capture has %d and %d", k, s.packets, s.bytes, tr.packets, tr.bytes)
		case s.first < tr.first-slack.Milliseconds() || s.first > tr.first+slack.Milliseconds() ||
			s.last < tr.last-slack.Milliseconds() || s.last > tr.last+slack.Milliseconds():
			t.Errorf("flow %v: %s–%s, capture %s–%s", k, ms(s.first), ms(s.last), ms(tr.first), ms(tr.last))
		default:
			continue
		}
		if bad++; bad > 10 {
			t.Fatal("more than 10 flows differ")
		}
	}
	for k := range stored {
		if w.noICMPv6Type && k.proto == 58 {
			continue // compared above
		}
		if truth[k] == nil {
			t.Errorf("stored flow %v is not in the capture", k)
			if bad++; bad > 10 {
				t.Fatal("more than 10 flows differ")
			}
		}
	}
}

type pcapPacket struct {
	time time.Time
	data []byte
}

// readPcap reads a classic pcap file (microsecond or nanosecond, either
// byte order); gopacket's pcapgo would pull in golang.org/x/net for this.
func readPcap(r io.Reader) ([]pcapPacket, gopacket.Decoder, error) {
	b, err := io.ReadAll(r)
	if err != nil || len(b) < 24 {
		return nil, nil, fmt.Errorf("pcap: %v (%d bytes)", err, len(b))
	}
	var bo binary.ByteOrder
	nano := false
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4:
		bo = binary.LittleEndian
	case 0xa1b23c4d:
		bo, nano = binary.LittleEndian, true
	case 0xd4c3b2a1:
		bo = binary.BigEndian
	case 0x4d3cb2a1:
		bo, nano = binary.BigEndian, true
	default:
		return nil, nil, errors.New("pcap: bad magic")
	}
	link := layers.LinkType(bo.Uint32(b[20:]))
	var out []pcapPacket
	for off := 24; off+16 <= len(b); {
		sec, frac, n := bo.Uint32(b[off:]), bo.Uint32(b[off+4:]), int(bo.Uint32(b[off+8:]))
		off += 16
		if off+n > len(b) {
			return nil, nil, errors.New("pcap: truncated record")
		}
		ns := int64(frac) * 1000
		if nano {
			ns = int64(frac)
		}
		out = append(out, pcapPacket{time.Unix(int64(sec), ns).UTC(), b[off : off+n]})
		off += n
	}
	return out, link, nil
}

func ms(v int64) string { return time.UnixMilli(v).UTC().Format("15:04:05.000") }

func need(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			if _, err := os.Stat("/usr/sbin/" + b); err == nil {
				continue
			}
			t.Skipf("%s is not installed (apt-get install softflowd pmacct nfdump); skipping the test with this real exporter", b)
		}
	}
}

func lookPath(b string) string {
	if p, err := exec.LookPath(b); err == nil {
		return p
	}
	return "/usr/sbin/" + b
}

// runSoftflowd has softflowd read the capture and export it. In -r mode it
// waits on its control socket before it exits, so the socket is poked until
// it is gone (netflow-notes.md).
func runSoftflowd(t *testing.T, to netip.AddrPort, args ...string) {
	t.Helper()
	dir := t.TempDir()
	ctl := filepath.Join(dir, "ctl")
	all := append([]string{"-D", "-a", "-r", inputPcap, "-n", to.String(), "-p", filepath.Join(dir, "pid"), "-c", ctl}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, lookPath("softflowd"), all...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for !done.Load() {
			exec.Command(lookPath("softflowctl"), "-c", ctl, "statistics").Run()
			time.Sleep(50 * time.Millisecond)
		}
	})
	err := cmd.Wait()
	done.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("softflowd %s: %v\n%s", strings.Join(all, " "), err, lastLines(out.String(), 10))
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// Totals of the capture (testdata/README.md): 100 5-tuples in 2,000
// packets; NetFlow v5 carries only the 79 IPv4 ones. check also compares
// every flow with the capture itself.
var (
	all100 = want{flows: 100, packets: 2000, bytes: 1263642}
	v5only = want{flows: 79, packets: 1557, bytes: 972314, ipv4Only: true}
)

func TestSoftflowdV5(t *testing.T) {
	need(t, "softflowd", "softflowctl")
	root := t.TempDir()
	addr, stats, stop := runCollector(t, root)
	runSoftflowd(t, addr, "-v", "5")
	waitFlows(stats, v5only.flows)
	stop()
	check(t, root, v5only, 1500*time.Millisecond)
}

func TestSoftflowdV9(t *testing.T) {
	need(t, "softflowd", "softflowctl")
	root := t.TempDir()
	addr, stats, stop := runCollector(t, root)
	runSoftflowd(t, addr, "-v", "9")
	waitFlows(stats, all100.flows)
	stop()
	// v9 times may be up to 1 s early: the header's export time is in whole seconds.
	check(t, root, all100, 1500*time.Millisecond)
}

func TestSoftflowdIPFIX(t *testing.T) {
	need(t, "softflowd", "softflowctl")
	root := t.TempDir()
	addr, stats, stop := runCollector(t, root)
	runSoftflowd(t, addr, "-v", "10", "-A", "milli")
	waitFlows(stats, all100.flows)
	stop()
	check(t, root, all100, 10*time.Millisecond)
}

func TestPmacctIPFIX(t *testing.T) {
	need(t, "pmacctd")
	root := t.TempDir()
	addr, stats, stop := runCollector(t, root)
	conf := filepath.Join(t.TempDir(), "pmacctd.conf")
	in, _ := filepath.Abs(inputPcap)
	os.WriteFile(conf, []byte(fmt.Sprintf(`daemonize: false
pcap_savefile: %s
pcap_savefile_wait: false
plugins: nfprobe
aggregate: src_host, dst_host, src_port, dst_port, proto, tos
nfprobe_receiver: %s
nfprobe_version: 10
nfprobe_timeouts: general=15:maxlife=60
`, in, addr)), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	out, err := exec.CommandContext(ctx, lookPath("pmacctd"), "-f", conf).CombinedOutput()
	if err != nil {
		// On a loaded machine pmacctd's core sometimes exits 1 at the end
		// of the capture after its nfprobe plugin already sent everything
		// ("connection lost to 'default_nfprobe-nfprobe'"): what gflowcap
		// stored decides, and pmacctd's words go with a failure.
		t.Logf("pmacctd: %v\n%s", err, lastLines(string(out), 10))
	}
	waitFlows(stats, all100.flows)
	stop()
	check(t, root, all100, 10*time.Millisecond)
}

// nfdump's nfreplay re-exports flows nfcapd stored: softflowd's v9 stream
// goes through nfcapd into a file, which nfreplay sends to gflowcap.
func TestNfreplayV9(t *testing.T) {
	need(t, "softflowd", "softflowctl", "nfcapd", "nfreplay")
	// nfcapd stores softflowd's export.
	dir := t.TempDir()
	port := freeUDPPort(t)
	nfcapd := exec.Command(lookPath("nfcapd"), "-b", "127.0.0.1", "-p", fmt.Sprint(port), "-w", dir, "-t", "60")
	var out strings.Builder
	nfcapd.Stdout, nfcapd.Stderr = &out, &out
	if err := nfcapd.Start(); err != nil {
		t.Fatal(err)
	}
	defer nfcapd.Process.Kill()
	// nfcapd binds its socket, then softflowd exports to it; once nfcapd
	// has taken every datagram from the socket, SIGINT makes it close its
	// file (it stores what it took first).
	waitSocket(t, port, "nfcapd to bind its socket", func(queued int) bool { return queued >= 0 })
	runSoftflowd(t, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)), "-v", "9")
	waitSocket(t, port, "nfcapd to read what softflowd sent", func(queued int) bool { return queued == 0 })
	nfcapd.Process.Signal(os.Interrupt)
	nfcapd.Wait()
	files, _ := filepath.Glob(filepath.Join(dir, "nfcapd.2*"))
	if len(files) != 1 {
		t.Fatalf("nfcapd stored %v\n%s", files, lastLines(out.String(), 10))
	}

	root := t.TempDir()
	addr, stats, stop := runCollector(t, root)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	o, err := exec.CommandContext(ctx, lookPath("nfreplay"), "-r", files[0], "-v9", "-H", "127.0.0.1", "-p", fmt.Sprint(addr.Port())).CombinedOutput()
	if err != nil {
		t.Fatalf("nfreplay: %v\n%s", err, lastLines(string(o), 10))
	}
	waitFlows(stats, all100.flows)
	stop()
	// nfcapd 1.7.1 does not store softflowd's ICMPv6 type (IE 139), so
	// nfreplay sends type and code 0.
	w := all100
	w.noICMPv6Type = true
	check(t, root, w, 1500*time.Millisecond)
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// waitSocket waits until cond holds for the bytes queued on the UDP socket
// bound to 127.0.0.1:port, as /proc/net/udp shows them (-1: no such socket).
func waitSocket(t *testing.T, port int, what string, cond func(queued int) bool) {
	t.Helper()
	local := fmt.Sprintf("0100007F:%04X", port)
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(20 * time.Millisecond) {
		queued := -1
		b, err := os.ReadFile("/proc/net/udp")
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 4 && f[1] == local {
				_, q, _ := strings.Cut(f[4], ":") // tx_queue:rx_queue, hexadecimal
				n, err := strconv.ParseInt(q, 16, 64)
				if err != nil {
					t.Fatalf("/proc/net/udp: %q", line)
				}
				queued = int(n)
			}
		}
		if cond(queued) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitLimit, what)
		}
	}
}

// syncBuffer is gflowcap's log, written by its goroutines, read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
