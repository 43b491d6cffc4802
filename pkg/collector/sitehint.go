package collector

import (
	"fmt"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/gflow/gflow/pkg/flowfile"
)

// The tunnel-broker hint. A home whose IPv6 /48 comes from a tunnel
// broker (Hurricane Electric's 2001:470::/32, say) is in the broker's
// country in every public database, so unless the /48 is internal its LAN
// traffic counts as that country and its flows as ext2ext. The sign, per
// sensor: one /48 that got a country is an end of a large share of the
// sensor's bytes, and it talks with many networks or mostly with itself —
// a remote server's /48 talks only with this site. Where the sensor learns
// its internal prefixes the hint is moot: learning fixes it.
const (
	hintSample   = 16   // one flow in hintSample is tallied
	hintAfter    = 5000 // judged once after this many sampled flows
	hintShare    = 0.3  // the /48's share of the sensor's bytes, exclusive
	hintPartners = 8    // distinct other /48s (sketch) that make it a site
	hintMinFlows = 20
	hintMax48    = 4096 // /48s tallied per sensor; more are not counted
)

type siteHint struct {
	seen    int
	sensors map[uint16]*sensorTally
}

type sensorTally struct {
	bytes uint64
	by48  map[netip.Prefix]*tally48
}

type tally48 struct {
	bytes, flows, self uint64
	partners           uint64 // sketch of the other ends' /48s
	cc                 flowfile.Country
}

// sampleHint tallies one flow in hintSample and judges once enough were.
func (e *Engine) sampleHint(r *flowfile.Record) {
	h := &e.hint
	h.seen++
	if h.seen%hintSample != 0 {
		return
	}
	if h.sensors == nil {
		h.sensors = map[uint16]*sensorTally{}
	}
	st := h.sensors[r.Sensor]
	if st == nil {
		st = &sensorTally{by48: map[netip.Prefix]*tally48{}}
		h.sensors[r.Sensor] = st
	}
	st.bytes += r.Bytes
	if r.IsIPv6() {
		st.add(r.SIP, r.SCC, r.DIP, r.Bytes)
		if !same48(r.SIP, r.DIP) {
			st.add(r.DIP, r.DCC, r.SIP, r.Bytes)
		}
	}
	if h.seen/hintSample < hintAfter {
		return
	}
	ids := make([]uint16, 0, len(h.sensors))
	for id := range h.sensors {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if msg := h.sensors[id].judge(); msg != "" && !e.learnsPrefixes(id) {
			e.logf("%s: hint: %s", e.sensorName(id), msg)
		}
	}
	e.hintDone, e.hint = true, siteHint{}
}

func same48(a, b netip.Addr) bool {
	x, y := a.As16(), b.As16()
	return [6]byte(x[:6]) == [6]byte(y[:6])
}

func (st *sensorTally) add(a netip.Addr, cc flowfile.Country, other netip.Addr, n uint64) {
	if !cc.Known() {
		return
	}
	p, _ := a.Prefix(48)
	t := st.by48[p]
	if t == nil {
		if len(st.by48) >= hintMax48 {
			return
		}
		t = &tally48{cc: cc}
		st.by48[p] = t
	}
	t.bytes += n
	t.flows++
	if same48(a, other) {
		t.self++
	} else {
		q, _ := other.Prefix(48)
		b := q.Addr().As16()
		h := (uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 | uint64(b[3])<<16 | uint64(b[4])<<8 | uint64(b[5])) * 0x9E3779B97F4A7C15
		t.partners |= 1 << (h >> 58)
	}
}

// judge returns the hint for this sensor's tally, or "".
func (st *sensorTally) judge() string {
	var best netip.Prefix
	var bt *tally48
	for p, t := range st.by48 {
		if bt == nil || t.bytes > bt.bytes || t.bytes == bt.bytes && p.Addr().Less(best.Addr()) {
			best, bt = p, t
		}
	}
	if bt == nil || st.bytes == 0 || bt.flows < hintMinFlows {
		return ""
	}
	share := float64(bt.bytes) / float64(st.bytes)
	if share <= hintShare {
		return ""
	}
	if bits.OnesCount64(bt.partners) < hintPartners && 2*bt.self <= bt.flows {
		return ""
	}
	return fmt.Sprintf("%d%% of this sensor's bytes have an end in %s, counted as %s, which talks with many networks or with itself — "+
		"if that is your own network, list it under internal networks in gflow.toml, or let gflowcap learn it (no \"internal\" key, learning on)",
		int(share*100), best, bt.cc.Upper())
}

// learnsPrefixes reports whether sensor id learns its internal prefixes.
func (e *Engine) learnsPrefixes(id uint16) bool {
	if e.Learner == nil || e.Site == nil {
		return false
	}
	s, ok := e.Site.SensorByID(id)
	return ok && e.Learner.For(s) != nil && !s.InternalConfigured
}

func (e *Engine) sensorName(id uint16) string {
	if e.Site == nil {
		return fmt.Sprintf("S%d", id)
	}
	return e.Site.SensorName(id)
}

// learnedCountries gives "--" to the site's learned addresses, and takes
// back the AS numbers the database gave them (sas, das): they are the
// site's, like its configured internal networks.
func (e *Engine) learnedCountries(r *flowfile.Record, sas, das uint32) (uint32, uint32) {
	if e.Learner.NoCountry(r.SIP) {
		r.SCC, sas = flowfile.NoCountry, 0
	}
	if e.Learner.NoCountry(r.DIP) {
		r.DCC, das = flowfile.NoCountry, 0
	}
	return sas, das
}
