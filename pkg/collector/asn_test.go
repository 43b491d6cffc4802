package collector

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A home router sends no AS numbers: the collector fills them from the
// built-in database for the public side of each flow, keeps the site's
// side at 0 and keeps the numbers a BGP exporter sends.
func TestCollectorFillsASNumbers(t *testing.T) {
	t.Setenv("GFLOW_ASN_DB", "")
	root := t.TempDir()
	addr, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour})
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	uptime := uint32(3_600_000)
	flow := func(src, dst string, srcAS, dstAS uint16) v5flow {
		return v5flow{src: netip.MustParseAddr(src), dst: netip.MustParseAddr(dst), sport: 50000, dport: 443, proto: 6,
			pkts: 1, bytes: 100, first: uptime - 2000, last: uptime - 1000, srcAS: srcAS, dstAS: dstAS}
	}
	flows := []v5flow{
		flow("192.168.1.10", "8.8.8.8", 0, 0),      // to Google: 15169
		flow("1.0.0.1", "192.168.1.10", 0, 0),      // from Cloudflare: 13335
		flow("192.168.1.10", "1.0.0.1", 0, 64500),  // a BGP exporter's own number wins
		flow("192.168.1.10", "198.51.100.7", 0, 0), // documentation range: no AS
		flow("192.168.1.10", "192.168.1.11", 0, 0), // internal both ways
		flow("10.0.0.1", "130.59.31.80", 65001, 0), // SWITCH: 559; the exporter's 65001 kept
	}
	if _, err := c.Write(v5Packet(0, uptime, uint32(time.Now().Unix()), flows)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "flows decoded", func() bool { return stats.Totals().Flows == uint64(len(flows)) })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	recs, _ := readRepo(t, root)
	got := map[string][2]uint32{}
	for _, r := range recs {
		got[r.SIP.String()+">"+r.DIP.String()] = [2]uint32{r.SrcAS, r.DstAS}
	}
	for k, want := range map[string][2]uint32{
		"192.168.1.10>8.8.8.8":      {0, 15169},
		"1.0.0.1>192.168.1.10":      {13335, 0},
		"192.168.1.10>1.0.0.1":      {0, 64500},
		"192.168.1.10>198.51.100.7": {0, 0},
		"192.168.1.10>192.168.1.11": {0, 0},
		"10.0.0.1>130.59.31.80":     {65001, 559},
	} {
		if got[k] != want {
			t.Errorf("%s: AS %v, want %v", k, got[k], want)
		}
	}
}

// A missing or damaged AS database stops the collector with one error
// naming the file, before anything is written.
func TestCollectorASDatabaseErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "GeoLite2-ASN.mmdb")
	if err := os.WriteFile(bad, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.mmdb")} {
		cfg := Config{Pcaps: []string{"testdata/softflowd-v9-a.pcap"}, DataRoot: filepath.Join(dir, "root"), ASNDB: path,
			Stderr: &lockedBuffer{}, FlushInterval: time.Second}
		err := Run(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "AS database") || strings.Contains(err.Error(), "\n") {
			t.Errorf("--asn-db=%s: error %v, want one line naming the AS database file", path, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "root")); !os.IsNotExist(err) {
		t.Errorf("the repository was created with a bad AS database (%v)", err)
	}
}
