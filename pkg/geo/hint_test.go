package geo

import (
	"net/netip"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

func TestDominanceHint(t *testing.T) {
	us, ch := flowfile.MakeCountry("us"), flowfile.MakeCountry("ch")
	lan := netip.MustParseAddr("2001:470:1234:1::10")
	var tally Tally
	// a home network: LAN hosts in a tunnel broker /48 talk to each other
	// a lot; some real US and Swiss traffic besides
	for range 80 {
		tally.Add(us, lan, 1000)
	}
	for range 10 {
		tally.Add(us, netip.MustParseAddr("8.8.8.8"), 100)
		tally.Add(us, netip.MustParseAddr("2607:f8b0::1"), 100)
	}
	for range 40 {
		tally.Add(ch, netip.MustParseAddr("130.59.31.80"), 500)
	}
	want := "most traffic (80%) is counted as US and most of those flows stay inside 2001:470:1234::/48 — if that is your own network, list it under internal networks in gflow.toml"
	if got := tally.Hint(); got != want {
		t.Errorf("hint\n got %q\nwant %q", got, want)
	}

	// once the /48 is internal its flows are "--": no hint
	var fixed Tally
	for range 80 {
		fixed.Add(flowfile.NoCountry, lan, 1000)
	}
	for range 10 {
		fixed.Add(us, netip.MustParseAddr("2607:f8b0::1"), 100)
	}
	for range 40 {
		fixed.Add(ch, netip.MustParseAddr("130.59.31.80"), 500)
	}
	if got := fixed.Hint(); got != "" {
		t.Errorf("fixed network: hint %q", got)
	}
}

func TestDominanceHintQuiet(t *testing.T) {
	us := flowfile.MakeCountry("us")
	p := netip.MustParsePrefix("2001:470:1234::/48")
	for name, traffic := range map[string]map[flowfile.Country]CountryTraffic{
		"no traffic": nil,
		"not dominant": {
			us:                         {Bytes: 50, Flows: 100, FlowsBy48: map[netip.Prefix]uint64{p: 90}},
			flowfile.MakeCountry("de"): {Bytes: 50, Flows: 100},
		},
		"spread over many networks": {
			us: {Bytes: 900, Flows: 100, FlowsBy48: map[netip.Prefix]uint64{p: 50, netip.MustParsePrefix("2600::/48"): 50}},
		},
		"IPv4 only": {us: {Bytes: 900, Flows: 100}},
		"too few flows": {
			us: {Bytes: 900, Flows: 5, FlowsBy48: map[netip.Prefix]uint64{p: 5}},
		},
		"dominated by no country": {
			flowfile.NoCountry: {Bytes: 900, Flows: 100, FlowsBy48: map[netip.Prefix]uint64{p: 100}},
			us:                 {Bytes: 100, Flows: 100, FlowsBy48: map[netip.Prefix]uint64{p: 100}},
		},
	} {
		if got := DominanceHint(traffic); got != "" {
			t.Errorf("%s: hint %q", name, got)
		}
	}
}
