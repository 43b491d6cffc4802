package flowfile

import (
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// ParallelReader reads one input with its blocks' decompression spread
// over several goroutines, and returns the records in file order. The
// calling goroutine reads the blocks' bytes (with the Reader's block
// filter and its recovery from corrupt blocks) and hands them out; the
// workers decompress the columns and decode the dictionaries, the part
// that costs most; the caller assembles the records run by run, while
// they are in its CPU cache.
//
//	pr := flowfile.NewParallelReader(r, 0) // GOMAXPROCS workers
//	defer pr.Close()
//	for {
//		run, err := pr.NextRun()
//		...
//	}
//
// A ParallelReader is not safe for concurrent use; it uses r, which the
// caller still closes.
type ParallelReader struct {
	r        *Reader
	slots    []*pslot
	jobs     chan *pslot
	head     int // slot of the oldest block in flight
	inflight int
	cur      *pslot // the block being returned
	recs     []Record
	pos      int // Next's position in recs
	wg       sync.WaitGroup
	closed   bool
	fields   Fields // the Reader's, when the ParallelReader was made
	foreign  bool   // r reads a foreign file: p hands out r's records
}

type pslot struct {
	sum     BlockSummary
	payload []byte
	sel     []uint64
	dec     decompressor
	err     error
	done    chan struct{} // one token when the slot is prepared
}

// NewParallelReader returns a ParallelReader that decompresses r's
// blocks on workers goroutines (GOMAXPROCS if workers <= 0).
func NewParallelReader(r *Reader, workers int) *ParallelReader {
	if r.foreign != nil {
		// a foreign Source decodes its blocks itself, in order
		return &ParallelReader{r: r, fields: r.fields, foreign: true}
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &ParallelReader{r: r, jobs: make(chan *pslot, 2*workers), fields: r.fields}
	for range 2*workers + 1 {
		p.slots = append(p.slots, &pslot{done: make(chan struct{}, 1)})
	}
	p.wg.Add(workers)
	for range workers {
		go p.work()
	}
	return p
}

func (p *ParallelReader) work() {
	defer p.wg.Done()
	for s := range p.jobs {
		d := &s.dec
		if err := d.blk.prepare(s.payload, &s.sum, d, s.sel, p.fields); err != nil {
			s.err = p.r.blockError(s.sum.Offset, s.sum.Index, err)
		}
		s.done <- struct{}{}
	}
}

// fill hands out blocks until every free slot is in flight or the input
// has no complete block left; it returns the error that stopped it
// (io.EOF at the end).
func (p *ParallelReader) fill() error {
	for p.inflight < len(p.slots)-1 { // one slot is the caller's
		s := p.slots[(p.head+p.inflight)%len(p.slots)]
		payload, err := p.r.nextFrame(&s.sum, &s.sel)
		if err != nil {
			if be, ok := err.(*BlockError); ok {
				s.err = be
				s.dec.blk.reset()
				s.done <- struct{}{}
				p.inflight++
				continue
			}
			return err
		}
		s.payload = append(s.payload[:0], payload...)
		s.err = nil
		p.jobs <- s
		p.inflight++
	}
	return nil
}

// next returns the records of the current block, going past at most
// limit stored records, and moves to the next block when the current one
// is used up.
func (p *ParallelReader) next(limit int) ([]Record, error) {
	if p.foreign {
		recs, err := p.r.foreignNext(limit)
		p.recs, p.pos = recs, len(recs)
		return recs, err
	}
	p.recs, p.pos = p.recs[:0], 0
	for {
		if p.cur == nil || p.cur.dec.blk.remaining() == 0 {
			p.cur = nil
			err := p.fill()
			if p.inflight == 0 {
				return nil, err
			}
			s := p.slots[p.head]
			<-s.done
			p.head = (p.head + 1) % len(p.slots)
			p.inflight--
			if s.err != nil {
				return nil, s.err
			}
			p.cur = s
		}
		blk := &p.cur.dec.blk
		want := min(limit, blk.remaining())
		if cap(p.recs) < want {
			p.recs = make([]Record, max(want, RunRecords))
		}
		n, err := blk.run(p.recs[:want])
		if err != nil {
			blk.reset()
			return nil, p.r.blockError(p.cur.sum.Offset, p.cur.sum.Index, err)
		}
		if n > 0 {
			p.recs = p.recs[:n]
			p.pos = n
			return p.recs, nil
		}
	}
}

// NextBlock returns the records of the next block (or what NextRun left
// of the current one), as Reader.NextBlock does: the slice is valid until
// the next call, a corrupt block returns a *BlockError and the next call
// goes on, and io.EOF ends the input (call again to read what a growing
// file gained).
func (p *ParallelReader) NextBlock() ([]Record, error) { return p.next(MaxBlockRecords) }

// NextRun returns the next run of at most RunRecords records, as
// Reader.NextRun does.
func (p *ParallelReader) NextRun() ([]Record, error) { return p.next(RunRecords) }

// Next returns the next record, valid until the next call of Next,
// NextRun or NextBlock.
func (p *ParallelReader) Next() (*Record, error) {
	for p.pos >= len(p.recs) {
		if _, err := p.NextRun(); err != nil {
			return nil, err
		}
		p.pos = 0
	}
	rec := &p.recs[p.pos]
	p.pos++
	return rec, nil
}

// Summary returns the summary of the block the records last returned
// come from.
func (p *ParallelReader) Summary() *BlockSummary {
	if p.foreign {
		return &p.r.sum
	}
	if p.cur == nil {
		return &BlockSummary{}
	}
	return &p.cur.sum
}

// Close waits for the blocks in flight and stops the workers. It does
// not close the Reader.
func (p *ParallelReader) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	if p.foreign {
		return nil
	}
	for ; p.inflight > 0; p.inflight-- {
		<-p.slots[p.head].done
		p.head = (p.head + 1) % len(p.slots)
	}
	close(p.jobs)
	p.wg.Wait()
	for _, s := range p.slots {
		s.dec.release()
	}
	return nil
}

// Process reads r's blocks and hands their records to fn on workers
// goroutines (GOMAXPROCS if workers <= 0), for work that does not need
// the records in file order, such as counting or aggregating per worker
// and merging at the end. Each worker decodes a whole block, one run of
// at most RunRecords records at a time, calling fn(worker, run) with
// each run while it is in the CPU cache. Calls with the same worker
// number come one after another; calls of different workers run at the
// same time. The run is reused after fn returns.
//
// A corrupt block is passed to onBad (if not nil; calls are serialised)
// and skipped. Process returns at the end of the input (a growing file
// can be processed again from where it stopped), on a read error, or
// with the first error fn returns.
func Process(r *Reader, workers int, fn func(worker int, run []Record) error, onBad func(*BlockError)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if r.foreign != nil {
		return processForeign(r, workers, fn, onBad)
	}
	runs := make([][]Record, workers)
	return processBlocks(r, workers, func(w int, d *blockDecoder, bad func(error)) error {
		if runs[w] == nil {
			runs[w] = make([]Record, RunRecords)
		}
		run := runs[w]
		for d.remaining() > 0 {
			n, err := d.run(run)
			if err != nil {
				d.reset()
				bad(err)
				return nil
			}
			if n == 0 {
				continue
			}
			if err := fn(w, run[:n]); err != nil {
				d.reset()
				return err
			}
		}
		return nil
	}, onBad)
}

// processBlocks reads r's blocks (not a foreign file's) and prepares each,
// with r's fields, on one of workers goroutines, which then calls
// block(worker, decoder, bad). block reports a decoding error of the block
// through bad (it goes to onBad as a *BlockError, and processing goes on);
// an error it returns stops processing and is returned.
func processBlocks(r *Reader, workers int, block func(worker int, d *blockDecoder, bad func(error)) error, onBad func(*BlockError)) error {
	type job struct {
		sum     BlockSummary
		payload []byte
		sel     []uint64
	}
	fields := r.fields
	jobs := make(chan *job, workers)
	free := make(chan *job, 2*workers)
	for range 2 * workers {
		free <- &job{}
	}
	var (
		mu       sync.Mutex
		firstErr error
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	bad := func(be *BlockError) {
		if onBad != nil {
			mu.Lock()
			onBad(be)
			mu.Unlock()
		}
	}
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		stop.Store(true)
	}
	wg.Add(workers)
	for w := range workers {
		go func() {
			defer wg.Done()
			var d decompressor
			defer d.release()
			for j := range jobs {
				if stop.Load() {
					free <- j
					continue
				}
				s := &j.sum
				if err := d.blk.prepare(j.payload, s, &d, j.sel, fields); err != nil {
					bad(r.blockError(s.Offset, s.Index, err))
					free <- j
					continue
				}
				blockBad := func(err error) { bad(r.blockError(s.Offset, s.Index, err)) }
				if err := block(w, &d.blk, blockBad); err != nil {
					fail(err)
				}
				free <- j
			}
		}()
	}
	for !stop.Load() {
		j := <-free
		payload, err := r.nextFrame(&j.sum, &j.sel)
		if err != nil {
			free <- j
			var be *BlockError
			if errors.As(err, &be) {
				bad(be)
				continue
			}
			if !errors.Is(err, io.EOF) {
				fail(err)
			}
			break
		}
		j.payload = append(j.payload[:0], payload...)
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	return firstErr
}
