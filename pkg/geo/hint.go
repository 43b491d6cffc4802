package geo

import (
	"fmt"
	"net/netip"

	"github.com/gflow/gflow/pkg/flowfile"
)

// A home network whose IPv6 /48 comes from a tunnel broker (Hurricane
// Electric's 2001:470::/32, say) is in the broker's country in every
// public database, so its LAN traffic counts as that country until the
// /48 is listed as internal. The sign: one country holds most traffic and
// most of that country's flows stay inside a single IPv6 /48. These
// thresholds decide "most".
const (
	hintMinShare   = 0.5 // the country's share of all bytes, exclusive
	hintMin48Share = 0.5 // the /48's share of that country's flows, exclusive
	hintMinFlows   = 20  // below this the evidence is too thin to say anything
)

// CountryTraffic is what DominanceHint needs about one country code.
type CountryTraffic struct {
	Bytes uint64 // bytes counted as this country
	Flows uint64 // flows counted as this country, IPv4 and IPv6
	// FlowsBy48 counts, of those flows, the IPv6 ones by the /48 of the
	// address that carried the code.
	FlowsBy48 map[netip.Prefix]uint64
}

// DominanceHint returns advice for the tunnel-broker case, or "" when the
// traffic does not look like it:
//
//	most traffic (82%) is counted as US and most of those flows stay inside
//	2001:470:1234::/48 — if that is your own network, list it under
//	internal networks in gflow.toml
func DominanceHint(traffic map[flowfile.Country]CountryTraffic) string {
	var total uint64
	var top flowfile.Country
	for c, t := range traffic {
		total += t.Bytes
		if !c.Known() {
			continue
		}
		if top == 0 || t.Bytes > traffic[top].Bytes || t.Bytes == traffic[top].Bytes && c < top {
			top = c
		}
	}
	if top == 0 || total == 0 {
		return ""
	}
	t := traffic[top]
	share := float64(t.Bytes) / float64(total)
	if share <= hintMinShare || t.Flows < hintMinFlows {
		return ""
	}
	var best netip.Prefix
	var bestFlows uint64
	for p, n := range t.FlowsBy48 {
		if n > bestFlows || n == bestFlows && p.Addr().Less(best.Addr()) {
			best, bestFlows = p, n
		}
	}
	if bestFlows == 0 || float64(bestFlows)/float64(t.Flows) <= hintMin48Share {
		return ""
	}
	return fmt.Sprintf("most traffic (%d%%) is counted as %s and most of those flows stay inside %s — if that is your own network, list it under internal networks in gflow.toml",
		int(share*100), top.Upper(), best)
}

// Tally gathers CountryTraffic from flows for DominanceHint. Call Add for
// each end of each flow with the code it was given; the zero Tally is
// ready to use. It is not safe for concurrent use.
type Tally struct {
	m map[flowfile.Country]CountryTraffic
}

// Add counts one end of a flow: the address, the code it was given and the
// flow's bytes.
func (t *Tally) Add(code flowfile.Country, addr netip.Addr, bytes uint64) {
	if t.m == nil {
		t.m = make(map[flowfile.Country]CountryTraffic)
	}
	ct := t.m[code]
	ct.Bytes += bytes
	ct.Flows++
	if addr.Is6() && !addr.Is4In6() {
		if ct.FlowsBy48 == nil {
			ct.FlowsBy48 = make(map[netip.Prefix]uint64)
		}
		p, _ := addr.WithZone("").Prefix(48)
		ct.FlowsBy48[p]++
	}
	t.m[code] = ct
}

// Traffic returns what was counted, by country.
func (t *Tally) Traffic() map[flowfile.Country]CountryTraffic { return t.m }

// Hint is DominanceHint of what was counted.
func (t *Tally) Hint() string { return DominanceHint(t.m) }
