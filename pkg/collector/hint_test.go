package collector

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
	"github.com/gflow/gflow/pkg/site/learn"
)

// A home whose IPv6 /48 comes from a US tunnel broker and is not listed as
// internal sees its LAN traffic counted as US: the collector must say which
// prefix to list, once, naming the sensor. The mix is the realistic one:
// 60% of the conversations over IPv6, the rest IPv4 to many countries.
func TestTunnelBrokerHint(t *testing.T) {
	var logs []string
	e := &Engine{Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	us, de := flowfile.MakeCountry("us"), flowfile.MakeCountry("de")
	for i := range (hintAfter + 10) * hintSample {
		r := flowfile.Record{Bytes: 1000}
		lan := netip.AddrFrom16([16]byte{0x20, 0x01, 0x04, 0x70, 0x1f, 0x0b, 0, 0x1a, 15: byte(i % 20)})
		remote := netip.AddrFrom16([16]byte{0x2a, 0x00, byte(i >> 8), byte(i), 1, 2, 15: 1})
		switch {
		case i%10 < 6:
			r.SIP, r.DIP, r.SCC, r.DCC = remote, lan, de, us
		default:
			r.SIP, r.DIP, r.SCC, r.DCC = netip.AddrFrom4([4]byte{192, 168, 1, 10}), netip.AddrFrom4([4]byte{8, 8, byte(i >> 8), byte(i)}), flowfile.NoCountry, de
		}
		if !e.hintDone {
			e.sampleHint(&r)
		}
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "S0: hint:") || !strings.Contains(logs[0], "2001:470:1f0b::/48") || !strings.Contains(logs[0], "US") {
		t.Fatalf("want one hint naming S0, 2001:470:1f0b::/48 and US, got %q", logs)
	}
}

// A busy remote /48 (a video CDN) is not the site's own: it talks only
// with this site.
func TestNoHintForOrdinaryTraffic(t *testing.T) {
	var logs []string
	e := &Engine{Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	cdn := netip.MustParseAddr("2a00:1450:4001::10")
	for i := range (hintAfter + 10) * hintSample {
		r := flowfile.Record{SIP: cdn, DIP: netip.MustParseAddr("fd00::10"), SCC: flowfile.MakeCountry("ie"), DCC: flowfile.NoCountry, Bytes: 100000}
		if i%3 == 0 {
			r = flowfile.Record{SIP: netip.AddrFrom4([4]byte{192, 168, 1, byte(i)}), DIP: netip.AddrFrom4([4]byte{8, 8, byte(i >> 8), byte(i)}),
				SCC: flowfile.NoCountry, DCC: flowfile.MakeCountry("us"), Bytes: 1000}
		}
		if !e.hintDone {
			e.sampleHint(&r)
		}
	}
	if len(logs) != 0 || !e.hintDone {
		t.Fatalf("want no hint for a CDN and IPv4 traffic, got %q (judged: %v)", logs, e.hintDone)
	}
}

// Where the sensor learns its internal prefixes the hint is moot: the
// learned /48 (or /64) gets "--" and is no one's country.
func TestNoHintWhereTheSensorLearns(t *testing.T) {
	var logs []string
	cfg := site.Default()
	e := &Engine{Site: cfg, Learner: learn.New(cfg, nil, learn.Options{}),
		Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	us, de := flowfile.MakeCountry("us"), flowfile.MakeCountry("de")
	for i := range (hintAfter + 10) * hintSample {
		lan := netip.AddrFrom16([16]byte{0x20, 0x01, 0x04, 0x70, 0x1f, 0x0b, 0, 0x1a, 15: byte(i % 20)})
		remote := netip.AddrFrom16([16]byte{0x2a, 0x00, byte(i >> 8), byte(i), 1, 2, 15: 1})
		r := flowfile.Record{SIP: remote, DIP: lan, SCC: de, DCC: us, Bytes: 1000}
		if !e.hintDone {
			e.sampleHint(&r)
		}
	}
	if len(logs) != 0 || !e.hintDone {
		t.Fatalf("a learning sensor got the hint: %q (judged: %v)", logs, e.hintDone)
	}
}
