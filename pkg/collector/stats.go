package collector

import (
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
)

// maxExporterStats bounds the exporters counted one by one. When they are
// that many, an address that never had a flow decoded (a spoofing sender,
// most likely) gives way to a new one; when none is found among a few, the
// new one's packets are counted under the zero address (exporter="other"
// in /metrics).
const maxExporterStats = 4096

// ExporterCounters are what the receive path counts per exporter address.
// Decoder-level counters (errors by kind, data without template, lost
// exports) come from the decoder's own statistics.
type ExporterCounters struct {
	Addr    netip.Addr
	Packets atomic.Uint64 // datagrams received
	Bytes   atomic.Uint64 // datagram payload bytes received
	Flows   atomic.Uint64 // flow records decoded and accepted
	Errors  atomic.Uint64 // datagrams the decoder reported malformed
	Written atomic.Uint64 // records written to their hourly files (counted when flushed)
	Unknown atomic.Uint64 // datagrams dropped: exporter of no configured sensor
	// OutOfWindow counts flows dropped because they start too far from
	// their export time (TimeWindow); they are not in Flows.
	OutOfWindow atomic.Uint64
}

// Stats holds the collector's counters. Receive goroutines and the writer
// update it concurrently; readers take snapshots.
type Stats struct {
	mu        sync.RWMutex
	exporters map[netip.Addr]*ExporterCounters
	// Keep, if set before counting starts, names the exporters that never
	// give way to a new address (those the site names).
	Keep func(netip.Addr) bool

	Denied      atomic.Uint64 // datagrams from exporters --allow does not list
	OpenFiles   atomic.Int64  // hourly files open now
	Dropped     atomic.Uint64 // records lost because their file could not be opened, written or flushed
	WriteErrors atomic.Uint64 // open/write/flush errors
	Flushes     atomic.Uint64
	MovedAside  atomic.Uint64 // files in the way of an hourly file, renamed (RepoOpener)
}

// NewStats returns empty counters.
func NewStats() *Stats { return &Stats{exporters: make(map[netip.Addr]*ExporterCounters)} }

// Exporter returns the counters of addr, creating them on first use.
func (s *Stats) Exporter(addr netip.Addr) *ExporterCounters {
	s.mu.RLock()
	c := s.exporters[addr]
	s.mu.RUnlock()
	if c != nil {
		return c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c = s.exporters[addr]; c != nil {
		return c
	}
	if len(s.exporters) >= maxExporterStats {
		looked := 0
		for k, old := range s.exporters { // map order: a few entries from a random start
			if k.IsValid() && old.Flows.Load() == 0 && (s.Keep == nil || !s.Keep(k)) {
				delete(s.exporters, k)
				break
			}
			if looked++; looked == 8 {
				break
			}
		}
	}
	if len(s.exporters) >= maxExporterStats {
		addr = netip.Addr{}
		if c = s.exporters[addr]; c != nil {
			return c
		}
	}
	c = &ExporterCounters{Addr: addr}
	s.exporters[addr] = c
	return c
}

// Exporters returns the counters of every exporter seen, by address.
func (s *Stats) Exporters() []*ExporterCounters {
	s.mu.RLock()
	out := make([]*ExporterCounters, 0, len(s.exporters))
	for _, c := range s.exporters {
		out = append(out, c)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Addr.Less(out[j].Addr) })
	return out
}

// Totals sums the per-exporter counters.
type Totals struct {
	Exporters                                       int
	Packets, Bytes, Flows, Errors, Written, Unknown uint64
	OutOfWindow                                     uint64
}

// Totals sums over all exporters.
func (s *Stats) Totals() Totals {
	var t Totals
	for _, c := range s.Exporters() {
		t.Exporters++
		t.Packets += c.Packets.Load()
		t.Bytes += c.Bytes.Load()
		t.Flows += c.Flows.Load()
		t.Errors += c.Errors.Load()
		t.Written += c.Written.Load()
		t.Unknown += c.Unknown.Load()
		t.OutOfWindow += c.OutOfWindow.Load()
	}
	return t
}
