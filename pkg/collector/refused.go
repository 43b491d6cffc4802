package collector

import (
	"net/netip"
	"sort"
	"sync"
	"time"
)

// A router whose export source address is not the one --allow names (or
// the one the site configuration gives a sensor) is invisible unless the
// log names it. refusals counts refused packets per exporter address and
// logs them, rate-limited: the first packet from an address at once, then
// at most one line per address per refusalLogEvery with the count since.
// Addresses are tracked one by one up to maxRefusedExporters; beyond that
// (a spoofing sender) they are counted together under "other", with one
// line saying so.
const (
	maxRefusedExporters = 64
	refusalLogEvery     = 10 * time.Minute
)

// RefusedOther is the exporter label of the packets refused from addresses
// beyond the ones tracked one by one.
const RefusedOther = "other"

type refusal struct {
	packets uint64
	logged  uint64    // packets when the last line was written
	next    time.Time // no line before this
}

type refusals struct {
	mu     sync.Mutex
	byAddr map[netip.Addr]*refusal
	other  refusal
	now    func() time.Time
	// first and again write the lines: the first refused packet of an
	// address, and the count of the packets since the last line.
	first func(addr netip.Addr)
	again func(addr netip.Addr, n uint64, since time.Duration)
	full  func()
}

func newRefusals() *refusals {
	return &refusals{byAddr: make(map[netip.Addr]*refusal), now: time.Now}
}

// add counts a refused packet from addr and logs it if it is time to.
func (r *refusals) add(addr netip.Addr) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	x := r.byAddr[addr]
	if x == nil {
		if len(r.byAddr) >= maxRefusedExporters {
			if r.other.packets == 0 && r.full != nil {
				r.full()
			}
			r.other.packets++
			return
		}
		x = &refusal{}
		r.byAddr[addr] = x
	}
	x.packets++
	switch {
	case x.packets == 1:
		if r.first != nil {
			r.first(addr)
		}
		x.logged, x.next = 1, now.Add(refusalLogEvery)
	case !now.Before(x.next):
		if r.again != nil {
			r.again(addr, x.packets-x.logged, refusalLogEvery+now.Sub(x.next))
		}
		x.logged, x.next = x.packets, now.Add(refusalLogEvery)
	}
}

// RefusedCount is the packets refused from one exporter address, or from
// the addresses beyond the ones tracked (Addr invalid).
type RefusedCount struct {
	Addr    netip.Addr
	Packets uint64
}

// Label is the metric label of the count: the address, or RefusedOther.
func (c RefusedCount) Label() string {
	if !c.Addr.IsValid() {
		return RefusedOther
	}
	return c.Addr.String()
}

// snapshot returns the counts by address (and "other" last, if any).
func (r *refusals) snapshot() []RefusedCount {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]RefusedCount, 0, len(r.byAddr)+1)
	for a, x := range r.byAddr {
		out = append(out, RefusedCount{a, x.packets})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr.Less(out[j].Addr) })
	if r.other.packets > 0 {
		out = append(out, RefusedCount{Packets: r.other.packets})
	}
	return out
}
