package stats

import (
	"net/netip"
	"sync"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// nSub is the number of sub-tables the bins are spread over by the top bits
// of the key hash, each with its own lock. Many small tables keep lock
// contention rare and the memory spike of a table doubling small.
const nSub = 64

// sub is one share of the bins.
type sub struct {
	bins  [2]*table   // per family
	pairs [2][]*table // per family, per distinct column: (bin key, value) pairs seen
	total *table      // distinct values of the primary over all input

	touched uint64 // sink of table.touch's read-ahead
}

// Aggregator bins records for a Spec. Records come in runs, from one
// goroutine (Add) or from several at once (AddRun with distinct worker
// numbers, as flowfile.Process calls it); Finish returns the Result.
//
// A run is handled in two steps. Packing turns each record into an entry
// (its key's hash, its packed key, its contribution to each value column,
// the packed values of distinct columns) in the worker's outbox, grouped by
// sub-table. Inserting then takes each sub-table's lock once and adds its
// entries. Packing, the larger part, runs in parallel without sharing
// anything; with 64 sub-tables the locks are rarely contended; and every
// bin lives in exactly one table, so memory is not multiplied by the
// number of workers.
type Aggregator struct {
	spec    Spec
	k       *keyer
	nvals   int
	dcols   []int // value columns that are distinct counts
	dkeyer  []*keyer
	dwords  []int // words of each distinct column's packed value
	stride  [2]int
	primary Value

	subs  [nSub]sub
	locks [nSub]sync.Mutex
	outs  []*outbox // per worker
}

// outbox holds one worker's packed entries by sub-table: bins[s][f] are
// bin entries of family f, totals[s] entries of the total distinct set;
// records and total count the worker's input.
type outbox struct {
	bins    [nSub][2][]uint64
	totals  [nSub][]uint64
	key     []uint64
	pair    []uint64
	records uint64
	total   uint64
	_       [64]byte // keep workers' counters on separate cache lines
}

// NewAggregator prepares an aggregation for up to workers concurrent
// AddRun callers (at least one).
func NewAggregator(spec Spec, workers int) (*Aggregator, error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	workers = max(workers, 1)
	a := &Aggregator{spec: spec, k: newKeyer(spec.Keys, spec.BinTime), nvals: len(spec.Values),
		primary: spec.Values[0]}
	extra := 0
	for i, v := range spec.Values {
		if v.Kind == Distinct {
			dk := newKeyer([]fields.ID{v.Field}, spec.BinTime)
			w := dk.lay[fam4].words
			if dk.hasIP {
				w = dk.lay[fam6].words
			}
			a.dcols = append(a.dcols, i)
			a.dkeyer = append(a.dkeyer, dk)
			a.dwords = append(a.dwords, w)
			extra += w
		} else {
			extra++
		}
	}
	for f := range a.stride {
		a.stride[f] = 1 + a.k.lay[f].words + extra
	}
	for range workers {
		a.outs = append(a.outs, &outbox{key: make([]uint64, a.k.lay[fam6].words)})
	}
	return a, nil
}

// Add bins a run of records; it is AddRun(0, recs).
func (a *Aggregator) Add(recs []flowfile.Record) { a.AddRun(0, recs) }

// AddRun bins a run of records for worker w (0 <= w < workers). Calls
// with different w may run at the same time; calls with the same w must
// not. The run may be reused when AddRun returns. Records the IPv6 policy
// drops are not counted.
func (a *Aggregator) AddRun(w int, recs []flowfile.Record) {
	o := a.outs[w]
	pol := a.spec.Policy
	for i := range recs {
		r := &recs[i]
		if !pol.Keep(r.IsIPv6()) {
			continue
		}
		o.records++
		switch a.primary.Kind {
		case Bytes:
			o.total = flowfile.AddCount(o.total, r.Bytes)
		case Packets:
			o.total = flowfile.AddCount(o.total, r.Packets)
		case Records:
			o.total++
		}
		a.pack(o, r, 1)
	}
	a.insert(o)
}

// EndpointSide reports whether the key is made of one side's endpoint
// fields only (sIP, scc; or dIP, dcc: dst tells which) and the values are
// sums: then flowfile.ProcessEndpoints' sums can be binned (AddSums)
// instead of every record.
func (s *Spec) EndpointSide() (dst, ok bool) {
	side := flowfile.Fields(0)
	for _, k := range s.Keys {
		n := k.Needs()
		if n != flowfile.FieldSrc && n != flowfile.FieldDst || side != 0 && n != side {
			return false, false
		}
		side = n
	}
	for _, v := range s.Values {
		if v.Kind == Distinct {
			return false, false
		}
	}
	return side == flowfile.FieldDst, side != 0
}

// AddSums bins, for worker w as AddRun does, a block's sums of records by
// endpoint, each standing for its Records records; dst tells which side
// the sums are by. The spec's key must allow it (Spec.EndpointSide).
func (a *Aggregator) AddSums(w int, sums []flowfile.EndpointSum, dst bool) {
	// in runs, so the outbox stays in the cache as with AddRun
	for len(sums) > flowfile.RunRecords {
		a.AddSums(w, sums[:flowfile.RunRecords], dst)
		sums = sums[flowfile.RunRecords:]
	}
	o := a.outs[w]
	pol := a.spec.Policy
	var r flowfile.Record
	for i := range sums {
		s := &sums[i]
		if !pol.Keep(s.IPv6) {
			continue
		}
		// a record with the key's fields and the counts; the family is
		// the source's
		if dst {
			r.DIP, r.DCC, r.DstAS = s.Addr, s.CC, s.AS
			r.SIP = netip.Addr{}
			if s.IPv6 {
				r.SIP = netip.IPv6Unspecified()
			}
		} else {
			r.SIP, r.SCC, r.SrcAS = s.Addr, s.CC, s.AS
		}
		r.Packets, r.Bytes = s.Packets, s.Bytes
		o.records += s.Records
		switch a.primary.Kind {
		case Bytes:
			o.total = flowfile.AddCount(o.total, r.Bytes)
		case Packets:
			o.total = flowfile.AddCount(o.total, r.Packets)
		case Records:
			o.total += s.Records
		}
		a.pack(o, &r, s.Records)
	}
	a.insert(o)
}

// insert moves the outbox's entries into the sub-tables, taking each
// sub-table's lock once.
func (a *Aggregator) insert(o *outbox) {
	for s := range o.bins {
		b := &o.bins[s]
		if len(b[0]) == 0 && len(b[1]) == 0 && len(o.totals[s]) == 0 {
			continue
		}
		a.locks[s].Lock()
		for f := range b {
			if len(b[f]) > 0 {
				o.pair = a.insertBins(s, family(f), b[f], o.pair)
				b[f] = b[f][:0]
			}
		}
		if len(o.totals[s]) > 0 {
			a.insertTotals(s, o.totals[s])
			o.totals[s] = o.totals[s][:0]
		}
		a.locks[s].Unlock()
	}
}

// pack appends the entries of r, standing for n records, to the outbox of
// their owners.
func (a *Aggregator) pack(o *outbox, r *flowfile.Record, n uint64) {
	f := a.k.familyOf(r)
	lay := &a.k.lay[f]
	key := o.key[:lay.words]
	clear(key)
	a.k.pack(r, f, key)
	h := hashKey(key)
	q := int(h >> 58)
	e := o.bins[q][f]
	e = append(e, h)
	e = append(e, key...)
	di := 0
	for _, v := range a.spec.Values {
		switch v.Kind {
		case Bytes:
			e = append(e, r.Bytes)
		case Packets:
			e = append(e, r.Packets)
		case Records:
			e = append(e, n)
		case Distinct:
			at := len(e)
			e = append(e, make([]uint64, a.dwords[di])...)
			a.distinctValue(a.dkeyer[di], r, e[at:])
			if di == 0 && a.primary.Kind == Distinct {
				vh := hashKey(e[at:])
				tq := int(vh >> 58)
				o.totals[tq] = append(append(o.totals[tq], vh), e[at:]...)
			}
			di++
		}
	}
	o.bins[q][f] = e
}

// insertBins adds bin entries of family f to sub-table s, whose lock the
// caller holds. pair is scratch space, returned for reuse.
func (a *Aggregator) insertBins(s int, f family, e []uint64, pair []uint64) []uint64 {
	st := a.stride[f]
	w := a.k.lay[f].words
	sb := &a.subs[s]
	if t := sb.bins[f]; t != nil {
		sb.touched += t.touch(e, st)
	}
	for len(e) >= st {
		h := e[0]
		key := e[1 : 1+w]
		t := sb.bins[f]
		if t == nil {
			t = newTable(w, a.nvals, 256)
			sb.bins[f] = t
			sb.pairs[f] = make([]*table, len(a.dcols))
		}
		slot, _ := t.insert(key, h)
		vals := t.vals(slot)
		x := e[1+w : st]
		di := 0
		for c, v := range a.spec.Values {
			if v.Kind != Distinct {
				vals[c] = flowfile.AddCount(vals[c], x[0])
				x = x[1:]
				continue
			}
			dw := a.dwords[di]
			pair = append(append(pair[:0], key...), x[:dw]...)
			x = x[dw:]
			pt := sb.pairs[f][di]
			if pt == nil {
				pt = newTable(len(pair), 0, 256)
				sb.pairs[f][di] = pt
			}
			if _, added := pt.insert(pair, hashKey(pair)); added {
				vals[c]++
			}
			di++
		}
		e = e[st:]
	}
	return pair
}

// insertTotals adds values to the primary's set of distinct values in
// sub-table s, whose lock the caller holds.
func (a *Aggregator) insertTotals(s int, e []uint64) {
	dw := a.dwords[0]
	sb := &a.subs[s]
	for len(e) >= 1+dw {
		vh := e[0]
		if sb.total == nil {
			sb.total = newTable(dw, 0, 256)
		}
		sb.total.insert(e[1:1+dw], vh)
		e = e[1+dw:]
	}
}

// distinctValue packs the counted field of r into out (zeroed, of the
// column's width); addresses always take the IPv6 layout so IPv4 and IPv6
// values share one set.
func (a *Aggregator) distinctValue(dk *keyer, r *flowfile.Record, out []uint64) {
	f := fam4
	if dk.hasIP {
		f = fam6
	}
	dk.pack(r, f, out)
}

// Finish returns the aggregated bins; no AddRun may be running.
func (a *Aggregator) Finish() *Result {
	res := &Result{agg: a}
	for _, o := range a.outs {
		res.Records += o.records
		res.Total = flowfile.AddCount(res.Total, o.total)
	}
	for s := range a.subs {
		for f := range a.subs[s].bins {
			if t := a.subs[s].bins[f]; t != nil {
				res.Bins += uint64(t.n)
			}
		}
		if t := a.subs[s].total; t != nil && a.primary.Kind == Distinct {
			res.Total += uint64(t.n)
		}
	}
	return res
}

// Release gives the tables' memory back.
func (a *Aggregator) Release() {
	for s := range a.subs {
		sb := &a.subs[s]
		for f := range sb.bins {
			if sb.bins[f] != nil {
				sb.bins[f].free()
				sb.bins[f] = nil
			}
			for _, pt := range sb.pairs[f] {
				if pt != nil {
					pt.free()
				}
			}
			sb.pairs[f] = nil
		}
		if sb.total != nil {
			sb.total.free()
			sb.total = nil
		}
	}
}
