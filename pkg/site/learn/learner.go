package learn

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
)

// The thresholds of the rules in the package documentation.
const (
	// An outside address needs this many replies matched to connections
	// of inside hosts, from at least outsideRemotes remote addresses.
	outsideMatches = 3
	outsideRemotes = 2
	// An outside address that another one has replaced ends once it has
	// not been seen for outsideStale; a lone one after outsideGone.
	outsideStale = 10 * 60_000
	outsideGone  = 24 * 3600_000
	// An ended outside address still counts as the site's for this long:
	// flows that started before a change keep arriving until the
	// exporter's active timeout, and a run of records is typed after the
	// whole run was seen.
	outsideGrace = 3600_000
	maxTimeline  = 32 // outside periods kept per sensor
	maxCands     = 8  // candidate outside addresses per sensor

	// An interface role needs ifVotes matched conversations naming it in
	// that role, and at most one in ifMaxAgainst naming it otherwise.
	ifVotes      = 8
	ifMaxAgainst = 20
	// Typing by interface also needs this many matched conversations
	// whose two directions both carried an output interface.
	outVotes = 8
	// Established roles are judged again over windows of this length: a
	// role flips only after a whole window without a single conversation
	// supporting it and at least ifVotes against it.
	ifWindow      = 24 * 3600_000
	maxInterfaces = 64

	// An IPv6 /64 is inside after subnetFlows flows from or to it through
	// an internal interface (rule 1), or after two-way conversations with
	// subnetPartners distinct /48s (rule 2, counted in a 64-bit sketch).
	subnetFlows    = 4
	subnetPartners = 12
	maxEvidence    = 1024 // /64s being counted per sensor
	maxSubnets     = 64   // inside /64s kept per sensor
	subnetGone     = 30 * 24 * 3600_000

	// MinPrefixBits is the shortest prefix learning ever produces.
	MinPrefixBits = 48

	// futureSlack: flows ending further than this after the wall clock
	// do not move the learner's clock.
	futureSlack = time.Hour
	// sampleReplies: replies to private addresses (not the rewrite's
	// business) are looked up one in this many, for double NAT.
	sampleReplies = 16
	// sampleConns: once fullConns connections have shown no outside
	// address, one in this many is remembered until one appears. A NAT
	// router shows its outside address in its first conversations, and
	// until then every reply must be recognised; a site without NAT (or a
	// load generator) then pays for the table an eighth of the time.
	sampleConns = 8
	fullConns   = 10_000
)

// Options set up a Learner.
type Options struct {
	// InsideView rewrites the destination of a reply to a NATed
	// connection to the inside host that opened it, keeping the outside
	// address in nhIP (gflowcap's default --nat-view=inside).
	InsideView bool
	// Logf gets one line per learned or changed fact; nil discards them.
	Logf func(format string, args ...any)
	// Now is the wall clock (default time.Now).
	Now func() time.Time
}

// Learner learns each sensor's site from its flows. It is used by one
// goroutine (the collector's writer); State and Snapshot may be called
// from others.
type Learner struct {
	cfg     *site.Config
	opts    Options
	sensors map[uint16]*Sensor
	conns   *connTable

	nc4 []uint32       // learned addresses that get "--": outside addresses
	nc6 []netip.Prefix // and internal IPv6 prefixes

	dirty    bool
	snapshot atomic.Pointer[State]

	// Rewritten counts replies whose destination was set to the inside
	// host; Changes counts learned or changed facts.
	Rewritten atomic.Uint64
	Changes   atomic.Uint64
}

// New returns a learner for the sensors of cfg that learn (see
// site.Sensor.NoLearn), starting from prior (a saved State, or nil).
// Facts about sensors that no longer learn are kept in the state but not
// used.
func New(cfg *site.Config, prior *State, o Options) *Learner {
	if o.Now == nil {
		o.Now = time.Now
	}
	l := &Learner{cfg: cfg, opts: o, sensors: map[uint16]*Sensor{}}
	prior = prior.Clone()
	for _, s := range cfg.Sensors {
		if s.NoLearn {
			continue
		}
		st := prior.Sensor(s.ID)
		if st == nil || st.Name != s.Name {
			st = &SensorState{ID: s.ID, Name: s.Name}
		}
		sl := &Sensor{l: l, cfg: s, st: st, ifs: map[uint32]*votes{}, ev: map[uint64]*subnetEv{},
			applyPrefixes: !s.InternalConfigured, learnIfs: s.AppliesInterfaces()}
		if !sl.learnIfs {
			st.Interfaces, st.ByInterface = nil, time.Time{}
		}
		for _, o := range st.Outside {
			sl.clock = max(sl.clock, o.LastSeen.UnixMilli())
			if o.Current() {
				sl.current = append(sl.current, current{addr: o.Addr, last: o.LastSeen.UnixMilli()})
			}
		}
		for _, o := range st.Outside {
			if !o.Current() && sl.clock-o.Until.UnixMilli() <= outsideGrace {
				sl.ended = append(sl.ended, current{addr: o.Addr, last: o.Until.UnixMilli()})
			}
		}
		sl.rebuild()
		l.sensors[s.ID] = sl
	}
	if prior != nil { // keep what sensors that no longer learn had learned
		for _, st := range prior.Sensors {
			if _, ok := l.sensors[st.ID]; !ok {
				l.sensors[st.ID] = &Sensor{l: l, st: st, off: true}
			}
		}
	}
	if len(l.sensors) > 0 {
		l.conns = newConnTable(connBits)
	}
	l.refresh()
	l.dirty = false
	l.snapshot.Store(l.build())
	return l
}

func (l *Learner) logf(format string, args ...any) {
	if l.opts.Logf != nil {
		l.opts.Logf(format, args...)
	}
}

// For returns the learner of sensor s, or nil when s does not learn.
func (l *Learner) For(s *site.Sensor) *Sensor {
	if l == nil || s == nil {
		return nil
	}
	sl := l.sensors[s.ID]
	if sl == nil || sl.off {
		return nil
	}
	return sl
}

// NoCountry reports whether a is a learned address of the site (an
// outside address, or in a learned internal prefix), which gets "--". It
// does not allocate.
func (l *Learner) NoCountry(a netip.Addr) bool {
	if a.Is4() {
		if len(l.nc4) == 0 {
			return false
		}
		b := a.As4()
		u := binary.BigEndian.Uint32(b[:])
		for _, x := range l.nc4 {
			if x == u {
				return true
			}
		}
		return false
	}
	for _, p := range l.nc6 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// HasAddresses reports whether NoCountry can say yes for any address, so
// that callers skip it for sites with nothing learned.
func (l *Learner) HasAddresses() bool { return len(l.nc4) > 0 || len(l.nc6) > 0 }

// Dirty reports whether facts changed since the last call of State.
func (l *Learner) Dirty() bool { return l.dirty }

// State returns a copy of what was learned, with the latest last-seen
// times, and publishes it for Snapshot. Call it from the goroutine that
// observes.
func (l *Learner) State() *State {
	st := l.build()
	l.snapshot.Store(st)
	l.dirty = false
	return st.Clone()
}

// Snapshot returns the state as last published (by New or State); safe
// from any goroutine. Do not modify it.
func (l *Learner) Snapshot() *State { return l.snapshot.Load() }

func (l *Learner) build() *State {
	st := &State{Version: stateVersion}
	ids := make([]uint16, 0, len(l.sensors))
	for id := range l.sensors {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		sl := l.sensors[id]
		c := sl.st.clone()
		for _, cur := range sl.current {
			for i := range c.Outside {
				if c.Outside[i].Addr == cur.addr && c.Outside[i].Current() {
					c.Outside[i].LastSeen = msTime(cur.last)
				}
			}
		}
		st.Sensors = append(st.Sensors, c)
	}
	return st
}

// refresh rebuilds the "--" sets from every learning sensor.
func (l *Learner) refresh() {
	l.nc4, l.nc6 = l.nc4[:0], l.nc6[:0]
	for _, sl := range l.sensors {
		if sl.off {
			continue
		}
		for _, a := range sl.outsideAddrs() {
			if a.Is4() {
				b := a.As4()
				l.nc4 = append(l.nc4, binary.BigEndian.Uint32(b[:]))
			} else {
				l.nc6 = append(l.nc6, netip.PrefixFrom(a, 128))
			}
		}
		if sl.applyPrefixes {
			l.nc6 = append(l.nc6, sl.st.PrefixList()...)
		}
	}
	l.dirty = true
}

// Sensor learns one sensor's site.
type Sensor struct {
	l     *Learner
	cfg   *site.Sensor
	eff   *site.Sensor // cfg with what was learned
	st    *SensorState
	off   bool  // kept from a saved state, not learning
	clock int64 // ms: the newest flow end seen

	applyPrefixes bool // its internal networks are not configured
	learnIfs      bool // its interfaces are not configured

	current []current // current outside addresses
	ended   []current // ended less than outsideGrace ago (last: the end)
	cands   [maxCands]cand

	ifs         map[uint32]*votes
	outReported int
	window      int64 // start of the current interface window

	ev      map[uint64]*subnetEv // /64s being counted, by their top 64 bits
	sampled uint32               // replies to private addresses seen
	skipped int                  // connections seen without an outside address
	seen    uint32               // IPv4 flows of a sensor without NAT
}

type current struct {
	addr netip.Addr
	last int64
}

type cand struct {
	addr    netip.Addr
	matches int
	remotes uint64 // sketch of the remote addresses
	first   int64
	last    int64
}

type votes struct{ internal, external int }

type subnetEv struct {
	flows    int
	partners uint64
	last     int64
}

// Effective returns the sensor as it types flows now: its configuration
// with what was learned.
func (sl *Sensor) Effective() *site.Sensor { return sl.eff }

// Observe takes the evidence of a run of the sensor's records, in
// arrival order, and — in the inside view — rewrites replies to NATed
// connections to their inside host. Call it before classifying them with
// Effective.
func (sl *Sensor) Observe(recs []flowfile.Record) {
	limit := sl.l.opts.Now().Add(futureSlack).UnixMilli()
	for i := range recs {
		r := &recs[i]
		if r.ETime > sl.clock && r.ETime <= limit {
			sl.clock = r.ETime
		}
		switch {
		case r.SIP.Is4():
			sl.observe4(r)
		case r.SIP.Is6():
			sl.observe6(r)
		}
	}
	sl.tick()
}

func (sl *Sensor) observe4(r *flowfile.Record) {
	if len(sl.current) == 0 && len(sl.ended) == 0 && sl.skipped > fullConns {
		// No NAT here: a sample of the flows is enough to learn from.
		if sl.seen++; sl.seen%sampleConns != 0 {
			return
		}
	}
	cfg := sl.l.cfg
	if cfg.IsInternal(r.SIP) {
		if cfg.IsInternal(r.DIP) {
			return // inside the site
		}
		if len(sl.current) == 0 && len(sl.ended) == 0 {
			sl.skipped++
		}
		if k, ok := outKey(r, sl.cfg.ID); ok {
			sl.l.conns.put(k, r)
		}
		return
	}
	// From outside: a reply to a connection an inside host opened? Replies
	// to private addresses (routed, or double NAT) are only sampled.
	if cfg.IsInternal(r.DIP) && !sl.isOutside(r.DIP) {
		sl.sampled++
		if sl.sampled%sampleReplies != 0 {
			return
		}
	}
	k, ok := replyKey(r, sl.cfg.ID)
	if !ok {
		return
	}
	e := sl.l.conns.get(k, r)
	if e == nil {
		return
	}
	sl.matched(r, e)
}

// matched takes the evidence of a two-way conversation: e, opened by an
// inside host, and r, its reply.
func (sl *Sensor) matched(r *flowfile.Record, e *connEntry) {
	local := localAddr(e.local, true)
	var outside netip.Addr
	switch {
	case r.DIP != local:
		outside = r.DIP
		if sl.l.opts.InsideView && (!sl.l.cfg.IsInternal(r.DIP) || sl.isOutside(r.DIP)) {
			r.NhIP, r.DIP = r.DIP, local
			sl.l.Rewritten.Add(1)
		}
	case e.nh != 0 && e.nh == addrHash(r.NhIP) && r.NhIP != r.SIP:
		// Post-NAT fields: both directions carry the outside address in
		// nhIP (see package netflow).
		outside = r.NhIP
	}
	if outside.IsValid() {
		sl.outsideSeen(outside, r.SIP)
	}
	if sl.learnIfs {
		if e.in != 0 {
			sl.vote(e.in, Internal)
		}
		if r.In != 0 {
			sl.vote(r.In, External)
		}
		if e.out != 0 && r.Out != 0 {
			sl.outReported++
		}
		sl.maybeByInterface()
	}
}

// outsideAddrs are the addresses that count as outside addresses now: the
// current ones and those ended less than outsideGrace ago.
func (sl *Sensor) outsideAddrs() []netip.Addr {
	var out []netip.Addr
	for _, c := range sl.current {
		out = append(out, c.addr)
	}
	for _, c := range sl.ended {
		if !slices.Contains(out, c.addr) {
			out = append(out, c.addr)
		}
	}
	return out
}

func (sl *Sensor) isOutside(a netip.Addr) bool {
	for i := range sl.current {
		if sl.current[i].addr == a {
			return true
		}
	}
	return false
}

func (sl *Sensor) outsideSeen(a, remote netip.Addr) {
	for i := range sl.current {
		if sl.current[i].addr == a {
			sl.current[i].last = sl.clock
			return
		}
	}
	var c *cand
	for i := range sl.cands {
		if sl.cands[i].addr == a {
			c = &sl.cands[i]
			break
		}
	}
	if c == nil { // take a free slot, or the one seen longest ago
		c = &sl.cands[0]
		for i := range sl.cands {
			if !sl.cands[i].addr.IsValid() {
				c = &sl.cands[i]
				break
			}
			if sl.cands[i].last < c.last {
				c = &sl.cands[i]
			}
		}
		*c = cand{addr: a, first: sl.clock}
	}
	c.matches++
	c.remotes |= 1 << (addrHash(remote) >> 58)
	c.last = sl.clock
	if c.matches >= outsideMatches && bits.OnesCount64(c.remotes) >= outsideRemotes {
		first := c.first
		*c = cand{}
		sl.newOutside(a, first)
	}
}

func (sl *Sensor) newOutside(a netip.Addr, first int64) {
	var ended []string
	var until int64
	for i := 0; i < len(sl.current); i++ {
		// Replaced: not seen since the new one first was, or stale.
		if c := sl.current[i]; c.last <= first || sl.clock-c.last > outsideStale {
			sl.endOutside(c)
			ended = append(ended, c.addr.String())
			until = max(until, c.last)
			sl.current = slices.Delete(sl.current, i, i+1)
			i--
		}
	}
	sl.st.Outside = append(sl.st.Outside, Outside{Addr: a, From: msTime(first), LastSeen: msTime(sl.clock)})
	if n := len(sl.st.Outside); n > maxTimeline {
		sl.st.Outside = slices.Delete(sl.st.Outside, 0, n-maxTimeline)
	}
	sl.current = append(sl.current, current{addr: a, last: sl.clock})
	if len(ended) > 0 {
		sl.change("outside address %s (was %s until %s)", a, strings.Join(ended, ", "), stamp(until))
	} else {
		sl.change("outside address %s", a)
	}
	sl.rebuild()
}

// endOutside closes the current period of c in the time line.
func (sl *Sensor) endOutside(c current) {
	sl.ended = append(sl.ended, c)
	for i := range sl.st.Outside {
		if o := &sl.st.Outside[i]; o.Addr == c.addr && o.Current() {
			o.Until, o.LastSeen = msTime(c.last), msTime(c.last)
		}
	}
}

func (sl *Sensor) vote(x uint32, r Role) {
	v := sl.ifs[x]
	if v == nil {
		if len(sl.ifs) >= maxInterfaces {
			return
		}
		v = &votes{}
		sl.ifs[x] = v
	}
	if r == Internal {
		v.internal++
	} else {
		v.external++
	}
	if sl.role(x) != "" {
		return
	}
	pro, against := v.internal, v.external
	if r == External {
		pro, against = against, pro
	}
	if pro >= ifVotes && against*ifMaxAgainst <= pro {
		sl.st.Interfaces = append(sl.st.Interfaces, Interface{Index: x, Role: r, Since: msTime(sl.clock)})
		slices.SortFunc(sl.st.Interfaces, func(a, b Interface) int { return int(a.Index) - int(b.Index) })
		if !sl.st.ByInterface.IsZero() {
			sl.change("interface %d is %s", x, r)
			sl.rebuild()
		}
	}
}

func (sl *Sensor) role(x uint32) Role {
	for _, i := range sl.st.Interfaces {
		if i.Index == x {
			return i.Role
		}
	}
	return ""
}

// maybeByInterface switches the sensor to typing by interface once an
// internal and an external role are established and the exporter is seen
// to report output interfaces.
func (sl *Sensor) maybeByInterface() {
	if !sl.st.ByInterface.IsZero() || sl.outReported < outVotes {
		return
	}
	in, ext := sl.st.InterfacesWith(Internal), sl.st.InterfacesWith(External)
	if len(in) == 0 || len(ext) == 0 {
		return
	}
	sl.st.ByInterface = msTime(sl.clock)
	sl.change("interfaces: internal %s, external %s; typing flows by interface", joinUints(in), joinUints(ext))
	sl.rebuild()
}

func (sl *Sensor) observe6(r *flowfile.Record) {
	cfg := sl.l.cfg
	eff := sl.eff
	if eff.ByInterface() {
		// Rule 1: what an internal interface sends out, and what the
		// router delivers to one, is inside.
		switch {
		case eff.InterfaceIsInternal(r.In) && eff.InterfaceIsExternal(r.Out):
			sl.insideFlow(r.SIP)
		case eff.InterfaceIsExternal(r.In) && eff.InterfaceIsInternal(r.Out):
			sl.insideFlow(r.DIP)
		}
		return
	}
	if len(sl.current) == 0 || cfg.IsInternal(r.SIP) || cfg.IsInternal(r.DIP) {
		return
	}
	// Rule 2, on a NAT router without interfaces: two-way conversations.
	if k, ok := outKey(r, sl.cfg.ID); ok {
		sl.l.conns.put(k, r)
	}
	if k, ok := replyKey(r, sl.cfg.ID); ok {
		if e := sl.l.conns.get(k, r); e != nil && localAddr(e.local, false) == r.DIP {
			sl.partners(r.DIP, r.SIP)
			sl.partners(r.SIP, r.DIP)
		}
	}
}

// top64 is the /64 of a (its top 64 bits).
func top64(a netip.Addr) uint64 {
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8])
}

func (sl *Sensor) evidence(a netip.Addr) *subnetEv {
	if !a.Is6() || a.Is4In6() || !a.IsGlobalUnicast() || sl.l.cfg.IsInternal(a) {
		return nil
	}
	k := top64(a)
	if sl.known(k) {
		return nil
	}
	e := sl.ev[k]
	if e == nil {
		if len(sl.ev) >= maxEvidence {
			// Forget the weakest evidence: a flood of distinct
			// addresses costs the flood's own entries, not memory.
			for k, x := range sl.ev {
				if x.flows < 2 && bits.OnesCount64(x.partners) < 2 {
					delete(sl.ev, k)
				}
			}
			if len(sl.ev) >= maxEvidence {
				clear(sl.ev)
			}
		}
		e = &subnetEv{}
		sl.ev[k] = e
	}
	e.last = sl.clock
	return e
}

func (sl *Sensor) known(top uint64) bool {
	for _, s := range sl.st.Subnets {
		if top64(s.Prefix.Addr()) == top {
			return true
		}
	}
	return false
}

func (sl *Sensor) insideFlow(a netip.Addr) {
	if e := sl.evidence(a); e != nil {
		if e.flows++; e.flows >= subnetFlows {
			sl.newSubnet(a)
		}
	}
}

func (sl *Sensor) partners(a, partner netip.Addr) {
	if e := sl.evidence(a); e != nil {
		p, _ := partner.Prefix(48)
		e.partners |= 1 << (addrHash(p.Addr()) >> 58)
		if bits.OnesCount64(e.partners) >= subnetPartners {
			sl.newSubnet(a)
		}
	}
}

func (sl *Sensor) newSubnet(a netip.Addr) {
	delete(sl.ev, top64(a))
	if len(sl.st.Subnets) >= maxSubnets {
		return
	}
	p, _ := a.Prefix(64)
	sl.st.Subnets = append(sl.st.Subnets, Seen{Prefix: p, Since: msTime(sl.clock), LastSeen: msTime(sl.clock)})
	sl.regroup()
}

// regroup derives the internal prefixes from the inside /64s (see Prefix
// choice in the package documentation) and says what changed.
func (sl *Sensor) regroup() {
	old := sl.st.Prefixes
	next := Cover(sl.st.Subnets)
	for _, p := range next {
		if slices.ContainsFunc(old, func(o Seen) bool { return o.Prefix == p.Prefix }) {
			continue
		}
		var was []string
		for _, o := range old {
			if o.Prefix.Overlaps(p.Prefix) {
				was = append(was, o.Prefix.String())
			}
		}
		if len(was) > 0 {
			sl.change("internal IPv6 prefix %s (was %s)", p.Prefix, strings.Join(was, ", "))
		} else {
			sl.change("internal IPv6 prefix %s", p.Prefix)
		}
	}
	sl.st.Prefixes = next
	sl.rebuild()
}

// Cover groups inside /64s by /48 and gives each group's prefix: the /64
// itself when it is alone, else the /56 that holds them all, else their /48.
func Cover(subnets []Seen) []Seen {
	groups := map[netip.Prefix][]Seen{}
	var order []netip.Prefix
	for _, s := range subnets {
		g, _ := s.Prefix.Addr().Prefix(MinPrefixBits)
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], s)
	}
	var out []Seen
	for _, g := range order {
		list := groups[g]
		p := list[0].Prefix
		if len(list) > 1 {
			p = g
			if c, _ := list[0].Prefix.Addr().Prefix(56); !slices.ContainsFunc(list, func(s Seen) bool { return !c.Contains(s.Prefix.Addr()) }) {
				p = c
			}
		}
		seen := Seen{Prefix: p, Since: list[0].Since, LastSeen: list[0].LastSeen}
		for _, s := range list[1:] {
			if s.Since.Before(seen.Since) {
				seen.Since = s.Since
			}
			if s.LastSeen.After(seen.LastSeen) {
				seen.LastSeen = s.LastSeen
			}
		}
		out = append(out, seen)
	}
	slices.SortFunc(out, func(a, b Seen) int { return a.Prefix.Addr().Compare(b.Prefix.Addr()) })
	return out
}

// tick applies the rules that depend on time alone.
func (sl *Sensor) tick() {
	// An outside address replaced by another ends when it goes stale; a
	// lone one only after a day unseen.
	for i := 0; i < len(sl.current); i++ {
		c := sl.current[i]
		idle := sl.clock - c.last
		if (len(sl.current) > 1 && idle > outsideStale) || idle > outsideGone {
			sl.endOutside(c)
			sl.current = slices.Delete(sl.current, i, i+1)
			i--
			if len(sl.current) > 0 {
				sl.change("outside address %s until %s (replaced by %s)", c.addr, stamp(c.last), sl.current[len(sl.current)-1].addr)
			} else {
				sl.change("outside address %s until %s (not seen for a day)", c.addr, stamp(c.last))
			}
			sl.rebuild()
		}
	}
	for i := 0; i < len(sl.ended); i++ {
		if sl.clock-sl.ended[i].last > outsideGrace {
			sl.ended = slices.Delete(sl.ended, i, i+1)
			i--
			sl.rebuild()
		}
	}
	if sl.window == 0 {
		sl.window = sl.clock
	}
	if sl.clock-sl.window >= ifWindow {
		sl.judgeInterfaces()
		sl.window = sl.clock
		for k, e := range sl.ev {
			if sl.clock-e.last > ifWindow {
				delete(sl.ev, k)
			}
		}
		sl.forgetSubnets()
	}
}

// judgeInterfaces flips a role that a whole window contradicted without a
// single conversation supporting it.
func (sl *Sensor) judgeInterfaces() {
	for i := range sl.st.Interfaces {
		it := &sl.st.Interfaces[i]
		v := sl.ifs[it.Index]
		if v == nil {
			continue
		}
		pro, against, other := v.internal, v.external, External
		if it.Role == External {
			pro, against, other = against, pro, Internal
		}
		if pro == 0 && against >= ifVotes {
			sl.change("interface %d is %s (was %s)", it.Index, other, it.Role)
			it.Role, it.Since = other, msTime(sl.clock)
			sl.rebuild()
		}
	}
	clear(sl.ifs)
}

func (sl *Sensor) forgetSubnets() {
	n := len(sl.st.Subnets)
	sl.st.Subnets = slices.DeleteFunc(sl.st.Subnets, func(s Seen) bool {
		return sl.clock-s.LastSeen.UnixMilli() > subnetGone
	})
	if len(sl.st.Subnets) != n {
		sl.regroup()
	}
}

// rebuild makes the effective sensor and the "--" sets from the facts.
func (sl *Sensor) rebuild() {
	var lr site.Learned
	for _, c := range sl.outsideAddrs() {
		lr.Internal = append(lr.Internal, netip.PrefixFrom(c, c.BitLen()))
	}
	if sl.applyPrefixes {
		lr.Internal = append(lr.Internal, sl.st.PrefixList()...)
	}
	if sl.learnIfs && !sl.st.ByInterface.IsZero() {
		lr.ExternalInterfaces = externalIfs(sl.cfg, sl.st)
	}
	sl.eff = sl.cfg.WithLearned(lr)
	sl.l.refresh()
}

func (sl *Sensor) change(format string, args ...any) {
	sl.l.Changes.Add(1)
	sl.l.dirty = true
	sl.l.logf("%s: %s", sl.cfg.Name, fmt.Sprintf(format, args...))
}

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// stamp prints a time as the log lines do: 2026-12-01T14:00Z.
func stamp(ms int64) string { return msTime(ms).Format("2006-01-02T15:04Z") }

func joinUints(xs []uint32) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
