package collector

import (
	"errors"
	"sync/atomic"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Encoding a block (its dictionaries, columns and compression) costs
// several times what decoding and routing a flow does. Left on the one
// goroutine that routes records, it bounds the whole collector to one
// core; so each open file gets a goroutine of its own that encodes and
// writes, and the router only copies records into chunks.
//
// A chunk of chunkRecords records (about 0.6 MB) is handed over at a time;
// up to chunksPerFile of them exist per file, so a file whose goroutine
// falls behind slows the router down instead of growing without bound.
const (
	chunkRecords  = 4096
	chunksPerFile = 4
)

// errWriterClosed is returned for use of a backgroundWriter after Close.
var errWriterClosed = errors.New("write after close")

// backgroundWriter is a RecordWriter whose records are written by a
// goroutine of its own. Write only copies; Flush and Close wait until
// everything before them is written, and report the first error of the
// writes since the last report. A write error ends the writer: the
// records of the chunks in flight are lost with it (Write reports the
// error at the next chunk, Flush and Close at once).
type backgroundWriter struct {
	w     RecordWriter
	cur   []flowfile.Record
	work  chan bgJob
	free  chan []flowfile.Record
	ack   chan error
	made  int  // chunks allocated
	await bool // a flush was started and its ack not yet read
	err   error
	done  bool
	// failed is the goroutine's first write error, for Write to see
	// without waiting for a flush.
	failed atomic.Pointer[error]
	// lost counts the records handed over that did not reach the file:
	// those w held when it failed and those handed over after.
	lost atomic.Uint64
}

// buffered is a RecordWriter that tells how many records it holds that
// are not on the file yet (flowfile.Writer): when it fails, those are
// lost.
type buffered interface{ Buffered() int }

type bgJob struct {
	recs  []flowfile.Record
	flush bool
	close bool
}

// inBackground wraps w; the goroutine ends with Close.
func inBackground(w RecordWriter) *backgroundWriter {
	b := &backgroundWriter{
		w:    w,
		work: make(chan bgJob, chunksPerFile+2),
		free: make(chan []flowfile.Record, chunksPerFile),
		ack:  make(chan error, 1),
	}
	go b.run()
	return b
}

func (b *backgroundWriter) run() {
	var err error
	fail := func(e error) {
		err = e
		b.failed.Store(&e)
		if bw, ok := b.w.(buffered); ok {
			b.lost.Add(uint64(bw.Buffered()))
		}
	}
	for j := range b.work {
		for i := range j.recs {
			if err != nil {
				b.lost.Add(uint64(len(j.recs) - i))
				break
			}
			if e := b.w.Write(&j.recs[i]); e != nil {
				fail(e)
				if _, ok := b.w.(buffered); !ok {
					b.lost.Add(1) // a writer that does not tell: this record at least
				}
			}
		}
		if j.recs != nil {
			b.free <- j.recs[:0]
		}
		switch {
		case j.close:
			if err == nil {
				// Close flushes the last block: a failure loses it
				if cerr := b.w.Close(); cerr != nil {
					fail(cerr)
				}
			} else {
				b.w.Close()
			}
			b.ack <- err
			return
		case j.flush:
			if err == nil {
				if ferr := b.w.Flush(); ferr != nil {
					fail(ferr)
				}
			}
			b.ack <- err
		}
	}
}

// Lost returns the number of records handed to the writer that did not
// reach the file because of a write error. It is exact once Flush or
// Close has returned.
func (b *backgroundWriter) Lost() uint64 { return b.lost.Load() }

// Write copies rec into the current chunk.
func (b *backgroundWriter) Write(rec *flowfile.Record) error {
	if b.err != nil {
		return b.err
	}
	if b.cur == nil {
		if p := b.failed.Load(); p != nil {
			b.err = *p
			return b.err
		}
		b.cur = b.chunk()
	}
	b.cur = append(b.cur, *rec)
	if len(b.cur) == cap(b.cur) {
		b.work <- bgJob{recs: b.cur}
		b.cur = nil
	}
	return nil
}

func (b *backgroundWriter) chunk() []flowfile.Record {
	select {
	case c := <-b.free:
		return c
	default:
	}
	if b.made < chunksPerFile {
		b.made++
		return make([]flowfile.Record, 0, chunkRecords)
	}
	return <-b.free
}

// StartFlush hands over what was written and asks for a flush without
// waiting for it, so that the Sink flushes all its files at once; Flush
// then waits.
func (b *backgroundWriter) StartFlush() {
	if b.err != nil || b.await {
		return
	}
	b.work <- bgJob{recs: b.cur, flush: true}
	b.cur = nil
	b.await = true
}

// Flush writes everything written so far and ends the current block.
func (b *backgroundWriter) Flush() error {
	if b.err != nil {
		return b.err
	}
	b.StartFlush()
	b.await = false
	if err := <-b.ack; err != nil {
		b.err = err
	}
	return b.err
}

// Close writes what is left, closes the file and ends the goroutine.
func (b *backgroundWriter) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	if b.await {
		b.await = false
		if err := <-b.ack; err != nil && b.err == nil {
			b.err = err
		}
	}
	b.work <- bgJob{recs: b.cur, close: true}
	b.cur = nil
	err := <-b.ack
	close(b.work)
	if b.err != nil {
		err = b.err // the first error, already returned once, is the cause
	}
	b.err = errWriterClosed
	return err
}
