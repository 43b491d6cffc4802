package flowfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"
)

// Foreign formats are flow files written by other tools (SiLK's), which
// every tool reads with the same Reader as gflow's own files: NewReader and
// Open recognise them by the magic number they start with and read them
// through the Source of the Format registered for that magic.
//
// A foreign file has no stored gflow blocks, so its blocks are always
// decoded: RawBlock is nil, NextBlockOrRaw and VisitBlock never return raw
// blocks (they do not call raw), and SelectBlock refuses it. A caller that
// copies stored blocks checks Reader.Foreign first. Everything else (Next,
// NextRun, NextBlock, VisitBlockWhere, SetFields, SetBlockFilter,
// ParallelReader, Process) works as with gflow files; gflow's own files
// take none of these paths.

// Format is a foreign flow file format.
type Format struct {
	// Name names the format in messages ("SiLK").
	Name string
	// Magic is the bytes every file of the format starts with.
	Magic string
	// Open reads the file's header from src, which starts with Magic, and
	// returns the source of its records.
	Open func(src io.Reader) (Source, error)
}

// Source is an open foreign file: the records of its blocks, in file
// order.
type Source interface {
	// NextBlock decodes the next block's records into dst[:0] and returns
	// them. It sets sum's Index (block number, counting from 0), Offset
	// (input offset of the block's first byte), Records and Stored (the
	// block's record count) and leaves its other fields alone. fields says
	// which Record fields the caller reads; a Source may fill more.
	//
	// When keep is not nil, NextBlock first shows it sum with Index,
	// Offset, Records and Stored set; a block keep rejects is skipped
	// without being decoded, and NextBlock goes on with the next one.
	//
	// A block that cannot be decoded is reported as a *BlockError
	// (File left empty); the next call goes on after it. io.EOF ends the
	// input.
	NextBlock(dst []Record, fields Fields, sum *BlockSummary, keep func(*BlockSummary) bool) ([]Record, error)
	// Close releases what the Source holds. It does not close the input.
	Close() error
}

var (
	formatsMu sync.RWMutex
	formats   []Format
)

// RegisterFormat makes NewReader and Open read files that start with
// f.Magic through f.Open. Packages register their format in their init
// function.
func RegisterFormat(f Format) {
	if f.Magic == "" || strings.HasPrefix(f.Magic, FileMagic) || strings.HasPrefix(FileMagic, f.Magic) {
		panic(fmt.Sprintf("flowfile: format %q: magic %q conflicts with gflow's", f.Name, f.Magic))
	}
	formatsMu.Lock()
	defer formatsMu.Unlock()
	formats = append(formats, f)
}

// lookupFormat returns the registered format whose magic b starts with.
func lookupFormat(b []byte) (Format, bool) {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	for _, f := range formats {
		if bytes.HasPrefix(b, []byte(f.Magic)) {
			return f, true
		}
	}
	return Format{}, false
}

// maxMagic is the longest magic of the registered formats.
func maxMagic() int {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	n := 0
	for _, f := range formats {
		n = max(n, len(f.Magic))
	}
	return n
}

// ErrForeignBlocks is returned (wrapped) by SelectBlock on a foreign file,
// which has no stored gflow blocks to select from.
var ErrForeignBlocks = errors.New("a foreign file has no stored gflow blocks")

// foreignReader is the part of a Reader that reads a foreign file.
type foreignReader struct {
	src    Source
	format string
	blk    []Record // the block being returned
	pos    int      // position in blk
}

// openForeign hands the input, from its first byte, to f's Source.
func (r *Reader) openForeign(f Format) error {
	head := bytes.Clone(r.buf[r.r:r.w])
	src, err := f.Open(io.MultiReader(bytes.NewReader(head), r.src))
	if err != nil {
		return err
	}
	r.foreign = &foreignReader{src: src, format: f.Name}
	r.buf, r.r, r.w = nil, 0, 0
	return nil
}

// Foreign returns the Source of a foreign file (see Format), or nil for a
// gflow file. A caller may type-assert it to the format's own type to
// learn more about the file (its header).
func (r *Reader) Foreign() Source {
	if r.foreign == nil {
		return nil
	}
	return r.foreign.src
}

// FormatName returns the name of the input's format: "gflow", or the
// foreign Format's Name.
func (r *Reader) FormatName() string {
	if r.foreign == nil {
		return "gflow"
	}
	return r.foreign.format
}

// mayHoldAnything makes s the summary of a block about which nothing is
// known: every test that reads a summary to skip blocks keeps it.
func (s *BlockSummary) mayHoldAnything() {
	s.HasIPv4, s.HasIPv6 = true, true
	s.Types = math.MaxUint16
	s.MinSensor, s.MaxSensor = 0, math.MaxUint16
	// wide, yet far enough from the int64 limits that differences of
	// these bounds do not overflow
	s.MinSTime, s.MaxSTime, s.MaxETime = -1<<60, 1<<60, 1<<60
	for i := range s.Protocols {
		s.Protocols[i] = math.MaxUint64
	}
	s.selected = false
}

// foreignBlock decodes the next block of the foreign file into dst[:0].
func (r *Reader) foreignBlock(dst []Record, sum *BlockSummary) ([]Record, error) {
	var keep func(*BlockSummary) bool
	if r.filter != nil {
		keep = func(s *BlockSummary) bool {
			s.mayHoldAnything()
			return r.filter(s)
		}
	}
	recs, err := r.foreign.src.NextBlock(dst, r.fields, sum, keep)
	sum.mayHoldAnything()
	if err != nil {
		var be *BlockError
		if errors.As(err, &be) && be.File == "" {
			be.File = r.name
		}
		return dst[:0], err
	}
	return recs, nil
}

// foreignNext is next for a foreign file: the next records of the current
// block, at most limit of them, or of the next block that has any.
func (r *Reader) foreignNext(limit int) ([]Record, error) {
	f := r.foreign
	r.pos = 0
	r.recs = r.recs[:0]
	for f.pos >= len(f.blk) {
		blk, err := r.foreignBlock(f.blk[:0], &r.sum)
		f.blk, f.pos = blk, 0
		if err != nil {
			return nil, err
		}
	}
	n := min(limit, len(f.blk)-f.pos)
	r.recs = f.blk[f.pos : f.pos+n : f.pos+n]
	f.pos += n
	r.pos = n // Next starts over after NextRun and NextBlock
	return r.recs, nil
}

// foreignVisit is VisitBlockWhere for a foreign file. Records are decoded
// whole, so test sees every field.
func (r *Reader) foreignVisit(test func(*Record) bool, visit func(*Record)) error {
	recs, err := r.foreignNext(MaxBlockRecords)
	if err != nil {
		return err
	}
	for i := range recs {
		if test == nil || test(&recs[i]) {
			visit(&recs[i])
		}
	}
	r.recs = r.recs[:0]
	return nil
}

// processForeign is Process for a foreign file: the calling goroutine
// decodes the blocks (a foreign Source reads sequentially), the workers
// call fn with their runs.
func processForeign(r *Reader, workers int, fn func(worker int, run []Record) error, onBad func(*BlockError)) error {
	type job struct {
		sum  BlockSummary
		recs []Record
	}
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
			for j := range jobs {
				for i := 0; i < len(j.recs) && !stop.Load(); i += RunRecords {
					if err := fn(w, j.recs[i:min(i+RunRecords, len(j.recs))]); err != nil {
						fail(err)
						break
					}
				}
				free <- j
			}
		}()
	}
	for !stop.Load() {
		j := <-free
		recs, err := r.foreignBlock(j.recs[:0], &j.sum)
		j.recs = recs
		if err != nil {
			free <- j
			var be *BlockError
			if errors.As(err, &be) {
				if onBad != nil {
					onBad(be)
				}
				continue
			}
			if !errors.Is(err, io.EOF) {
				fail(err)
			}
			break
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// StartsFlows reports whether b, the first bytes of an input, begins a
// flow file or stream that NewReader reads: gflow's or a registered
// format's. b needs at least len(FileMagic) bytes to say yes.
func StartsFlows(b []byte) bool {
	if bytes.HasPrefix(b, []byte(FileMagic)) {
		return true
	}
	_, ok := lookupFormat(b)
	return ok
}
