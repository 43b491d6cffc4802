package collector

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
)

func TestBatchReaderReceivesIPv4AndIPv6(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		s, err := ListenUDP(context.Background(), addr, 1<<20, false)
		if err != nil {
			if strings.HasPrefix(addr, "[") {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		if s.Granted <= 0 {
			t.Errorf("%s: granted receive buffer %d", addr, s.Granted)
		}
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(s.LocalAddr()))
		if err != nil {
			t.Fatal(err)
		}
		const n = 100
		for i := range n {
			fmt.Fprintf(c, "packet %d", i)
		}
		br, err := NewBatchReader(s, 32)
		if err != nil {
			t.Fatal(err)
		}
		pkts := make([]Packet, 32)
		got := 0
		for got < n {
			k, err := br.ReadBatch(pkts)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pkts[:k] {
				if want := fmt.Sprintf("packet %d", got); string(p.Data) != want {
					t.Fatalf("%s: got %q, want %q", addr, p.Data, want)
				}
				if p.From != c.LocalAddr().(*net.UDPAddr).AddrPort() {
					t.Fatalf("%s: from %v, want %v", addr, p.From, c.LocalAddr())
				}
				got++
			}
		}
		if runtime.GOOS == "linux" {
			if d, ok := s.KernelDrops(); !ok || d != 0 {
				t.Errorf("%s: kernel drops %d known %v, want 0 known", addr, d, ok)
			}
		}
		c.Close()
		s.Close()
	}
}

func TestParseProcUDPDrops(t *testing.T) {
	const proc = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 0100007F:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17
  124: 0100007F:0808 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 0
`
	if d, ok := parseProcUDPDrops(strings.NewReader(proc), 4242); !ok || d != 17 {
		t.Fatalf("drops %d %v, want 17 true", d, ok)
	}
	if _, ok := parseProcUDPDrops(strings.NewReader(proc), 99); ok {
		t.Fatalf("found a socket that is not there")
	}
}
