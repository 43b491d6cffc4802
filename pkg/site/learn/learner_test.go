package learn

import (
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
)

type logged struct{ lines []string }

func (l *logged) logf(format string, args ...any) {
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func newLearner(t *testing.T, cfg *site.Config, prior *State) (*Learner, *logged) {
	t.Helper()
	lg := &logged{}
	wall := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) // well after every test flow
	l := New(cfg, prior, Options{InsideView: true, Logf: lg.logf, Now: func() time.Time { return wall }})
	return l, lg
}

// feed runs recs through the learner in export-sized batches and types
// them as the collector does; it returns the types.
func feed(l *Learner, cfg *site.Config, recs []flowfile.Record) []flowfile.FlowType {
	s := cfg.Sensors[0]
	types := make([]flowfile.FlowType, len(recs))
	for i := 0; i < len(recs); i += 24 {
		b := recs[i:min(i+24, len(recs))]
		eff := s
		if sl := l.For(s); sl != nil {
			sl.Observe(b)
			eff = sl.Effective()
		}
		for j := range b {
			types[i+j] = eff.FlowType(&b[j])
		}
	}
	return types
}

func countTypes(ts []flowfile.FlowType) map[string]int {
	m := map[string]int{}
	for _, t := range ts {
		m[t.String()]++
	}
	return m
}

// onlyInOut fails unless every flow is typed in/out (or their web forms).
func onlyInOut(t *testing.T, what string, ts []flowfile.FlowType) {
	t.Helper()
	for k, n := range countTypes(ts) {
		switch k {
		case "in", "out", "inweb", "outweb":
		default:
			t.Errorf("%s: %d flows typed %s; want only in/out: %v", what, n, k, countTypes(ts))
		}
	}
}

func TestNATRouterWithInterfaces(t *testing.T) {
	cfg := site.Default()
	l, lg := newLearner(t, cfg, nil)
	h := newHome(1)
	feed(l, cfg, h.flows(300))
	st := l.State().Sensor(0)
	if got := st.CurrentOutside(); !slices.Equal(got, []netip.Addr{h.outside}) {
		t.Errorf("outside addresses %v, want %v", got, h.outside)
	}
	if st.ByInterface.IsZero() || !slices.Equal(st.InterfacesWith(Internal), []uint32{2}) || !slices.Equal(st.InterfacesWith(External), []uint32{1}) {
		t.Errorf("interfaces %+v (by interface since %v), want internal 2, external 1", st.Interfaces, st.ByInterface)
	}
	if got := st.PrefixList(); len(got) != 1 || got[0] != netip.MustParsePrefix("2001:470:7a5e:1::/64") {
		t.Errorf("prefixes %v, want 2001:470:7a5e:1::/64", got)
	}
	recs := h.flows(500)
	onlyInOut(t, "after learning", feed(l, cfg, recs))
	for _, r := range recs {
		if r.SIP.Is4() && r.DIP == h.outside {
			t.Fatalf("reply %v → %v not rewritten to its inside host", r.SIP, r.DIP)
		}
		if r.SIP.Is4() && r.In == 1 && r.NhIP != h.outside {
			t.Fatalf("rewritten reply keeps nhIP %v, want the outside address %v", r.NhIP, h.outside)
		}
	}
	if !l.NoCountry(h.outside) || !l.NoCountry(h.inside6()) || l.NoCountry(h.remote6()) {
		t.Errorf("NoCountry: outside %v, LAN %v, remote %v; want true, true, false",
			l.NoCountry(h.outside), l.NoCountry(h.inside6()), l.NoCountry(h.remote6()))
	}
	want := []string{"S0: outside address 203.0.113.5", "S0: interfaces: internal 2, external 1; typing flows by interface",
		"S0: internal IPv6 prefix 2001:470:7a5e:1::/64"}
	if !slices.Equal(lg.lines, want) {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(lg.lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestNATRouterWithoutInterfaces(t *testing.T) {
	cfg := site.Default()
	l, _ := newLearner(t, cfg, nil)
	h := newHome(2)
	h.noIfs = true
	feed(l, cfg, h.flows(400))
	st := l.State().Sensor(0)
	if !st.ByInterface.IsZero() || len(st.Interfaces) != 0 {
		t.Errorf("learned interfaces %+v from an exporter sending index 0", st.Interfaces)
	}
	if got := st.CurrentOutside(); !slices.Equal(got, []netip.Addr{h.outside}) {
		t.Errorf("outside addresses %v, want %v", got, h.outside)
	}
	if got := st.PrefixList(); len(got) != 1 || got[0] != netip.MustParsePrefix("2001:470:7a5e:1::/64") {
		t.Errorf("prefixes %v, want 2001:470:7a5e:1::/64 (rule 2)", got)
	}
	onlyInOut(t, "by address with learned facts", feed(l, cfg, h.flows(500)))
	// A scan of the outside address, no connection behind it: inbound.
	scan := flowfile.Record{SIP: h.remote4(), DIP: h.outside, SPort: 40000, DPort: 22, Proto: 6}
	if got := l.For(cfg.Sensors[0]).Effective().FlowType(&scan); got != flowfile.TypeIn {
		t.Errorf("scan of the outside address typed %v, want in", got)
	}
}

func TestPostNATFields(t *testing.T) {
	cfg := site.Default()
	l, _ := newLearner(t, cfg, nil)
	h := newHome(3)
	h.postNAT = true
	feed(l, cfg, h.flows(200))
	if got := l.State().Sensor(0).CurrentOutside(); !slices.Equal(got, []netip.Addr{h.outside}) {
		t.Errorf("outside addresses %v, want %v from nhIP in both directions", got, h.outside)
	}
}

func TestDoubleNAT(t *testing.T) {
	cfg := site.Default()
	l, _ := newLearner(t, cfg, nil)
	h := newHome(4)
	h.outside = netip.MustParseAddr("192.168.1.50") // the ISP box's LAN
	h.v6Share = 0
	recs := h.flows(2000)
	feed(l, cfg, recs)
	if got := l.State().Sensor(0).CurrentOutside(); !slices.Equal(got, []netip.Addr{h.outside}) {
		t.Errorf("outside addresses %v, want the private %v", got, h.outside)
	}
	recs = h.flows(200)
	onlyInOut(t, "double NAT", feed(l, cfg, recs))
	for _, r := range recs {
		if r.DIP == h.outside {
			t.Fatalf("reply %v → %v not rewritten once the outside address is known", r.SIP, r.DIP)
		}
	}
}

func TestOutsideAddressChanges(t *testing.T) {
	cfg := site.Default()
	l, lg := newLearner(t, cfg, nil)
	h := newHome(5)
	h.noIfs = true
	feed(l, cfg, h.flows(1200)) // 20 minutes
	changed := h.t
	old := h.outside
	h.outside = netip.MustParseAddr("198.51.100.77")
	types := feed(l, cfg, h.flows(1200))
	onlyInOut(t, "across the change", types)
	st := l.State().Sensor(0)
	if len(st.Outside) != 2 || st.Outside[0].Addr != old || st.Outside[0].Current() || !st.Outside[1].Current() {
		t.Fatalf("time line %+v, want %v ended then %v current", st.Outside, old, h.outside)
	}
	if d := st.Outside[0].Until.Sub(changed); d < 0 || d > time.Minute {
		t.Errorf("%v ends at %v, the change was at %v", old, st.Outside[0].Until, changed)
	}
	want := fmt.Sprintf("S0: outside address 198.51.100.77 (was 203.0.113.5 until %s)", st.Outside[0].Until.Format("2006-01-02T15:04Z"))
	if !slices.Contains(lg.lines, want) {
		t.Errorf("log %q lacks %q", lg.lines, want)
	}
	// Flows that started before the change keep arriving for a while: the
	// old address stays the site's for an hour after it ended.
	if !l.NoCountry(old) || !l.NoCountry(h.outside) {
		t.Errorf("20 minutes after the change NoCountry(old)=%v NoCountry(new)=%v, want both", l.NoCountry(old), l.NoCountry(h.outside))
	}
	h.t = h.t.Add(2 * time.Hour)
	feed(l, cfg, h.flows(10))
	if l.NoCountry(old) || !l.NoCountry(h.outside) {
		t.Errorf("two hours after the change NoCountry(old)=%v NoCountry(new)=%v", l.NoCountry(old), l.NoCountry(h.outside))
	}
}

// The anti-poisoning rule: facts come only from two-way conversations of
// inside hosts (or, for IPv6, traffic through an internal interface), and
// a fact changes only when its own evidence is gone. A spoofed burst of
// one-way flows, however large, changes nothing.
func TestSpoofedBurstChangesNothing(t *testing.T) {
	cfg := site.Default()
	l, _ := newLearner(t, cfg, nil)
	h := newHome(6)
	feed(l, cfg, h.flows(400))
	before := l.State()

	attacker := netip.MustParsePrefix("2a02:dead:beef::/48")
	var burst []flowfile.Record
	t0 := h.t.UnixMilli()
	for i := range 20_000 {
		ts := t0 + int64(i)
		b := attacker.Addr().As16()
		b[14], b[15] = byte(i>>8), byte(i)
		src6 := netip.AddrFrom16(b)
		// Private sources on the WAN interface, to the outside address:
		// tries to make interface 1 internal.
		burst = append(burst, flowfile.Record{SIP: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}),
			DIP: h.outside, SPort: uint16(i), DPort: 80, Proto: 6, STime: ts, ETime: ts, In: 1, Out: 2})
		// A public /48 towards the LAN and towards the world, with
		// forged input interfaces: tries to become internal.
		burst = append(burst, flowfile.Record{SIP: src6, DIP: h.inside6(), SPort: 443, DPort: uint16(i), Proto: 6, STime: ts, ETime: ts, In: 1, Out: 2})
		burst = append(burst, flowfile.Record{SIP: src6, DIP: h.remote6(), SPort: 443, DPort: uint16(i), Proto: 6, STime: ts, ETime: ts, In: 1, Out: 1})
		// Replies nobody asked for, to a would-be outside address.
		burst = append(burst, flowfile.Record{SIP: h.remote4(), DIP: netip.MustParseAddr("198.18.0.1"), SPort: 443, DPort: uint16(i), Proto: 6, STime: ts, ETime: ts, In: 1, Out: 2})
	}
	feed(l, cfg, burst)
	after := l.State()
	if a, b := after.Sensor(0), before.Sensor(0); !slices.Equal(a.Interfaces, b.Interfaces) ||
		!slices.Equal(a.PrefixList(), b.PrefixList()) || !slices.Equal(a.CurrentOutside(), b.CurrentOutside()) {
		t.Errorf("a spoofed burst changed what was learned:\nbefore %+v\nafter  %+v", b, a)
	}
	if l.NoCountry(attacker.Addr()) {
		t.Errorf("the attacker's /48 gets no country")
	}
	// The same burst on a fresh learner establishes nothing either.
	l2, lg := newLearner(t, cfg, nil)
	feed(l2, cfg, burst)
	if st := l2.State().Sensor(0); !st.Empty() {
		t.Errorf("a burst alone taught %+v (log %q)", st, lg.lines)
	}
}

// A role flips only after a whole window (24 h of flow time) with no
// conversation supporting it: the router was rewired, not attacked.
func TestInterfaceRoleFlipsOnlyWhenItsEvidenceStops(t *testing.T) {
	cfg := site.Default()
	l, _ := newLearner(t, cfg, nil)
	h := newHome(7)
	h.v6Share = 0
	feed(l, cfg, h.flows(300))
	swap := func(recs []flowfile.Record) []flowfile.Record {
		for i := range recs {
			recs[i].In, recs[i].Out = 3-recs[i].In, 3-recs[i].Out
		}
		return recs
	}
	// Rewired: interfaces 1 and 2 swap for three days (one conversation
	// every 10 minutes).
	for range 3 * 24 * 6 {
		h.t = h.t.Add(10 * time.Minute)
		feed(l, cfg, swap(h.flows(1)))
	}
	st := l.State().Sensor(0)
	if !slices.Equal(st.InterfacesWith(Internal), []uint32{1}) || !slices.Equal(st.InterfacesWith(External), []uint32{2}) {
		t.Errorf("after three days rewired: interfaces %+v, want internal 1, external 2", st.Interfaces)
	}
	// Now both kinds of conversation on the same day: real traffic keeps
	// the roles, however much forged traffic says otherwise.
	for range 24 * 6 {
		h.t = h.t.Add(10 * time.Minute)
		feed(l, cfg, swap(h.flows(1)))
		feed(l, cfg, h.flows(20))
	}
	if st := l.State().Sensor(0); !slices.Equal(st.InterfacesWith(Internal), []uint32{1}) {
		t.Errorf("mixed evidence flipped the roles: %+v", st.Interfaces)
	}
}

func TestMemoryBounded(t *testing.T) {
	cfg := site.Default()
	l, _ := newLearner(t, cfg, nil)
	h := newHome(8)
	feed(l, cfg, h.flows(400)) // typing by interface: rule 1 counts /64s
	sl := l.For(cfg.Sensors[0])
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	batch := make([]flowfile.Record, 0, 4096)
	for i := range 100_000 {
		o, in := h.conversation()
		o.SIP = h.remote6() // a distinct source on the LAN interface each time
		in.DIP = h.remote4()
		batch = append(batch, o, in)
		if len(batch) == cap(batch) || i == 99_999 {
			sl.Observe(batch)
			batch = batch[:0]
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	if len(sl.ev) > maxEvidence || len(sl.st.Subnets) > maxSubnets || len(sl.ifs) > maxInterfaces {
		t.Errorf("tables grew past their bounds: %d /64s counted, %d inside, %d interfaces", len(sl.ev), len(sl.st.Subnets), len(sl.ifs))
	}
	if grew := int64(m1.HeapAlloc) - int64(m0.HeapAlloc); grew > 1<<20 {
		t.Errorf("heap grew by %d bytes over 200,000 flows of distinct addresses", grew)
	}
}

func TestExplicitConfigurationWins(t *testing.T) {
	cfg, err := site.Parse("gflow.toml", []byte(`
internal = ["192.168.0.0/16"]
[[sensors]]
name = "edge"
id = 0
external-interfaces = [7]
`))
	if err != nil {
		t.Fatal(err)
	}
	l, _ := newLearner(t, cfg, nil)
	h := newHome(9)
	feed(l, cfg, h.flows(400))
	st := l.State().Sensor(0)
	if len(st.Interfaces) != 0 || !st.ByInterface.IsZero() {
		t.Errorf("learned interfaces %+v on a sensor whose interfaces are configured", st.Interfaces)
	}
	if got := l.For(cfg.Sensors[0]).Effective().ExternalInterfaces; !slices.Equal(got, []uint32{7}) {
		t.Errorf("effective external interfaces %v, want the configured [7]", got)
	}
	if l.NoCountry(h.inside6()) {
		t.Errorf("a learned prefix was applied although the internal networks are configured")
	}
	if !l.NoCountry(h.outside) {
		t.Errorf("the outside address, which no key configures, is still learned")
	}

	off, err := site.Parse("gflow.toml", []byte("learn = false\n"))
	if err != nil {
		t.Fatal(err)
	}
	l, lg := newLearner(t, off, nil)
	if l.For(off.Sensors[0]) != nil {
		t.Fatal("learn = false: the sensor still learns")
	}
	feed(l, off, h.flows(100))
	if len(lg.lines) != 0 {
		t.Errorf("learn = false logged %q", lg.lines)
	}
}

func TestCover(t *testing.T) {
	seen := func(ps ...string) []Seen {
		var out []Seen
		for _, p := range ps {
			out = append(out, Seen{Prefix: netip.MustParsePrefix(p)})
		}
		return out
	}
	for _, c := range []struct {
		in   []Seen
		want []string
	}{
		{seen("2001:470:7a5e:1::/64"), []string{"2001:470:7a5e:1::/64"}},
		{seen("2001:470:7a5e:1::/64", "2001:470:7a5e:20::/64"), []string{"2001:470:7a5e::/56"}},
		{seen("2001:470:7a5e:1::/64", "2001:470:7a5e:100::/64"), []string{"2001:470:7a5e::/48"}},
		{seen("2001:470:7a5e:1::/64", "2001:470:7a5f:1::/64"), []string{"2001:470:7a5e:1::/64", "2001:470:7a5f:1::/64"}},
	} {
		var got []string
		for _, s := range Cover(c.in) {
			got = append(got, s.Prefix.String())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Cover(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// BenchmarkObserve is the learner's cost per flow on a NATed home's
// traffic once everything is learned: a connection stored for every
// outbound flow, a lookup and a rewrite for every reply.
func BenchmarkObserve(b *testing.B) {
	cfg := site.Default()
	l := New(cfg, nil, Options{InsideView: true})
	h := newHome(20)
	recs := h.flows(50_000)
	sl := l.For(cfg.Sensors[0])
	sl.Observe(slices.Clone(recs))
	work := make([]flowfile.Record, len(recs))
	b.ResetTimer()
	n := 0
	for b.Loop() {
		copy(work, recs)
		for i := 0; i < len(work); i += 1024 {
			sl.Observe(work[i:min(i+1024, len(work))])
		}
		n += len(work)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/flow")
}

// A flow from a wrong clock (or a hostile exporter) far in the future must
// not move the learner's clock, which would end every outside address.
func TestFutureFlowsDoNotMoveTheClock(t *testing.T) {
	cfg := site.Default()
	l, _ := newLearner(t, cfg, nil)
	h := newHome(13)
	feed(l, cfg, h.flows(100))
	sl := l.For(cfg.Sensors[0])
	before := sl.clock
	future := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	feed(l, cfg, []flowfile.Record{{SIP: h.remote4(), DIP: h.outside, STime: future, ETime: future, Proto: 6}})
	if sl.clock != before {
		t.Errorf("a flow ending in 2100 moved the clock from %v to %v", msTime(before), msTime(sl.clock))
	}
	if got := l.State().Sensor(0).CurrentOutside(); len(got) != 1 {
		t.Errorf("outside addresses after a future flow: %v", got)
	}
}
