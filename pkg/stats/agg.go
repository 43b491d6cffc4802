package stats

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// nSub is the number of sub-tables the bins are spread over by the top bits
// of the key hash. Worker p owns the sub-tables s with s%workers == p. Many
// small tables instead of one per worker keep the memory spike of a table
// doubling small.
const nSub = 64

const batchSize = 8192

// sub is one share of the bins.
type sub struct {
	bins  [2]*table   // per family
	pairs [2][]*table // per family, per distinct column: (bin key, value) pairs seen
	total *table      // distinct values of the primary over all input
}

// Aggregator bins records for a Spec. Add may be called with any number of
// blocks; Finish waits for the workers and returns the Result.
type Aggregator struct {
	spec    Spec
	k       *keyer
	nvals   int
	dcols   []int // value columns that are distinct counts
	dkeyer  []*keyer
	primary Value
	workers int

	subs [nSub]sub

	records uint64
	total   uint64 // sum of the primary (bytes, packets, records)

	// parallel mode
	cur   *batch
	free  chan *batch
	work  []chan *batch
	wg    sync.WaitGroup
	state []workerState
}

type batch struct {
	recs    []flowfile.Record
	pending atomic.Int32
}

type workerState struct {
	key, pair, dval []uint64
}

// NewAggregator prepares an aggregation; workers <= 0 means one per CPU.
func NewAggregator(spec Spec, workers int) (*Aggregator, error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, nSub)
	a := &Aggregator{spec: spec, k: newKeyer(spec.Keys, spec.BinTime), nvals: len(spec.Values),
		primary: spec.Values[0], workers: workers}
	for i, v := range spec.Values {
		if v.Kind == Distinct {
			a.dcols = append(a.dcols, i)
			a.dkeyer = append(a.dkeyer, newKeyer([]fields.ID{v.Field}, spec.BinTime))
		}
	}
	a.state = make([]workerState, workers)
	maxW := a.k.lay[fam6].words + 2
	for i := range a.state {
		a.state[i] = workerState{key: make([]uint64, maxW), pair: make([]uint64, maxW+2), dval: make([]uint64, 2)}
	}
	if workers > 1 {
		a.free = make(chan *batch, 2*workers+2)
		for i := 0; i < 2*workers+2; i++ {
			a.free <- &batch{recs: make([]flowfile.Record, 0, batchSize)}
		}
		a.work = make([]chan *batch, workers)
		for p := range a.work {
			a.work[p] = make(chan *batch, 2*workers+2)
			a.wg.Add(1)
			go a.worker(p)
		}
	}
	return a, nil
}

func (a *Aggregator) worker(p int) {
	defer a.wg.Done()
	for b := range a.work[p] {
		for i := range b.recs {
			a.process(p, &b.recs[i])
		}
		if b.pending.Add(-1) == 0 {
			b.recs = b.recs[:0]
			a.free <- b
		}
	}
}

// Add bins a block of records. The block may be reused by the caller as
// soon as Add returns. Records the IPv6 policy drops are not counted.
func (a *Aggregator) Add(recs []flowfile.Record) {
	pol := a.spec.Policy
	for i := range recs {
		r := &recs[i]
		if !pol.Keep(r.IsIPv6()) {
			continue
		}
		a.records++
		switch a.primary.Kind {
		case Bytes:
			a.total += r.Bytes
		case Packets:
			a.total += r.Packets
		case Records:
			a.total++
		}
		if a.workers == 1 {
			a.process(0, r)
			continue
		}
		if a.cur == nil {
			a.cur = <-a.free
		}
		a.cur.recs = append(a.cur.recs, *r)
		if len(a.cur.recs) == batchSize {
			a.dispatch()
		}
	}
}

func (a *Aggregator) dispatch() {
	b := a.cur
	a.cur = nil
	b.pending.Store(int32(a.workers))
	for _, ch := range a.work {
		ch <- b
	}
}

// process bins one record if its bin belongs to worker p.
func (a *Aggregator) process(p int, r *flowfile.Record) {
	st := &a.state[p]
	f := a.k.familyOf(r)
	lay := &a.k.lay[f]
	key := st.key[:lay.words]
	var h uint64
	s, mine := 0, true
	if a.k.partField != 0 {
		// skip other workers' records before packing their keys
		s = a.k.subOf(r, f, 0)
		mine = s%a.workers == p
	}
	if mine {
		clear(key)
		a.k.pack(r, f, key)
		h = hashKey(key)
		if a.k.partField == 0 {
			s = int(h >> 58)
			mine = s%a.workers == p
		}
	}
	if mine {
		sb := &a.subs[s]
		t := sb.bins[f]
		if t == nil {
			t = newTable(lay.words, a.nvals, 256)
			sb.bins[f] = t
			sb.pairs[f] = make([]*table, len(a.dcols))
		}
		slot, _ := t.insert(key, h)
		vals := t.vals(slot)
		di := 0
		for c, v := range a.spec.Values {
			switch v.Kind {
			case Bytes:
				vals[c] += r.Bytes
			case Packets:
				vals[c] += r.Packets
			case Records:
				vals[c]++
			case Distinct:
				dk := a.dkeyer[di]
				dv := a.distinctValue(dk, r, st.dval)
				pair := append(append(st.pair[:0], key...), dv...)
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
		}
	}
	if a.primary.Kind == Distinct {
		dv := a.distinctValue(a.dkeyer[0], r, st.dval)
		vh := hashKey(dv)
		s2 := int(vh >> 58)
		if s2%a.workers == p {
			sb := &a.subs[s2]
			if sb.total == nil {
				sb.total = newTable(len(dv), 0, 256)
			}
			sb.total.insert(dv, vh)
		}
	}
}

// distinctValue packs the counted field of r; addresses always take the
// IPv6 layout so IPv4 and IPv6 values share one set.
func (a *Aggregator) distinctValue(dk *keyer, r *flowfile.Record, buf []uint64) []uint64 {
	f := fam4
	if dk.hasIP {
		f = fam6
	}
	out := buf[:dk.lay[f].words]
	clear(out)
	dk.pack(r, f, out)
	return out
}

// Finish waits for the workers and returns the aggregated bins.
func (a *Aggregator) Finish() *Result {
	if a.workers > 1 {
		if a.cur != nil && len(a.cur.recs) > 0 {
			a.dispatch()
		}
		for _, ch := range a.work {
			close(ch)
		}
		a.wg.Wait()
		a.work = nil
	}
	res := &Result{agg: a, Records: a.records, Total: a.total}
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
