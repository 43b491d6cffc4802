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

const batchSize = 4096

// sub is one share of the bins.
type sub struct {
	bins  [2]*table   // per family
	pairs [2][]*table // per family, per distinct column: (bin key, value) pairs seen
	total *table      // distinct values of the primary over all input
}

// Aggregator bins records for a Spec. Add may be called with any number of
// blocks; Finish waits for the workers and returns the Result.
//
// Work is done in two steps. Packing turns a record into an entry: its key's
// hash, its packed key, the record's contribution to each value column, and
// the packed values of distinct columns. Inserting adds entries to the hash
// tables. With several workers, Add copies the records into a batch that
// every worker receives; worker p packs its slice of the batch and sorts the
// entries by owner (the worker whose sub-tables hold the key); once every
// worker has packed the batch, each inserts the entries it owns. Nothing is
// done twice and no table is shared.
type Aggregator struct {
	spec    Spec
	k       *keyer
	nvals   int
	dcols   []int // value columns that are distinct counts
	dkeyer  []*keyer
	dwords  []int // words of each distinct column's packed value
	stride  [2]int
	primary Value
	workers int
	async   bool // workers run in goroutines fed by Add

	subs [nSub]sub

	records uint64
	total   uint64 // sum of the primary (bytes, packets, records)

	// parallel mode
	cur  *batch
	free chan *batch
	work []chan *batch
	wg   sync.WaitGroup

	sync *outbox // entries of the synchronous mode
}

// outbox holds packed entries by owner: bins[q][f] are bin entries of
// family f for worker q, totals[q] entries of the total distinct set.
type outbox struct {
	bins   [][2][]uint64
	totals [][]uint64
	key    []uint64
}

func newOutbox(workers, keyWords int) *outbox {
	return &outbox{bins: make([][2][]uint64, workers), totals: make([][]uint64, workers), key: make([]uint64, keyWords)}
}

func (o *outbox) reset() {
	for q := range o.bins {
		o.bins[q][0] = o.bins[q][0][:0]
		o.bins[q][1] = o.bins[q][1][:0]
		o.totals[q] = o.totals[q][:0]
	}
}

type batch struct {
	recs     []flowfile.Record
	out      []*outbox // one per packing worker
	packed   sync.WaitGroup
	inserted atomic.Int32
}

// NewAggregator prepares an aggregation. workers <= 0 means one worker per
// CPU, in goroutines (the reader's decoding interleaves with them);
// workers == 1 aggregates synchronously inside Add.
func NewAggregator(spec Spec, workers int) (*Aggregator, error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	async := workers > 1
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
		async = workers > 1
	}
	workers = min(workers, nSub)
	a := &Aggregator{spec: spec, k: newKeyer(spec.Keys, spec.BinTime), nvals: len(spec.Values),
		primary: spec.Values[0], workers: workers, async: async}
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
	keyWords := a.k.lay[fam6].words
	if !async {
		a.sync = newOutbox(1, keyWords)
		return a, nil
	}
	nb := 2*workers + 2
	a.free = make(chan *batch, nb)
	for i := 0; i < nb; i++ {
		b := &batch{recs: make([]flowfile.Record, 0, batchSize), out: make([]*outbox, workers)}
		for p := range b.out {
			b.out[p] = newOutbox(workers, keyWords)
		}
		a.free <- b
	}
	a.work = make([]chan *batch, workers)
	for p := range a.work {
		a.work[p] = make(chan *batch, nb)
		a.wg.Add(1)
		go a.worker(p)
	}
	return a, nil
}

func (a *Aggregator) worker(p int) {
	defer a.wg.Done()
	var prev *batch
	for b := range a.work[p] {
		n := len(b.recs)
		lo, hi := p*n/a.workers, (p+1)*n/a.workers
		o := b.out[p]
		o.reset()
		for i := lo; i < hi; i++ {
			a.pack(o, &b.recs[i])
		}
		b.packed.Done()
		// insert the previous batch's entries: by now the other workers
		// have packed it, or are about to
		if prev != nil {
			a.insertBatch(p, prev)
		}
		prev = b
	}
	if prev != nil {
		a.insertBatch(p, prev)
	}
}

func (a *Aggregator) insertBatch(p int, b *batch) {
	b.packed.Wait()
	for _, o := range b.out {
		a.insertOutbox(p, o)
	}
	if b.inserted.Add(1) == int32(a.workers) {
		b.recs = b.recs[:0]
		a.free <- b
	}
}

func (a *Aggregator) insertOutbox(p int, o *outbox) {
	for f := range o.bins[p] {
		a.insertBins(family(f), o.bins[p][f])
	}
	a.insertTotals(o.totals[p])
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
		if !a.async {
			a.pack(a.sync, r)
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
	if !a.async {
		a.insertOutbox(0, a.sync)
		a.sync.reset()
	}
}

func (a *Aggregator) dispatch() {
	b := a.cur
	a.cur = nil
	b.packed.Add(a.workers)
	b.inserted.Store(0)
	for _, ch := range a.work {
		ch <- b
	}
}

// pack appends r's entries to the outbox of their owners.
func (a *Aggregator) pack(o *outbox, r *flowfile.Record) {
	f := a.k.familyOf(r)
	lay := &a.k.lay[f]
	key := o.key[:lay.words]
	clear(key)
	a.k.pack(r, f, key)
	h := hashKey(key)
	q := int(h>>58) % a.workers
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
			e = append(e, 1)
		case Distinct:
			n := len(e)
			e = append(e, make([]uint64, a.dwords[di])...)
			a.distinctValue(a.dkeyer[di], r, e[n:])
			if di == 0 && a.primary.Kind == Distinct {
				vh := hashKey(e[n:])
				tq := int(vh>>58) % a.workers
				o.totals[tq] = append(append(o.totals[tq], vh), e[n:]...)
			}
			di++
		}
	}
	o.bins[q][f] = e
}

// insertBins adds bin entries of family f to the tables.
func (a *Aggregator) insertBins(f family, e []uint64) {
	st := a.stride[f]
	w := a.k.lay[f].words
	var pair []uint64
	for len(e) >= st {
		h := e[0]
		key := e[1 : 1+w]
		sb := &a.subs[h>>58]
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
				vals[c] += x[0]
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
}

// insertTotals adds values to the primary's set of distinct values.
func (a *Aggregator) insertTotals(e []uint64) {
	if len(e) == 0 {
		return
	}
	dw := a.dwords[0]
	for len(e) >= 1+dw {
		vh := e[0]
		sb := &a.subs[vh>>58]
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

// Finish waits for the workers and returns the aggregated bins.
func (a *Aggregator) Finish() *Result {
	if a.async {
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
