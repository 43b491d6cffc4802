package cut

import (
	"runtime"

	"github.com/gflow/gflow/pkg/flowfile"
)

// batchRecords is how many records a worker formats at a time.
const batchRecords = 1024

// rowBatch is a run of records to print, formatted on a worker.
type rowBatch struct {
	recs []flowfile.Record
	text []byte
	done chan struct{}
}

// rowPipeline formats records on worker goroutines, a batch at a time,
// and writes their lines in the order the records were added: the
// formatting, gcut's main cost, runs on every core.
type rowPipeline struct {
	c       *cutter
	jobs    chan *rowBatch
	pending []*rowBatch // sent to the workers, oldest first
	free    []*rowBatch
	cur     *rowBatch
	closed  bool
}

func newRowPipeline(c *cutter) *rowPipeline {
	workers := runtime.GOMAXPROCS(0)
	p := &rowPipeline{c: c, jobs: make(chan *rowBatch, workers)}
	for range workers {
		go func() {
			for b := range p.jobs {
				b.text = b.text[:0]
				for i := range b.recs {
					if c.json {
						b.text = c.p.AppendJSON(b.text, &b.recs[i])
					} else {
						b.text = c.p.AppendRow(b.text, &b.recs[i])
					}
				}
				b.done <- struct{}{}
			}
		}()
	}
	return p
}

// add queues a copy of r for printing.
func (p *rowPipeline) add(r *flowfile.Record) error {
	if p.cur == nil {
		if n := len(p.free); n > 0 {
			p.cur, p.free = p.free[n-1], p.free[:n-1]
			p.cur.recs = p.cur.recs[:0]
		} else {
			p.cur = &rowBatch{recs: make([]flowfile.Record, 0, batchRecords), done: make(chan struct{}, 1)}
		}
	}
	p.cur.recs = append(p.cur.recs, *r)
	if len(p.cur.recs) == batchRecords {
		return p.send()
	}
	return nil
}

func (p *rowPipeline) send() error {
	if p.cur == nil || len(p.cur.recs) == 0 {
		return nil
	}
	p.jobs <- p.cur
	p.pending = append(p.pending, p.cur)
	p.cur = nil
	for len(p.pending) > 2*cap(p.jobs) {
		if err := p.emit(); err != nil {
			return err
		}
	}
	return nil
}

// emit writes the oldest batch's lines.
func (p *rowPipeline) emit() error {
	b := p.pending[0]
	p.pending = p.pending[1:]
	<-b.done
	p.free = append(p.free, b)
	if _, err := p.c.out.Write(b.text); err != nil {
		return p.c.out.WriteError(err)
	}
	return nil
}

// flush writes everything added so far.
func (p *rowPipeline) flush() error {
	if err := p.send(); err != nil {
		return err
	}
	for len(p.pending) > 0 {
		if err := p.emit(); err != nil {
			return err
		}
	}
	return nil
}

// close stops the workers, waiting for batches in flight. It may be
// called more than once.
func (p *rowPipeline) close() {
	if p.closed {
		return
	}
	p.closed = true
	close(p.jobs)
	for _, b := range p.pending {
		<-b.done
	}
	p.pending = nil
}
