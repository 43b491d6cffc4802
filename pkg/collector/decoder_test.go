package collector

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/netflow"
)

// writeUDPPcap writes payloads as UDP datagrams from src to 127.0.0.1:2055
// in a classic pcap of raw IPv4 packets.
func writeUDPPcap(t *testing.T, path string, src netip.AddrPort, payloads ...[]byte) {
	t.Helper()
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, 101) // raw IP
	for i, p := range payloads {
		ip := make([]byte, 28, 28+len(p))
		ip[0], ip[8], ip[9] = 0x45, 64, 17
		binary.BigEndian.PutUint16(ip[2:], uint16(28+len(p)))
		s := src.Addr().As4()
		copy(ip[12:], s[:])
		copy(ip[16:], []byte{127, 0, 0, 1})
		binary.BigEndian.PutUint16(ip[20:], src.Port())
		binary.BigEndian.PutUint16(ip[22:], 2055)
		binary.BigEndian.PutUint16(ip[24:], uint16(8+len(p)))
		ip = append(ip, p...)
		b = le.AppendUint32(b, 1700000000+uint32(i))
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, uint32(len(ip)))
		b = le.AppendUint32(b, uint32(len(ip)))
		b = append(b, ip...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ipfix builds an IPFIX message of sets; set is id, then body.
func ipfix(seq uint32, sets ...[]byte) []byte {
	be := binary.BigEndian
	var body []byte
	for _, s := range sets {
		body = append(body, s...)
	}
	b := be.AppendUint16(nil, 10)
	b = be.AppendUint16(b, uint16(16+len(body)))
	b = be.AppendUint32(b, 1700000000)
	b = be.AppendUint32(b, seq)
	b = be.AppendUint32(b, 0)
	return append(b, body...)
}

func ipfixSet(id uint16, parts ...[]byte) []byte {
	var body []byte
	for _, p := range parts {
		body = append(body, p...)
	}
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(body)))
	return append(b, body...)
}

// ipfixTemplate is a template record: id, then (element, length) pairs.
func ipfixTemplate(id uint16, fields ...uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, uint16(len(fields)/2))
	for _, f := range fields {
		b = binary.BigEndian.AppendUint16(b, f)
	}
	return b
}

// oddPackets are what the collector should account for without storing: a
// record cut short (twice), a NAT event, per-client records without
// addresses, data for a template that never comes.
func oddPackets() [][]byte {
	bad := ipfix(0, ipfixSet(2, ipfixTemplate(300, 8, 4, 12, 4, 2, 1, 82, 0xffff)),
		ipfixSet(300, []byte{10, 0, 0, 1, 10, 0, 0, 2, 1, 255, 3, 232}))
	nat := ipfix(1, ipfixSet(2, ipfixTemplate(301, 8, 4, 12, 4, 230, 1)), ipfixSet(301, []byte{10, 0, 0, 1, 10, 0, 0, 2, 1}))
	wlc := ipfix(2, ipfixSet(2, ipfixTemplate(302, 366, 4, 1, 4)), ipfixSet(302, []byte{192, 168, 20, 121, 0, 0, 12, 248}))
	orphan := ipfix(3, ipfixSet(999, []byte{10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 1}))
	return [][]byte{bad, bad, nat, wlc, orphan}
}

var oddExporter = netip.MustParseAddrPort("192.0.2.1:50000")

func TestDecoderReasonsInLogAndSummary(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "odd.pcap")
	writeUDPPcap(t, pcap, oddExporter, oddPackets()...)
	var stderr lockedBuffer
	if err := Run(context.Background(), Config{Pcaps: []string{pcap}, DataRoot: filepath.Join(dir, "repo"), Stderr: &stderr}); err != nil {
		t.Fatal(err)
	}
	log := stderr.String()
	if n := strings.Count(log, "record at byte 44 (template 300)"); n != 1 {
		t.Errorf("the record error is logged %d times, want once with its offset and template:\n%s", n, log)
	}
	if !strings.Contains(log, "from 192.0.2.1:50000") || !strings.Contains(log, "template 302 (domain 0) counts traffic but names no source and destination") {
		t.Errorf("log names no exporter or no template without addresses:\n%s", log)
	}
	for _, want := range []string{"2 decode errors (record 2)", "1 events without traffic", "1 records without addresses",
		"1 data sets held for missing template 999 from 192.0.2.1 (v10 domain 0)"} {
		if !strings.Contains(log, want) {
			t.Errorf("summary lacks %q:\n%s", want, log)
		}
	}
}

func TestNoticeLogIsRateLimited(t *testing.T) {
	var lines []string
	l := newNoticeLog(func(format string, args ...any) { lines = append(lines, format) })
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }
	err := &netflow.DecodeError{Kind: netflow.ErrRecord}
	for i := range 100 { // a hundred exporters at once
		l.notice(netflow.Notice{Kind: netflow.NoticeError, Exporter: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), 1), Err: err})
	}
	if len(lines) != noticeBurst {
		t.Fatalf("%d lines for 100 notices at once, want %d", len(lines), noticeBurst)
	}
	now = now.Add(noticeEvery)
	l.notice(netflow.Notice{Kind: netflow.NoticeError, Err: err})
	if len(lines) != noticeBurst+1 {
		t.Fatalf("%d lines after a pause, want %d", len(lines), noticeBurst+1)
	}
}

func TestRefusalsLoggedWithTheirCount(t *testing.T) {
	var lines []string
	l := newNoticeLog(func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) })
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	refuse := func(n int) {
		for i := range n {
			l.notice(netflow.Notice{Kind: netflow.NoticeExporterRefused, Exporter: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), 9)})
		}
	}
	refuse(500)
	now = now.Add(30 * time.Second)
	refuse(500)
	now = now.Add(31 * time.Second)
	refuse(1)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "1 packets refused, the last from 10.0.0.0:9") || !strings.HasPrefix(lines[1], "1000 packets refused") {
		t.Errorf("lines %q", lines)
	}
}

func TestDecoderMetrics(t *testing.T) {
	dec := netflow.NewDecoder(netflow.DefaultOptions())
	for _, p := range oddPackets() {
		dec.Decode(nil, p, oddExporter) //nolint:errcheck // counted
	}
	c := &collector{dec: dec, stats: NewStats(), denied: newRefusals(), unknown: newRefusals()}
	got := scrape(t, c)
	want := map[string]float64{
		`gflowcap_decode_errors_total{exporter="192.0.2.1",kind="record"}`:   2,
		`gflowcap_events_total{exporter="192.0.2.1"}`:                        1,
		`gflowcap_records_without_addresses_total{exporter="192.0.2.1"}`:     1,
		`gflowcap_held_data_sets_total{exporter="192.0.2.1"}`:                1,
		`gflowcap_held_data_sets{exporter="192.0.2.1"}`:                      1,
		`gflowcap_data_without_template_total{exporter="192.0.2.1"}`:         0,
		`gflowcap_time_unanchored_total{exporter="192.0.2.1"}`:               0,
		`gflowcap_far_from_export_time_total{exporter="192.0.2.1"}`:          0,
		`gflowcap_released_data_sets_total{exporter="192.0.2.1"}`:            0,
		`gflowcap_decode_errors_total{exporter="192.0.2.1",kind="trailing"}`: -1, // absent: never happened
	}
	for k, v := range want {
		g, ok := got[k]
		switch {
		case v < 0 && ok:
			t.Errorf("%s present (%v): kinds that never happened are not series", k, g)
		case v >= 0 && (!ok || g != v):
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
}

// scrape reads /metrics as Prometheus would: series → value.
func scrape(t *testing.T, c *collector) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	c.metricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	got := map[string]float64{}
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		got[line[:i]] = v
	}
	return got
}

// legitIPFIX sends n packets of 10 flows from src, the template in the
// first one when withTemplate.
func legitIPFIX(t *testing.T, src, to netip.AddrPort, seq0, n int, withTemplate bool) {
	t.Helper()
	c, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(src), net.UDPAddrFromAddrPort(to))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := []byte{192, 168, 1, 10, 8, 8, 8, 8, 0x9c, 0x40, 1, 0xbb, 6, 0, 0, 0, 2, 0, 0, 0, 100}
	for i := range n {
		var sets [][]byte
		if withTemplate && i == 0 {
			sets = append(sets, ipfixSet(2, ipfixTemplate(400, 8, 4, 12, 4, 7, 2, 11, 2, 4, 1, 2, 4, 1, 4)))
		}
		var body []byte
		for range 10 {
			body = append(body, rec...)
		}
		sets = append(sets, ipfixSet(400, body))
		if _, err := c.Write(ipfix(uint32(seq0+i*10), sets...)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // let a loaded machine keep up
	}
}

func TestExporterFloodDoesNotLockOut(t *testing.T) {
	// One packet from each of 4,200 loopback addresses, then a real
	// exporter: all its flows are stored, its templates survive a restart
	// (the flood's do not), and /metrics names a bounded set of exporters.
	if testing.Short() {
		t.Skip("sends from 4,200 addresses")
	}
	root := t.TempDir()
	mp := freePort(t, "tcp")
	cfg := Config{DataRoot: root, FlushInterval: 100 * time.Millisecond, MetricsListen: fmt.Sprintf("127.0.0.1:%d", mp)}
	to, stats, stop := startUDP(t, cfg)
	junk := ipfix(0, ipfixSet(2, ipfixTemplate(300, 8, 4, 12, 4)), ipfixSet(999, make([]byte, 40)))
	for i := range 4200 {
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 2, byte(i >> 8), byte(i)}), 0)
		c, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(src), net.UDPAddrFromAddrPort(to))
		if err != nil {
			t.Fatal(err)
		}
		c.Write(junk) //nolint:errcheck // a lost junk packet changes nothing
		c.Close()
	}
	waitFor(t, "the flood to arrive", func() bool { return stats.Totals().Packets >= 4000 })
	real := netip.MustParseAddrPort("127.1.0.1:40001")
	legitIPFIX(t, real, to, 0, 100, true)
	waitFor(t, "the real exporter's flows", func() bool { return stats.Exporter(real.Addr()).Written.Load() >= 1000 })

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", mp))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	series := 0
	for _, line := range strings.Split(string(body), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			series++
		}
	}
	if series > 30*(maxExporterSeries+1) || !strings.Contains(string(body), `exporter="other"`) || strings.Contains(string(body), "invalid IP") {
		t.Errorf("/metrics: %d series after a flood of 4,200 addresses", series)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// A restart: the real exporter's data decodes at once from the saved
	// templates; the flood's templates were not saved.
	saved, err := os.ReadFile(filepath.Join(root, ".gflowcap", "templates"))
	if err != nil || strings.Count(string(saved), `"exporter"`) != 1 {
		t.Errorf("templates file keeps %d exporters (%v), want the real one only", strings.Count(string(saved), `"exporter"`), err)
	}
	to, stats, stop = startUDP(t, Config{DataRoot: root, FlushInterval: 100 * time.Millisecond})
	legitIPFIX(t, real, to, 1000, 10, false)
	waitFor(t, "the real exporter's flows after a restart", func() bool { return stats.Exporter(real.Addr()).Written.Load() >= 100 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	recs, _ := readRepo(t, root)
	if len(recs) != 1100 {
		t.Errorf("%d flows stored, want 1,100", len(recs))
	}
}

func TestTemplatesFileWrittenOnlyWhenChanged(t *testing.T) {
	dir := t.TempDir()
	c := &collector{dec: netflow.NewDecoder(netflow.DefaultOptions()), tplPath: filepath.Join(dir, "templates"), cfg: Config{Stderr: &lockedBuffer{}}}
	flow := ipfix(0, ipfixSet(2, ipfixTemplate(300, 8, 4, 12, 4, 2, 1)), ipfixSet(300, []byte{10, 0, 0, 1, 10, 0, 0, 2, 1}))
	c.dec.Decode(nil, flow, oddExporter) //nolint:errcheck
	c.saveTemplates()
	first, err := os.ReadFile(c.tplPath)
	if err != nil || !strings.Contains(string(first), `"id": 300`) {
		t.Fatalf("templates not saved: %v\n%s", err, first)
	}
	os.Remove(c.tplPath)
	c.dec.Decode(nil, flow, oddExporter) //nolint:errcheck // the same again: nothing changes
	c.saveTemplates()
	if _, err := os.Stat(c.tplPath); err == nil {
		t.Errorf("templates file rewritten though nothing changed")
	}
	c.dec.Decode(nil, ipfix(1, ipfixSet(2, ipfixTemplate(301, 8, 4, 12, 4, 2, 1))), oddExporter) //nolint:errcheck
	c.saveTemplates()
	if b, err := os.ReadFile(c.tplPath); err != nil || !strings.Contains(string(b), `"id": 301`) {
		t.Errorf("new template not saved: %v", err)
	}
	if _, err := os.Stat(c.tplPath + ".tmp"); err == nil {
		t.Errorf("temporary file left behind")
	}
}

func TestMetricsExportersBounded(t *testing.T) {
	// 4,200 exporters counted: /metrics names the busiest and those the
	// site names, and sums the others under exporter="other".
	dec := netflow.NewDecoder(netflow.DefaultOptions())
	c := &collector{dec: dec, stats: NewStats(), denied: newRefusals(), unknown: newRefusals(), cfg: Config{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.7/32")}}}
	c.stats.Keep = c.preferred
	for i := range 4200 {
		a := netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		e := c.stats.Exporter(a)
		e.Packets.Add(uint64(1 + i%3))
		if i == 4000 {
			e.Packets.Add(1000) // the busiest, sending flows
			e.Flows.Add(10)
		}
		dec.Decode(nil, ipfix(0), netip.AddrPortFrom(a, 1)) //nolint:errcheck
	}
	got := scrape(t, c)
	named := map[string]bool{}
	for k := range got {
		if strings.HasPrefix(k, "gflowcap_packets_total{") {
			named[k] = true
		}
	}
	if len(named) != maxExporterSeries+1 {
		t.Errorf("%d exporters named in gflowcap_packets_total, want %d and other", len(named), maxExporterSeries)
	}
	for _, want := range []string{`gflowcap_packets_total{exporter="10.0.15.160"}`, `gflowcap_packets_total{exporter="10.0.0.7"}`, `gflowcap_packets_total{exporter="other"}`} {
		if _, ok := got[want]; !ok {
			t.Errorf("%s missing", want)
		}
	}
	var total float64
	for k := range named {
		total += got[k]
	}
	if want := float64(c.stats.Totals().Packets); total != want {
		t.Errorf("packets summed over the series %v, want %v: the others are lost", total, want)
	}
}

func TestReadPcapng(t *testing.T) {
	// Wireshark's and mergecap's format: the same 1,000 flows as the pcap.
	root := t.TempDir()
	var stderr lockedBuffer
	if err := Run(context.Background(), Config{Pcaps: []string{"../netflow/testdata/softflowd-v9-a.pcapng"}, DataRoot: root, Stderr: &stderr}); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	recs, _ := readRepo(t, root)
	if got, want := sum(recs), (totals{1000, 20000, 12820719}); got != want {
		t.Errorf("repository holds %+v, softflowd sent %+v", got, want)
	}
}
