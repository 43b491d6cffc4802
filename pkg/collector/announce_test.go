package collector

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// logLines returns the lines of a collector log that contain s.
func logLines(log, s string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

var metricsLineRE = regexp.MustCompile(`metrics on http://([0-9.:]+)/metrics`)

// The start line says where gflowcap listens, where it writes, which
// site configuration and --allow it uses and where its metrics are, with
// the addresses actually bound; every line has a UTC time.
func TestStartLine(t *testing.T) {
	root := t.TempDir()
	var stderr lockedBuffer
	allow, _ := ParseAllow([]string{"127.0.0.1"})
	addr, _, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, Allow: allow,
		MetricsListen: "127.0.0.1:0", Stderr: &stderr})
	defer stop()
	lines := logLines(stderr.String(), " started: ")
	if len(lines) != 1 {
		t.Fatalf("want one start line, got %q", stderr.String())
	}
	line := lines[0]
	for _, want := range []string{
		"listening on UDP " + addr.String(),
		"; writing to " + root,
		"; site configuration none (one sensor S0, learning from the traffic)",
		"; accepting exports from 127.0.0.1/32 only",
	} {
		if !strings.Contains(line, want) {
			t.Errorf("start line lacks %q: %s", want, line)
		}
	}
	if !regexp.MustCompile(`^gflowcap: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ gflowcap `).MatchString(line) {
		t.Errorf("start line does not begin with the tool and a UTC time: %s", line)
	}
	m := metricsLineRE.FindStringSubmatch(line)
	if m == nil || strings.HasSuffix(m[1], ":0") {
		t.Fatalf("start line does not give the bound metrics address: %s", line)
	}
	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatalf("the metrics address of the start line: %v", err)
	}
	resp.Body.Close()
}

// Reading a capture logs the exporter's first packet with its version and
// domain and each template once; a second run, with the templates saved,
// logs the exporter again but no template.
func TestExporterAndTemplateLines(t *testing.T) {
	root := t.TempDir()
	var stderr lockedBuffer
	cfg := Config{Pcaps: []string{"testdata/softflowd-v9-a.pcap"}, DataRoot: root, Stderr: &stderr, FlushInterval: time.Second}
	if err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	log := stderr.String()
	first := logLines(log, "first packet")
	if len(first) != 1 || !strings.Contains(first[0], "exporter 127.0.0.1:57125: first packet, NetFlow v9, source ID 0") {
		t.Errorf("want one first-packet line for softflowd's exporter, got %q", first)
	}
	tmpl := logLines(log, "arrived")
	if len(tmpl) != 5 { // softflowd sends 4 flow templates and 1 options template, each many times
		t.Errorf("want 5 template lines, got %d: %q", len(tmpl), tmpl)
	}
	if !strings.Contains(log, "NetFlow v9, source ID 0: options template 256 arrived (4 fields)") {
		t.Errorf("no line for the options template: %q", tmpl)
	}

	stderr = lockedBuffer{}
	cfg.Force = true // the same capture again, on purpose
	if err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	log = stderr.String()
	if n := len(logLines(log, "first packet")); n != 1 {
		t.Errorf("second run: %d first-packet lines, want 1", n)
	}
	if n := len(logLines(log, "arrived")); n != 0 {
		t.Errorf("second run, templates loaded from the state directory: %d template lines, want 0:\n%s", n, log)
	}
}

// An exporter that --allow does not list is named in the log, with the
// switch to type, once; its packets are counted under its address.
func TestRefusedExporterIsNamed(t *testing.T) {
	root := t.TempDir()
	var stderr lockedBuffer
	allow, _ := ParseAllow([]string{"192.0.2.1"})
	addr, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, Allow: allow,
		MetricsListen: "127.0.0.1:0", Stderr: &stderr})
	defer stop()
	sendV5(t, addr, 0, 25, time.Now())
	waitFor(t, "refused packets counted", func() bool { return stats.Denied.Load() == 25 })
	log := stderr.String()
	refused := logLines(log, "refused")
	if len(refused) != 1 || !strings.Contains(refused[0], "refused export packets from 127.0.0.1: --allow=192.0.2.1/32 does not list it") {
		t.Errorf("want one line naming the refused exporter, got %q", refused)
	}
	if h := logLines(log, "hint: "); len(h) != 1 || !strings.Contains(h[0], "hint: if 127.0.0.1 is your router, add it: --allow=192.0.2.1/32,127.0.0.1") {
		t.Errorf("want one hint with the switch to type, got %q", h)
	}
	m := metricsLineRE.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no metrics address in %q", log)
	}
	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `gflowcap_denied_packets_total{exporter="127.0.0.1"} 25`; !strings.Contains(string(body), want) {
		t.Errorf("metrics lack %s:\n%s", want, grepLines(string(body), "denied"))
	}
}

func grepLines(s, sub string) string { return strings.Join(logLines(s, sub), "\n") }

// An exporter the site configuration gives to no sensor is named, with
// where to add it.
func TestExporterOfNoSensorIsNamed(t *testing.T) {
	root := t.TempDir()
	conf := filepath.Join(root, "gflow.toml")
	if err := os.WriteFile(conf, []byte("[[sensors]]\nname = \"edge\"\nid = 1\nexporters = [\"192.0.2.1\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	addr, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, Stderr: &stderr})
	defer stop()
	sendV5(t, addr, 0, 5, time.Now())
	waitFor(t, "packets of no sensor counted", func() bool { return stats.Totals().Unknown == 5 })
	log := stderr.String()
	if l := logLines(log, "no sensor of"); len(l) != 1 || !strings.Contains(l[0], "dropped export packets from 127.0.0.1: no sensor of "+conf+" lists it") {
		t.Errorf("want one line naming the exporter of no sensor, got %q", l)
	}
	if l := logLines(log, "hint: "); len(l) != 1 || !strings.Contains(l[0], `add "127.0.0.1" to the exporters of its sensor`) {
		t.Errorf("want a hint saying where to add it, got %q", l)
	}
}

// Refusals are logged at once for a new address, then at most once per
// address every 10 minutes with the count since; beyond 64 addresses the
// rest are counted together, with one line.
func TestRefusalLinesAreRateLimitedAndBounded(t *testing.T) {
	now := time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)
	r := newRefusals()
	r.now = func() time.Time { return now }
	var lines []string
	r.first = func(a netip.Addr) { lines = append(lines, "first "+a.String()) }
	r.again = func(a netip.Addr, n uint64, since time.Duration) {
		lines = append(lines, fmt.Sprintf("again %s %d %s", a, n, since))
	}
	r.full = func() { lines = append(lines, "full") }
	a := netip.MustParseAddr("192.0.2.7")
	for range 1000 { // a router sending all the time
		r.add(a)
		now = now.Add(time.Second / 2)
	}
	// 500 s passed: one line so far.
	if len(lines) != 1 || lines[0] != "first 192.0.2.7" {
		t.Fatalf("after 500 s: %q", lines)
	}
	now = now.Add(2 * time.Minute) // 620 s after the first
	r.add(a)
	if len(lines) != 2 || lines[1] != "again 192.0.2.7 1000 10m20s" {
		t.Fatalf("after 620 s: %q", lines)
	}
	for i := range 100 {
		r.add(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
	}
	firsts, full := 0, 0
	for _, l := range lines {
		if strings.HasPrefix(l, "first ") {
			firsts++
		}
		if l == "full" {
			full++
		}
	}
	if firsts != maxRefusedExporters || full != 1 {
		t.Fatalf("100 more addresses: %d first lines and %d full lines, want %d and 1", firsts, full, maxRefusedExporters)
	}
	snap := r.snapshot()
	if len(snap) != maxRefusedExporters+1 || snap[len(snap)-1].Label() != RefusedOther || snap[len(snap)-1].Packets != 100-(maxRefusedExporters-1) {
		t.Fatalf("snapshot: %d entries, last %+v", len(snap), snap[len(snap)-1])
	}
}
