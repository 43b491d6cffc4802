package collector

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func sendRaw(t *testing.T, to netip.AddrPort, pkts [][]byte) {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(to))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range pkts {
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
	}
}

// A restarted collector decodes v9 data at once with the templates the
// previous run saved, instead of waiting for the exporter to resend them.
func TestRestartDecodesWithSavedTemplates(t *testing.T) {
	root := t.TempDir()
	pkts := v9Packets(20, time.Now()) // the template is in the first packet only
	addr, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour})
	sendRaw(t, addr, pkts[:10])
	waitFor(t, "the first run's flows", func() bool { return stats.Totals().Flows == 380 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".gflowcap", "templates")); err != nil {
		t.Fatalf("templates not saved at exit: %v", err)
	}
	addr, stats, stop = startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour})
	sendRaw(t, addr, pkts[10:])
	waitFor(t, "the second run's flows, decoded without a new template", func() bool { return stats.Totals().Flows == 380 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if recs, _ := readRepo(t, root); len(recs) != 760 {
		t.Fatalf("%d flows stored over both runs, want 760", len(recs))
	}
}

func TestIPv6ListenerAndSeveralSockets(t *testing.T) {
	probe, err := net.ListenPacket("udp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	probe.Close()
	root := t.TempDir()
	ready := make(chan []netip.AddrPort, 1)
	stats := NewStats()
	cfg := Config{Listen: []string{"[::1]:0"}, Sockets: 2, RcvBuf: 1 << 20, DataRoot: root,
		FlushInterval: time.Hour, Stats: stats, Stderr: &lockedBuffer{},
		Ready: func(a []netip.AddrPort) { ready <- a }}
	// Two sockets on one port need a fixed port: take one the kernel gives.
	port := freePort(t, "udp")
	cfg.Listen = []string{netip.AddrPortFrom(netip.IPv6Loopback(), uint16(port)).String()}
	done := make(chan error, 1)
	ctx, cancel := contextWithCancel()
	go func() { done <- Run(ctx, cfg) }()
	addrs := <-ready
	if len(addrs) != 2 || addrs[0] != addrs[1] {
		t.Fatalf("bound %v, want two sockets on one address", addrs)
	}
	want := sendV5(t, addrs[0], 0, 20, time.Now())
	waitFor(t, "flows over IPv6", func() bool { return stats.Totals().Flows == want.flows })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	exps := stats.Exporters()
	if len(exps) != 1 || exps[0].Addr != netip.IPv6Loopback() {
		t.Fatalf("exporters %v, want ::1", exps)
	}
	if recs, _ := readRepo(t, root); sum(recs) != want {
		t.Fatalf("stored %+v, sent %+v", sum(recs), want)
	}
}

func TestRetentionRunsInTheCollector(t *testing.T) {
	root := t.TempDir()
	old := mkRepo(t, root, 10, "2020-01-01T00")
	var stderr lockedBuffer
	_, _, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, RetainAge: 24 * time.Hour, Stderr: &stderr})
	waitFor(t, "retention to delete the 2020 file", func() bool { _, err := os.Stat(old[0]); return os.IsNotExist(err) })
	stop()
	if _, err := os.Stat(filepath.Join(root, "in")); !os.IsNotExist(err) {
		t.Errorf("empty directories left behind")
	}
}
