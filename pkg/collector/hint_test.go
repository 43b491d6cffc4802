package collector

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// A home whose IPv6 /48 comes from a US tunnel broker and is not listed as
// internal sees its LAN traffic counted as US: the collector must say which
// prefix to list, once.
func TestTunnelBrokerHint(t *testing.T) {
	var logs []string
	e := &Engine{Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	lan := netip.MustParseAddr("2001:470:1f0b:1a::10")
	us := flowfile.MakeCountry("us")
	for i := range (hintAfter + 10) * hintSample {
		r := flowfile.Record{SIP: lan, DIP: netip.MustParseAddr("2001:470:1f0b:1a::20"), SCC: us, DCC: us, Bytes: 1000}
		if i%5 == 0 { // some real traffic elsewhere
			r.DIP, r.DCC = netip.MustParseAddr("2a00:1450::1"), flowfile.MakeCountry("ie")
		}
		if !e.hintDone {
			e.sampleHint(&r)
		}
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "2001:470:1f0b::/48") || !strings.Contains(logs[0], "US") {
		t.Fatalf("want one hint naming 2001:470:1f0b::/48 and US, got %q", logs)
	}
}

func TestNoHintForOrdinaryTraffic(t *testing.T) {
	var logs []string
	e := &Engine{Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	for i := range (hintAfter + 10) * hintSample {
		r := flowfile.Record{SIP: netip.AddrFrom4([4]byte{192, 168, 1, byte(i)}), DIP: netip.AddrFrom4([4]byte{8, 8, byte(i >> 8), byte(i)}),
			SCC: flowfile.NoCountry, DCC: flowfile.MakeCountry("us"), Bytes: 1000}
		if !e.hintDone {
			e.sampleHint(&r)
		}
	}
	if len(logs) != 0 || !e.hintDone {
		t.Fatalf("want no hint for IPv4 traffic to the US, got %q (judged: %v)", logs, e.hintDone)
	}
}
