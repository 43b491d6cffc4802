package collector

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFloodMemory measures a real gflowcap under the floods a hostile
// sender can make, phase by phase, and checks its memory stays bounded.
// It takes a while and reads /proc: it runs on demand, with
// GFLOW_FLOOD_TEST=1 (the figures are in docs/vendors.md).
func TestFloodMemory(t *testing.T) {
	if os.Getenv("GFLOW_FLOOD_TEST") != "1" {
		t.Skip("on demand: GFLOW_FLOOD_TEST=1 go test -run TestFloodMemory -v ./pkg/collector")
	}
	root := t.TempDir()
	c := startChild(t, root, time.Second)
	pid := c.cmd.Process.Pid
	rss := func(field string) int {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
				kb, _ := strconv.Atoi(f[1])
				return kb >> 10
			}
		}
		return 0
	}
	send := func(src netip.AddrPort, pkts ...[]byte) {
		conn, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(src), net.UDPAddrFromAddrPort(c.udp))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, p := range pkts {
			conn.Write(p) //nolint:errcheck // loss only weakens the flood
			time.Sleep(200 * time.Microsecond)
		}
	}
	settle := func(what string) {
		time.Sleep(2 * time.Second)
		t.Logf("%-58s RSS %4d MB", what, rss("VmRSS"))
	}
	settle("started")

	// 1. one packet from each of 4,200 addresses
	junk := ipfix(0, ipfixSet(2, ipfixTemplate(300, 8, 4, 12, 4)), ipfixSet(999, make([]byte, 40)))
	for i := range 4200 {
		send(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 3, byte(i >> 8), byte(i)}), 0), junk)
	}
	settle("4,200 exporters, one packet each")

	// 2. three exporters × 4,096 templates × 512 fields (142 datagrams each)
	var fields []byte
	for i := range 512 {
		fields = binary.BigEndian.AppendUint16(fields, uint16(1000+i))
		fields = binary.BigEndian.AppendUint16(fields, 4)
	}
	for e := range 3 {
		var pkts [][]byte
		for id := 256; id < 256+4096; {
			var recs []byte
			for k := 0; k < 31 && id < 256+4096; k++ {
				recs = binary.BigEndian.AppendUint16(recs, uint16(id))
				recs = binary.BigEndian.AppendUint16(recs, 512)
				recs = append(recs, fields...)
				id++
			}
			pkts = append(pkts, ipfix(0, ipfixSet(2, recs)))
		}
		send(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 4, 0, byte(e + 1)}), 0), pkts...)
	}
	settle("3 exporters × 4,096 templates × 512 fields")

	// 3. 40 exporters × 1.6 MB of data for templates that never come
	hold := ipfix(0, ipfixSet(999, make([]byte, 8000)))
	for e := range 40 {
		pkts := make([][]byte, 200)
		for i := range pkts {
			pkts[i] = hold
		}
		send(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 5, 0, byte(e + 1)}), 0), pkts...)
	}
	settle("40 exporters × 1.6 MB of data without template")

	// 4. a real exporter still gets in, and its flows are kept
	legitIPFIX(t, netip.MustParseAddrPort("127.1.0.1:40001"), c.udp, 0, 100, true)
	settle("a real exporter: 1,000 flows")
	written, err := c.metric("gflowcap_records_written_total")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // a flush: the templates file
	info, _ := os.Stat(filepath.Join(root, ".gflowcap", "templates"))
	peak := rss("VmHWM")
	t.Logf("peak RSS %d MB; %v records written; templates file %d bytes", peak, written, info.Size())
	if peak > 200 || written < 1000 || info.Size() > 1<<20 {
		t.Errorf("peak RSS %d MB, %v records written, templates file %d bytes", peak, written, info.Size())
	}
}
