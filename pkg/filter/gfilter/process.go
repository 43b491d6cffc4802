package gfilter

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/filter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
)

// counts are the totals --print-statistics and --print-volume-statistics
// report.
type counts struct {
	files      uint64
	read, pass uint64
	// packets and bytes of the records that pass and fail; sums
	// saturate (flowfile.AddCount)
	passPkts, failPkts   uint64
	passBytes, failBytes uint64
}

// batch is the result of filtering one block: the records each kind of
// destination wants, and the block's counts.
//
// A destination's records come in one of three forms: records for the
// writer to encode (few of them, or cut by --max-pass-records), a block
// the lane encoded already (passEnc, failEnc, allEnc), or the input block
// as stored (raw) when every record of it goes to the destination.
type batch struct {
	index           int // block number in its file; batches are written in this order
	pass, fail, all []flowfile.Record
	passEnc         []byte
	failEnc         []byte
	allEnc          []byte
	raw             []byte // the input block as stored, when rawPass, rawFail, rawAll, selPass or selFail
	rawPass, rawAll bool
	rawFail         bool
	// selPass and selFail: the destination takes the records of raw that
	// passSel or failSel mark, passN or failN of them
	selPass, selFail bool
	passSel, failSel []uint64
	passN, failN     int
	c                counts
	warn             error // a corrupt block or unreadable tail: reported, not fatal
}

// fileResult streams a file's batches to the writer. A regular file is
// read by several lanes at once: lane k of n decodes the blocks whose
// number is k modulo n and only steps over the others, so one big file
// still keeps every core busy. Each lane sends its batches in block order
// and the writer merges the lanes by block number.
type fileResult struct {
	name  string
	lanes []chan *batch
	err   error // set by lane 0 before its channel is closed: the file could not be opened
}

// lane is one unit of work: lane k of a file.
type lane struct {
	fr       *fileResult
	k        int
	decoders int // for an input read by one lane: goroutines decoding its blocks
}

var batchPool = sync.Pool{New: func() any { return new(batch) }}

func (b *batch) reset() {
	b.pass, b.fail, b.all = b.pass[:0], b.fail[:0], b.all[:0]
	b.passEnc, b.failEnc, b.allEnc, b.raw = b.passEnc[:0], b.failEnc[:0], b.allEnc[:0], b.raw[:0]
	b.rawPass, b.rawAll, b.rawFail = false, false, false
	b.selPass, b.selFail = false, false
	b.passSel, b.failSel = b.passSel[:0], b.failSel[:0]
	b.passN, b.failN = 0, 0
	b.c = counts{}
	b.warn = nil
	b.index = 0
}

// process reads the inputs on o.threads goroutines (one file each), filters
// every block, and writes the results in input order from one goroutine.
func process(f *filter.Filter, o *options, in inputs, std cli.IO) error {
	var passW, failW, allW []flowOut
	closeAll := func() {
		for _, ws := range [][]flowOut{passW, failW, allW} {
			for _, w := range ws {
				w.Close()
			}
		}
	}
	open := func(dests []string) ([]flowOut, error) {
		var ws []flowOut
		for _, d := range dests {
			w, err := createOut(d, std.Out, o.outputFormat)
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
	// Into pipes, the blocks whose records pass in part are written whole
	// with a selection of those records: a copy instead of an encoding.
	// Regular files, which are kept, get only the records.
	streams := func(dests []string) bool {
		for _, d := range dests {
			if !pipe.IsStream(d, std.Out) {
				return false
			}
		}
		return true
	}
	// Another output format takes records: no stored block is copied.
	want.records = o.outputFormat != pipe.FormatGflow
	want.sel = !want.records && (want.pass || want.fail) &&
		(!want.pass || (o.maxPass == 0 && streams(o.pass))) &&
		(!want.fail || (o.maxFail == 0 && streams(o.fail)))
	// Volume statistics need every record's packets and bytes, so no block
	// may be skipped unread; for record counts a skipped block's size is
	// enough.
	// A skipped block's records all fail, so they still go to the fail
	// and all destinations: such blocks are copied there undecoded.
	skip := o.printVol == ""

	stop := make(chan struct{})
	threads := max(1, o.threads)
	results := make([]*fileResult, len(in.names))
	for i, n := range in.names {
		nl := 1
		if threads > 1 && laneable(n) {
			nl = threads
		}
		results[i] = &fileResult{name: n, lanes: make([]chan *batch, nl)}
		for k := range results[i].lanes {
			// a few batches ahead smooth out the lanes' pace; each may
			// hold a block's worth of records, so no more than that
			results[i].lanes[k] = make(chan *batch, 4)
		}
	}
	jobs := make(chan lane)
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range jobs {
				readLane(l, f, o, want, skip, std.In, stop)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, fr := range results {
			for k := range fr.lanes {
				select {
				case jobs <- lane{fr, k, threads}:
				case <-stop:
					return
				}
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
	write := func(ws []flowOut, recs []flowfile.Record) error {
		for _, w := range ws {
			if err := w.WriteBlock(recs); err != nil {
				return err
			}
		}
		return nil
	}
	writeSel := func(ws []flowOut, blk []byte, sel []uint64, n int) error {
		for _, w := range ws {
			if err := w.WriteSelected(blk, sel, n); err != nil {
				return err
			}
		}
		return nil
	}
	writeRaw := func(ws []flowOut, blk []byte) error {
		for _, w := range ws {
			if err := w.WriteRaw(blk); err != nil {
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
	unread := 0 // files that could not be read
files:
	for i, fr := range results {
		progress.Update("gfilter: reading file %d/%d %s", i+1, len(results), fr.name)
		if o.printFilenames {
			progress.Done()
			fmt.Fprintln(std.Err, fr.name)
		}
		for b := range merged(fr) {
			if b.warn != nil {
				progress.Done()
				cli.Warnf(std.Err, "gfilter", "%v", b.warn)
			}
			addCounts(&total, &b.c)
			// raw and encoded blocks come only when there is no limit to cut them at
			if werr == nil && want.pass && (o.maxPass == 0 || passN < o.maxPass) {
				switch {
				case b.rawPass:
					werr = writeRaw(passW, b.raw)
				case b.selPass:
					werr = writeSel(passW, b.raw, b.passSel, b.passN)
				case len(b.passEnc) > 0:
					werr = writeRaw(passW, b.passEnc)
				default:
					recs := limit(b.pass, passN, o.maxPass)
					passN += uint64(len(recs))
					werr = write(passW, recs)
				}
			}
			if werr == nil && want.fail && (o.maxFail == 0 || failN < o.maxFail) {
				if b.rawFail {
					werr = writeRaw(failW, b.raw)
				} else if b.selFail {
					werr = writeSel(failW, b.raw, b.failSel, b.failN)
				} else if len(b.failEnc) > 0 {
					werr = writeRaw(failW, b.failEnc)
				} else {
					recs := limit(b.fail, failN, o.maxFail)
					failN += uint64(len(recs))
					werr = write(failW, recs)
				}
			}
			if werr == nil && want.all {
				switch {
				case b.rawAll:
					werr = writeRaw(allW, b.raw)
				case len(b.allEnc) > 0:
					werr = writeRaw(allW, b.allEnc)
				default:
					werr = write(allW, b.all)
				}
			}
			b.reset()
			batchPool.Put(b)
			if werr != nil || done() {
				break files
			}
		}
		if fr.err != nil {
			// A file that cannot be read is a warning, as in rwfilter,
			// unless it is the user's one input.
			progress.Done()
			if len(results) == 1 && !in.repo {
				closeAll()
				return fr.err
			}
			cli.Warnf(std.Err, "gfilter", "%v", fr.err)
			unread++
			continue
		}
		total.files++
	}
	progress.Done()
	if werr == nil && unread > 1 && unread == len(results) && !in.repo {
		closeAll()
		return fmt.Errorf("none of the %d inputs could be read", unread)
	}
	if werr != nil {
		closeAll()
		if pipe.IsClosedPipe(werr) {
			return nil // the reader downstream went away: a normal end
		}
		return werr
	}
	for _, ws := range [][]flowOut{passW, failW, allW} {
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

// wants says which destinations there are; sel that the pass and fail
// destinations take blocks with selections (batch.selPass, selFail);
// records that they take records only, no stored or encoded blocks (an
// output format other than gflow's).
type wants struct{ pass, fail, all, sel, records bool }

func addCounts(t, c *counts) {
	t.read += c.read
	t.pass += c.pass
	t.passPkts = flowfile.AddCount(t.passPkts, c.passPkts)
	t.failPkts = flowfile.AddCount(t.failPkts, c.failPkts)
	t.passBytes = flowfile.AddCount(t.passBytes, c.passBytes)
	t.failBytes = flowfile.AddCount(t.failBytes, c.failBytes)
}

// laneable reports whether name can be read by several lanes at once: a
// regular file (not standard input, not gzipped).
func laneable(name string) bool {
	if name == "stdin" || name == "-" || strings.HasSuffix(name, ".gz") {
		return false
	}
	fi, err := os.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}

// merged yields a file's batches in block order, merging its lanes.
func merged(fr *fileResult) func(yield func(*batch) bool) {
	return func(yield func(*batch) bool) {
		heads := make([]*batch, len(fr.lanes))
		open := make([]bool, len(fr.lanes))
		for k := range open {
			open[k] = true
		}
		for {
			best := -1
			for k := range heads {
				if heads[k] == nil && open[k] {
					heads[k], open[k] = <-fr.lanes[k]
				}
				if heads[k] != nil && (best < 0 || heads[k].index < heads[best].index) {
					best = k
				}
			}
			if best < 0 {
				return
			}
			b := heads[best]
			heads[best] = nil
			if !yield(b) {
				return
			}
		}
	}
}

// encodeMin is the fewest records a lane encodes into a block of their
// own; fewer go to the writer, which gathers them into full blocks.
const encodeMin = 1024

// laneWork is what a lane needs besides its input: the filter, the
// destinations wanted, and the lane's own block encoder, so that the
// passing records of different blocks are encoded on every core and the
// writing goroutine only copies bytes.
type laneWork struct {
	f      *filter.Filter
	want   wants
	enc    *flowfile.BlockEncoder
	encode wants // destinations whose records the lane may encode: no record limit to cut at
	proof  allPass
	undec  bool // a proven block need not be decoded: no volume statistics, no limit

	need    flowfile.Fields // what the test and the counts read of a record
	vol     bool            // count packets and bytes
	matched bool            // the record test saw last passed
}

// readLane filters lane l.k of a file and sends its batches; it closes the
// lane's channel when done. It stops early when stop is closed.
func readLane(l lane, f *filter.Filter, o *options, want wants, skip bool, stdin io.Reader, stop <-chan struct{}) {
	fr, out := l.fr, l.fr.lanes[l.k]
	defer close(out)
	nl := len(fr.lanes)
	var r *flowfile.Reader
	var pr *flowfile.ParallelReader
	if nl == 1 {
		in := pipe.Inputs([]string{fr.name}, stdin)
		defer in.Close()
		if !in.Next() {
			fr.err = in.Err()
			if fr.err == nil {
				fr.err = fmt.Errorf("%s: cannot read", fr.name)
			}
			return
		}
		r = in.Reader()
		if l.decoders > 1 && !want.sel {
			// standard input or a gzipped file: one reader, its blocks
			// decoded on every core by flowfile's ParallelReader (with
			// selections, one core tests the few columns it needs at less
			// cost than decoding every column on all of them)
			pr = flowfile.NewParallelReader(r, l.decoders)
			defer pr.Close()
		}
	} else {
		// Every lane reads the same prefix of the file, even if it grows
		// meanwhile, so the lanes agree on the block numbers.
		fh, err := os.Open(fr.name)
		var size int64
		if err == nil {
			var fi os.FileInfo
			if fi, err = fh.Stat(); err == nil {
				size = fi.Size()
			}
		}
		if err == nil {
			r, err = flowfile.NewReader(io.LimitReader(fh, size))
		}
		if fh != nil {
			defer fh.Close()
		}
		if err != nil {
			if l.k == 0 {
				fr.err = pipe.InputError(fr.name, err)
			}
			return
		}
		r.SetName(fr.name)
		// the view is limited, the file is not: a writer may complete
		// its last block
		r.SetGrowing(func() bool { return flowfile.BeingWritten(fh) })
		defer r.Close()
	}
	lw := laneWork{
		f: f, want: want, proof: o.allPass,
		encode: wants{pass: o.maxPass == 0, fail: o.maxFail == 0, all: true},
		undec:  o.printVol == "" && (!want.pass || o.maxPass == 0),
		need:   o.need,
		vol:    o.printVol != "",
	}
	if (want.pass || want.fail || want.all) && !want.records {
		lw.enc = flowfile.NewBlockEncoder(pipe.StreamCodec)
		defer lw.enc.Close()
	}
	// A foreign file (SiLK's) has no stored blocks to copy or select from,
	// and another output format takes records: such blocks are decoded
	// whole and filtered record by record.
	decoded := r.Foreign() != nil || want.records
	var skipped uint64
	r.SetBlockFilter(func(s *flowfile.BlockSummary) bool {
		if s.Index%nl != l.k {
			return false // another lane's block
		}
		if skip && !want.fail && !want.all && !f.KeepBlock(s) {
			skipped += uint64(s.Records)
			return false
		}
		return true
	})
	// A block is used as stored when its summary proves that every
	// record passes, or (with fail or all destinations) that none does.
	var rawFail bool
	rawOK := func(s *flowfile.BlockSummary) bool {
		if lw.undec && lw.proof != nil && lw.proof(s) {
			rawFail = false
			return true
		}
		if skip && (!want.fail || o.maxFail == 0) && !f.KeepBlock(s) {
			rawFail = true
			return true
		}
		return false
	}
	send := func(b *batch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	var cur *batch // the batch test and keep fill
	test := func(r *flowfile.Record) bool { return lw.test(cur, r) }
	keep := func(r *flowfile.Record) { lw.keep(cur, r) }
	match := func(r *flowfile.Record) bool { lw.test(cur, r); return lw.matched }
	for {
		var recs []flowfile.Record
		var raw []byte
		var err error
		b := batchPool.Get().(*batch)
		selected := false
		if pr != nil {
			recs, err = pr.NextBlock()
		} else if decoded {
			recs, err = r.NextBlock()
		} else if want.sel {
			cur = b
			var sel []uint64
			var n int
			sel, n, err = r.SelectBlock(rawOK, lw.need, match)
			if err != nil {
				b.reset() // what a corrupt block's first records left
			} else if sel == nil {
				raw = r.RawBlock()
			} else {
				selected = true
				lw.selected(b, r, sel, n)
			}
		} else {
			cur = b
			raw, err = r.VisitBlockWhere(rawOK, lw.need, test, keep)
			if err != nil {
				b.reset() // what a corrupt block's first records left
			}
		}
		b.c.read += skipped
		skipped = 0
		if err != nil {
			b.index = math.MaxInt
			if errors.Is(err, io.EOF) {
				if b.c.read > 0 {
					send(b)
				}
				return
			}
			var be *flowfile.BlockError
			if errors.As(err, &be) {
				if be.Block%nl != l.k {
					// the lane that owns the block reports it
					skipped = b.c.read
					b.reset()
					batchPool.Put(b)
					continue
				}
				b.index = be.Block
				b.warn = err
				if !send(b) {
					return
				}
				continue
			}
			// not a bad block: the rest of the input is unreadable
			if l.k == 0 {
				b.warn = err
				send(b)
			}
			return
		}
		if selected {
			b.index = r.Summary().Index
		} else if raw != nil {
			// every record passes, or none does, as the block's summary proves
			b.index = r.Summary().Index
			n := uint64(r.Summary().Records)
			b.c.read += n
			if rawFail {
				b.rawFail, b.rawAll = want.fail, want.all
			} else {
				b.c.pass += n
				b.rawPass, b.rawAll = want.pass, want.all
			}
			if b.rawPass || b.rawFail || b.rawAll {
				b.raw = append(b.raw[:0], raw...)
			}
		} else if pr != nil {
			b.index = pr.Summary().Index
			lw.filterBlock(b, recs)
		} else if decoded {
			b.index = r.Summary().Index
			lw.filterBlock(b, recs)
		} else {
			// visited: every record is in b already
			b.index = r.Summary().Index
			lw.finish(b, b.c.pass == uint64(r.Summary().Records), nil, r.RawBlock())
		}
		if !send(b) {
			return
		}
	}
}

// test counts a record, built with the fields lw.need only, and tells
// whether a destination wants it: then keep gets it whole.
func (lw *laneWork) test(b *batch, r *flowfile.Record) bool {
	c := &b.c
	c.read++
	lw.matched = lw.f.Match(r)
	if lw.matched {
		c.pass++
		if lw.vol {
			c.passPkts = flowfile.AddCount(c.passPkts, r.Packets)
			c.passBytes = flowfile.AddCount(c.passBytes, r.Bytes)
		}
		return lw.want.pass
	}
	if lw.vol {
		c.failPkts = flowfile.AddCount(c.failPkts, r.Packets)
		c.failBytes = flowfile.AddCount(c.failBytes, r.Bytes)
	}
	return lw.want.fail
}

// selected fills b from a block r.SelectBlock read: sel marks the n
// records of r.RawBlock() that pass; the others of the block's records
// fail.
func (lw *laneWork) selected(b *batch, r *flowfile.Reader, sel []uint64, n int) {
	want := lw.want
	failN := r.Summary().Records - n
	pass, fail := want.pass && n > 0, want.fail && failN > 0
	if !pass && !fail && !want.all {
		return
	}
	b.raw = append(b.raw[:0], r.RawBlock()...)
	b.rawAll = want.all
	if pass {
		b.selPass, b.passN = true, n
		b.passSel = append(b.passSel[:0], sel...)
	}
	if fail {
		b.selFail, b.failN = true, failN
		b.failSel = append(b.failSel[:0], sel...)
		if in := r.BlockSelection(); in != nil {
			for i, w := range in {
				b.failSel[i] = w &^ b.failSel[i]
			}
		} else {
			for i := range b.failSel {
				b.failSel[i] = ^b.failSel[i]
			}
			if extra := len(b.failSel)*64 - r.Summary().Stored; extra > 0 {
				b.failSel[len(b.failSel)-1] &= ^uint64(0) >> extra
			}
		}
	}
}

// keep adds a record test accepted to b. The reader tests a block's
// records before it builds the accepted ones whole, so keep matches
// again.
func (lw *laneWork) keep(b *batch, r *flowfile.Record) {
	if lw.want.pass && (!lw.want.fail || lw.f.Match(r)) {
		b.pass = append(b.pass, *r)
	} else {
		b.fail = append(b.fail, *r)
	}
}

// filterBlock partitions recs, a whole block, into b. It does not
// allocate once b's slices have grown to a block's size.
func (lw *laneWork) filterBlock(b *batch, recs []flowfile.Record) {
	f, want := lw.f, lw.want
	c := &b.c
	c.read += uint64(len(recs))
	every := true // every record so far passed: b.pass is still empty
	for i := range recs {
		r := &recs[i]
		if f.Match(r) {
			c.pass++
			c.passPkts = flowfile.AddCount(c.passPkts, r.Packets)
			c.passBytes = flowfile.AddCount(c.passBytes, r.Bytes)
			if want.pass && !every {
				b.pass = append(b.pass, *r)
			}
			continue
		}
		c.failPkts = flowfile.AddCount(c.failPkts, r.Packets)
		c.failBytes = flowfile.AddCount(c.failBytes, r.Bytes)
		if every {
			every = false
			if want.pass {
				b.pass = append(b.pass, recs[:i]...)
			}
		}
		if want.fail {
			b.fail = append(b.fail, *r)
		}
	}
	if want.pass && every && len(recs) > 0 {
		b.pass = append(b.pass, recs...)
	}
	lw.finish(b, every && len(recs) > 0, recs, nil)
}

// finish prepares b's destinations once its block is filtered: every
// says whether all of the block's records passed, recs are the block's
// records when the caller has them (for an all destination), raw the
// block as stored when the caller has it. A destination that takes every
// record of the block gets raw; the lane encodes what else there is
// enough of.
func (lw *laneWork) finish(b *batch, every bool, recs []flowfile.Record, raw []byte) {
	want := lw.want
	if want.pass && every && raw != nil && lw.encode.pass {
		b.pass = b.pass[:0]
		b.raw = append(b.raw[:0], raw...)
		b.rawPass = true
	}
	if want.all {
		if raw != nil {
			if !b.rawPass {
				b.raw = append(b.raw[:0], raw...)
			}
			b.rawAll = true
		} else {
			b.all = append(b.all, recs...)
		}
	}
	if lw.enc != nil {
		b.passEnc = lw.encodeRecs(b.passEnc, &b.pass, lw.encode.pass)
		b.failEnc = lw.encodeRecs(b.failEnc, &b.fail, lw.encode.fail)
		b.allEnc = lw.encodeRecs(b.allEnc, &b.all, lw.encode.all)
	}
}

// encodeRecs encodes *recs into a block in dst when ok and there are
// enough of them, and then empties *recs. Should encoding fail, the
// records stay for the writer, whose Writer reports the failure.
func (lw *laneWork) encodeRecs(dst []byte, recs *[]flowfile.Record, ok bool) []byte {
	if !ok || len(*recs) < encodeMin {
		return dst[:0]
	}
	dst, err := lw.enc.AppendBlock(dst[:0], *recs)
	if err != nil {
		return dst[:0]
	}
	*recs = (*recs)[:0]
	return dst
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
			"Total", t.read, flowfile.AddCount(t.passPkts, t.failPkts), flowfile.AddCount(t.passBytes, t.failBytes), t.files,
			"Pass", t.pass, t.passPkts, t.passBytes, "",
			"Fail", t.read-t.pass, t.failPkts, t.failBytes, "")
	}
	return err
}
