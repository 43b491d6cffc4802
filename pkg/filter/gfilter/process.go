package gfilter

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/filter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
)

// counts are the totals --print-statistics and --print-volume-statistics
// report.
type counts struct {
	files                uint64
	read, pass           uint64
	readPkts, passPkts   uint64
	readBytes, passBytes uint64
}

// batch is the result of filtering one block: the records each kind of
// destination wants, and the block's counts.
type batch struct {
	pass, fail, all []flowfile.Record
	c               counts
	warn            error // a corrupt block or unreadable tail: reported, not fatal
}

// fileResult streams a file's batches to the writer, in file order.
type fileResult struct {
	name    string
	batches chan *batch
	err     error // set before batches is closed: the file could not be opened
}

var batchPool = sync.Pool{New: func() any { return new(batch) }}

func (b *batch) reset() {
	b.pass, b.fail, b.all = b.pass[:0], b.fail[:0], b.all[:0]
	b.c = counts{}
	b.warn = nil
}

// process reads the inputs on o.threads goroutines (one file each), filters
// every block, and writes the results in input order from one goroutine.
func process(f *filter.Filter, o *options, in inputs, std cli.IO) error {
	var passW, failW, allW []*flowfile.Writer
	closeAll := func() {
		for _, ws := range [][]*flowfile.Writer{passW, failW, allW} {
			for _, w := range ws {
				w.Close()
			}
		}
	}
	open := func(dests []string) ([]*flowfile.Writer, error) {
		var ws []*flowfile.Writer
		for _, d := range dests {
			w, err := pipe.Create(d, std.Out)
			if err != nil {
				return ws, fmt.Errorf("%s: %w", d, err)
			}
			ws = append(ws, w)
		}
		return ws, nil
	}
	var err error
	if passW, err = open(o.pass); err == nil {
		if failW, err = open(o.fail); err == nil {
			allW, err = open(o.all)
		}
	}
	if err != nil {
		closeAll()
		return err
	}

	want := wants{pass: len(passW) > 0, fail: len(failW) > 0, all: len(allW) > 0}
	// Volume statistics need every record's packets and bytes, so no block
	// may be skipped unread; for record counts a skipped block's size is
	// enough.
	skip := o.printVol == ""

	stop := make(chan struct{})
	results := make([]*fileResult, len(in.names))
	for i, n := range in.names {
		results[i] = &fileResult{name: n, batches: make(chan *batch, 8)}
	}
	jobs := make(chan *fileResult)
	threads := max(1, o.threads)
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for fr := range jobs {
				readFile(fr, f, want, skip, std.In, stop)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, fr := range results {
			select {
			case jobs <- fr:
			case <-stop:
				return
			}
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()

	var total counts
	progress := cli.NewProgress(std.Err)
	var passN, failN uint64
	done := func() bool {
		if want.all || (!want.pass && !want.fail) {
			return false
		}
		passFull := !want.pass || (o.maxPass > 0 && passN >= o.maxPass)
		failFull := !want.fail || (o.maxFail > 0 && failN >= o.maxFail)
		return passFull && failFull
	}
	write := func(ws []*flowfile.Writer, recs []flowfile.Record) error {
		for _, w := range ws {
			if err := w.WriteBlock(recs); err != nil {
				return err
			}
		}
		return nil
	}
	limit := func(recs []flowfile.Record, written, max uint64) []flowfile.Record {
		if max > 0 && written+uint64(len(recs)) > max {
			return recs[:max-written]
		}
		return recs
	}
	var werr error
files:
	for i, fr := range results {
		progress.Update("gfilter: reading file %d/%d %s", i+1, len(results), fr.name)
		for b := range fr.batches {
			if b.warn != nil {
				progress.Done()
				fmt.Fprintf(std.Err, "gfilter: warning: %v\n", b.warn)
			}
			addCounts(&total, &b.c)
			if werr == nil && want.pass && (o.maxPass == 0 || passN < o.maxPass) {
				recs := limit(b.pass, passN, o.maxPass)
				passN += uint64(len(recs))
				werr = write(passW, recs)
			}
			if werr == nil && want.fail && (o.maxFail == 0 || failN < o.maxFail) {
				recs := limit(b.fail, failN, o.maxFail)
				failN += uint64(len(recs))
				werr = write(failW, recs)
			}
			if werr == nil && want.all {
				werr = write(allW, b.all)
			}
			b.reset()
			batchPool.Put(b)
			if werr != nil || done() {
				break files
			}
		}
		if fr.err != nil {
			progress.Done()
			closeAll()
			return fr.err
		}
		total.files++
	}
	progress.Done()
	if werr != nil {
		closeAll()
		if pipe.IsClosedPipe(werr) {
			return nil // the reader downstream went away: a normal end
		}
		return werr
	}
	for _, ws := range [][]*flowfile.Writer{passW, failW, allW} {
		for _, w := range ws {
			if err := w.Close(); err != nil && werr == nil {
				werr = err
			}
		}
	}
	if werr != nil {
		if pipe.IsClosedPipe(werr) {
			return nil
		}
		return werr
	}
	return printStats(o, &total, std)
}

type wants struct{ pass, fail, all bool }

func addCounts(t, c *counts) {
	t.read += c.read
	t.pass += c.pass
	t.readPkts += c.readPkts
	t.passPkts += c.passPkts
	t.readBytes += c.readBytes
	t.passBytes += c.passBytes
}

// readFile filters one input and sends its batches; it closes fr.batches
// when done. It stops early when stop is closed.
func readFile(fr *fileResult, f *filter.Filter, want wants, skip bool, stdin io.Reader, stop <-chan struct{}) {
	defer close(fr.batches)
	in := pipe.Inputs([]string{fr.name}, stdin)
	defer in.Close()
	if !in.Next() {
		fr.err = in.Err()
		if fr.err == nil {
			fr.err = fmt.Errorf("%s: cannot read", fr.name)
		}
		return
	}
	r := in.Reader()
	var skipped uint64
	if skip {
		r.SetBlockFilter(func(s *flowfile.BlockSummary) bool {
			if f.KeepBlock(s) {
				return true
			}
			skipped += uint64(s.Records)
			return false
		})
	}
	send := func(b *batch) bool {
		select {
		case fr.batches <- b:
			return true
		case <-stop:
			return false
		}
	}
	for {
		recs, err := r.NextBlock()
		b := batchPool.Get().(*batch)
		b.c.read = skipped
		skipped = 0
		if err != nil {
			if errors.Is(err, io.EOF) {
				if b.c.read > 0 {
					send(b)
				}
				return
			}
			b.warn = err
			var be *flowfile.BlockError
			if !send(b) || !errors.As(err, &be) {
				return // not a bad block: the rest of the input is unreadable
			}
			continue
		}
		filterBlock(b, f, want, recs)
		if !send(b) {
			return
		}
	}
}

// filterBlock partitions recs into b. It does not allocate once b's slices
// have grown to a block's size.
func filterBlock(b *batch, f *filter.Filter, want wants, recs []flowfile.Record) {
	c := &b.c
	c.read += uint64(len(recs))
	if want.all {
		b.all = append(b.all, recs...)
	}
	for i := range recs {
		r := &recs[i]
		c.readPkts += r.Packets
		c.readBytes += r.Bytes
		if f.Match(r) {
			c.pass++
			c.passPkts += r.Packets
			c.passBytes += r.Bytes
			if want.pass {
				b.pass = append(b.pass, *r)
			}
		} else if want.fail {
			b.fail = append(b.fail, *r)
		}
	}
}

// printStats writes rwfilter's statistics layouts.
func printStats(o *options, t *counts, std cli.IO) error {
	dest := o.printStats
	if dest == "" {
		dest = o.printVol
	}
	if dest == "" {
		return nil
	}
	var w io.Writer
	switch dest {
	case "stderr":
		w = std.Err
	case "stdout", "-":
		w = std.Out
	default:
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if cli.Clobber() {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		fh, err := os.OpenFile(dest, flags, 0o644)
		if err != nil {
			return fmt.Errorf("statistics: %w", err)
		}
		defer fh.Close()
		w = fh
	}
	var err error
	if o.printStats != "" {
		_, err = fmt.Fprintf(w, "Files %5d.  Read %10d.  Pass %10d. Fail  %10d.\n",
			t.files, t.read, t.pass, t.read-t.pass)
	} else {
		_, err = fmt.Fprintf(w, "%5s|%18s|%18s|%20s|%10s|\n%5s|%18d|%18d|%20d|%10d|\n%5s|%18d|%18d|%20d|%10s|\n%5s|%18d|%18d|%20d|%10s|\n",
			"", "Recs", "Packets", "Bytes", "Files",
			"Total", t.read, t.readPkts, t.readBytes, t.files,
			"Pass", t.pass, t.passPkts, t.passBytes, "",
			"Fail", t.read-t.pass, t.readPkts-t.passPkts, t.readBytes-t.passBytes, "")
	}
	return err
}
