package flowfile

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// Reader reads records from a flow file or stream.
//
// Next and NextBlock return io.EOF at the end of the input. An incomplete
// block at the end of a file that a writer holds is not an error: the
// file is growing, and a later call reads the block once it is complete
// (Pending tells how many bytes wait). At the end of an input that is
// complete (a stream, a file no writer holds) an incomplete block is
// reported as a *BlockError whose Err is a *TruncatedError. A corrupt
// block returns a *BlockError; the next call resumes at the next intact
// block.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	src    io.Reader
	file   *os.File // set when Open opened it
	name   string
	hdr    Header
	buf    []byte
	r, w   int   // unread bytes are buf[r:w]
	off    int64 // input offset of buf[r]
	block  int   // index of the next block
	resync bool  // scan for the next block magic before reading a header
	// growing tells, at an incomplete block at the end of the input,
	// whether a writer may still complete it (nil: none can)
	growing func() bool
	records uint64 // records of the blocks met so far, as their intact headers count them
	filter  func(*BlockSummary) bool
	dec     decompressor
	sum     BlockSummary
	recs    []Record
	pos     int      // Next's position in recs
	frame   []byte   // the stored bytes of the block last read
	sel     []uint64 // the selection of the block last read; empty: none
	kept    []uint64 // the bitmap of SelectBlock and VisitBlockWhere
	fields  Fields   // what records are built with

	foreign *foreignReader // set for a file in a foreign format (foreign.go)
}

const readChunk = 256 << 10

// NewReader reads and checks the header of src.
//
// When src is a regular file, an incomplete block at its end is taken for
// one being written while a writer holds the file (see SetGrowing);
// otherwise (a pipe, standard input) the input is complete when it ends,
// and an incomplete block at its end is reported as truncated.
func NewReader(src io.Reader) (*Reader, error) {
	r := &Reader{src: src, buf: make([]byte, 0, readChunk), fields: AllFields}
	if f, ok := src.(*os.File); ok {
		r.growing = growingFile(f)
	}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// Open opens a flow file. Close closes it.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &Reader{src: f, file: f, name: path, buf: make([]byte, 0, readChunk), fields: AllFields}
	r.growing = growingFile(f)
	if err := r.readHeader(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// growingFile returns the growing function (SetGrowing) of f: BeingWritten
// for a regular file, nil for anything else (a pipe, a device), which
// ends when its writer is done.
func growingFile(f *os.File) func() bool {
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	return func() bool { return BeingWritten(f) }
}

func (r *Reader) readHeader() error {
	err := r.fill(max(fileHeaderFixed, maxMagic()))
	if f, ok := lookupFormat(r.buf[r.r:r.w]); ok {
		return r.openForeign(f)
	}
	if err != nil && r.avail() < fileHeaderFixed {
		if errors.Is(err, io.EOF) {
			if r.avail() == 0 {
				return fmt.Errorf("%w: empty input", ErrTruncatedHeader)
			}
			if r.avail() >= 4 && string(r.buf[r.r:r.r+4]) != FileMagic {
				return ErrNotFlowFile
			}
			return fmt.Errorf("%w: %d bytes", ErrTruncatedHeader, r.avail())
		}
		return err
	}
	n, err := headerLen(r.buf[r.r:])
	if err != nil {
		return err
	}
	if err := r.fill(n); err != nil && r.avail() < n {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: %d of %d bytes", ErrTruncatedHeader, r.avail(), n)
		}
		return err
	}
	h, err := parseHeader(r.buf[r.r : r.r+n])
	if err != nil {
		return err
	}
	r.hdr = h
	r.consume(n)
	return nil
}

// SetGrowing sets how the Reader tells, when its input ends inside a
// block, whether a writer may still complete it: while growing returns
// true the Reader returns io.EOF and reads the block once it is complete
// (a file the collector is writing); when it returns false, or growing is
// nil, the input was cut short, and the Reader reports a BlockError whose
// Err is a *TruncatedError. Open and NewReader of a regular file ask
// BeingWritten; a reader of a file through another io.Reader (a
// size-limited view, say) sets it itself.
func (r *Reader) SetGrowing(growing func() bool) { r.growing = growing }

// Header returns the file's header.
func (r *Reader) Header() Header { return r.hdr }

// Name returns the name used in errors: the path given to Open, or the
// name set with SetName.
func (r *Reader) Name() string { return r.name }

// SetName sets the name BlockErrors report ("stdin", a path).
func (r *Reader) SetName(name string) { r.name = name }

// SetBlockFilter makes the Reader skip, without decompressing, every block
// whose summary keep rejects. A nil keep reads every block.
func (r *Reader) SetBlockFilter(keep func(*BlockSummary) bool) { r.filter = keep }

// SetFields makes the Reader build records with the fields f only (the
// others are zero), from f's columns only: a reader that needs a few
// fields skips the cost of decompressing the others. The default is
// AllFields. It takes effect at the next block; ParallelReader and
// Process follow the Reader's setting.
func (r *Reader) SetFields(f Fields) { r.fields = f }

// Fields returns the fields the Reader builds (SetFields).
func (r *Reader) Fields() Fields { return r.fields }

// RawBlock returns the stored bytes (block header and payload, checked
// against their CRCs) of the block the records last returned come from,
// valid until the next call of Next, NextRun or NextBlock. A tool that
// passes every record of a block on gives it to Writer.WriteRaw instead
// of encoding the records again.
func (r *Reader) RawBlock() []byte { return r.frame }

// Summary returns the summary of the block the records last returned
// come from.
func (r *Reader) Summary() *BlockSummary { return &r.sum }

// Offset returns the input offset of the next unread byte.
func (r *Reader) Offset() int64 { return r.off }

// Pending returns the number of bytes read past the last complete block:
// an incomplete block at the end of a growing (or torn) file.
func (r *Reader) Pending() int { return r.avail() }

// Close releases the decoder and closes the file if Open opened it.
func (r *Reader) Close() error {
	r.dec.release()
	if r.foreign != nil {
		r.foreign.src.Close()
	}
	if r.file != nil {
		f := r.file
		r.file = nil
		return f.Close()
	}
	return nil
}

// Next returns the next record. The record is valid until the next call of
// Next, NextRun or NextBlock.
func (r *Reader) Next() (*Record, error) {
	for r.pos >= len(r.recs) {
		if _, err := r.NextRun(); err != nil {
			return nil, err
		}
		r.pos = 0
	}
	rec := &r.recs[r.pos]
	r.pos++
	return rec, nil
}

// RunRecords is the most records NextRun returns at a time. Next and
// NextRun decode a block (up to MaxBlockRecords) in runs this long, so
// that the records are still in the CPU cache when the caller looks at
// them.
const RunRecords = 2048

// NextBlock returns the records of the next block (or what NextRun left
// of the current one). The slice is reused by the next call of Next,
// NextRun or NextBlock; Summary describes the block.
func (r *Reader) NextBlock() ([]Record, error) {
	recs, _, err := r.next(MaxBlockRecords, nil)
	return recs, err
}

// NextRun returns the next run of at most RunRecords records of the
// current block, then of the next block. The slice is reused by the next
// call of Next, NextRun or NextBlock; Summary describes the block the
// records come from. A caller that looks at every record as it goes is
// faster with runs than with whole blocks.
func (r *Reader) NextRun() ([]Record, error) {
	recs, _, err := r.next(RunRecords, nil)
	return recs, err
}

// NextBlockOrRaw is NextBlock for a caller that can use some blocks as
// they are stored: at the start of each block it asks raw, and when raw
// accepts the block's summary it returns the block's stored bytes (as
// RawBlock does, checked against their CRCs, valid until the next call)
// and no records, without decompressing anything. A tool that copies
// blocks whose summary proves every record passes skips all the work of
// decoding them.
func (r *Reader) NextBlockOrRaw(raw func(*BlockSummary) bool) ([]Record, []byte, error) {
	return r.next(MaxBlockRecords, raw)
}

// VisitBlock is NextBlockOrRaw for a caller that looks at each record
// once and keeps few of them: instead of returning the records of a block
// it calls visit with each of them in order. The Record visit gets is
// valid only during the call (visit copies what it keeps). When raw
// accepts the block's summary, VisitBlock returns the block's stored
// bytes instead, as NextBlockOrRaw does, and visits nothing.
//
// A corrupt block may be reported after some of its records were
// visited.
func (r *Reader) VisitBlock(raw func(*BlockSummary) bool, visit func(*Record)) ([]byte, error) {
	return r.VisitBlockWhere(raw, r.fields, nil, visit)
}

// VisitBlockWhere is VisitBlock for a caller that wants only some of the
// records and can tell them by a few fields: each record is first built
// with the fields of need only (the others are zero) and shown to test;
// only the records test accepts are built with the fields the Reader
// reads (SetFields) and shown to visit. The columns that hold no field of
// need are decompressed only when test accepts a record of the block. A
// nil test accepts every record.
func (r *Reader) VisitBlockWhere(raw func(*BlockSummary) bool, need Fields, test func(*Record) bool, visit func(*Record)) ([]byte, error) {
	if r.foreign != nil {
		return nil, r.foreignVisit(test, visit)
	}
	r.pos = 0
	r.recs = r.recs[:0]
	payload, err := r.nextFrame(&r.sum, &r.sel)
	if err != nil {
		return nil, err
	}
	if raw != nil && raw(&r.sum) {
		return r.frame, nil
	}
	if err := r.prepare(payload, 0); err != nil {
		return nil, err
	}
	blk := &r.dec.blk
	if test != nil {
		n, err := blk.selectRows(need, test, &r.kept)
		if err != nil {
			blk.reset()
			return nil, r.blockError(r.sum.Offset, r.sum.Index, err)
		}
		if n == 0 {
			blk.reset()
			return nil, nil
		}
		blk.sel = r.kept
	}
	if err := blk.want(r.fields); err != nil {
		blk.reset()
		return nil, r.blockError(r.sum.Offset, r.sum.Index, err)
	}
	for blk.remaining() > 0 {
		recs, err := r.run(RunRecords)
		if err != nil {
			return nil, err
		}
		for i := range recs {
			visit(&recs[i])
		}
	}
	r.recs = r.recs[:0]
	return nil, nil
}

// SelectBlock reads the next block and shows test each of its records,
// built with the fields of need only, without building any record whole:
// it returns the bitmap of the records test accepts (bit i%64 of sel[i/64]
// marks record i of the block as stored) and their number. A tool that
// passes records on writes RawBlock with the bitmap
// (Writer.WriteSelected) instead of encoding them again. sel is valid
// until the next call. When raw accepts the block's summary, SelectBlock
// shows test nothing and returns a nil sel and the block's record count,
// as NextBlockOrRaw does. A block that holds a selection already (read
// from a stream) shows test only the records it selects.
func (r *Reader) SelectBlock(raw func(*BlockSummary) bool, need Fields, test func(*Record) bool) (sel []uint64, n int, err error) {
	if r.foreign != nil {
		return nil, 0, fmt.Errorf("%s: %w", r.name, ErrForeignBlocks)
	}
	r.pos = 0
	r.recs = r.recs[:0]
	payload, err := r.nextFrame(&r.sum, &r.sel)
	if err != nil {
		return nil, 0, err
	}
	if raw != nil && raw(&r.sum) {
		return nil, r.sum.Records, nil
	}
	if err := r.prepare(payload, 0); err != nil {
		return nil, 0, err
	}
	blk := &r.dec.blk
	n, err = blk.selectRows(need, test, &r.kept)
	blk.reset()
	if err != nil {
		return nil, 0, r.blockError(r.sum.Offset, r.sum.Index, err)
	}
	return r.kept, n, nil
}

// BlockSelection returns the selection of the block last read (a bitmap
// over its stored records, as SelectBlock's), or nil when the block
// gives every record it stores.
func (r *Reader) BlockSelection() []uint64 {
	if len(r.sel) == 0 {
		return nil
	}
	return r.sel
}

// prepare makes the block whose payload nextFrame returned ready for run,
// loading the columns of fields.
func (r *Reader) prepare(payload []byte, fields Fields) error {
	if err := r.dec.blk.prepare(payload, &r.sum, &r.dec, r.sel, fields); err != nil {
		return r.blockError(r.sum.Offset, r.sum.Index, err)
	}
	return nil
}

// run decodes the next records of the prepared block, going past at most
// limit stored records.
func (r *Reader) run(limit int) ([]Record, error) {
	blk := &r.dec.blk
	want := min(limit, blk.remaining())
	if cap(r.recs) < want {
		r.recs = make([]Record, max(want, RunRecords))
	}
	n, err := blk.run(r.recs[:want])
	if err != nil {
		blk.reset()
		return nil, r.blockError(r.sum.Offset, r.sum.Index, err)
	}
	r.recs = r.recs[:n]
	r.pos = n // Next starts over after NextRun and NextBlock
	return r.recs, nil
}

// next returns the next records of the current block, going past at most
// limit stored records, or of the next block that has any. When raw (if
// not nil) accepts a new block's summary, it returns the block as stored
// instead.
func (r *Reader) next(limit int, raw func(*BlockSummary) bool) ([]Record, []byte, error) {
	if r.foreign != nil {
		recs, err := r.foreignNext(limit)
		return recs, nil, err
	}
	r.pos = 0
	r.recs = r.recs[:0]
	blk := &r.dec.blk
	for {
		if blk.remaining() == 0 {
			payload, err := r.nextFrame(&r.sum, &r.sel)
			if err != nil {
				return nil, nil, err
			}
			if raw != nil && raw(&r.sum) {
				return r.recs, r.frame, nil
			}
			if err := r.prepare(payload, r.fields); err != nil {
				return nil, nil, err
			}
		}
		recs, err := r.run(limit)
		if err != nil || len(recs) > 0 {
			return recs, nil, err
		}
	}
}

func (r *Reader) blockError(off int64, idx int, err error) *BlockError {
	return &BlockError{File: r.name, Offset: off, Block: idx, Err: err}
}

// nextFrame returns the summary and payload of the next intact block that
// passes the filter, and sets *sel to its selection (empty when it has
// none). The payload points into the Reader's buffer and is valid until
// the next call.
//
// Where the next block starts depends only on the bytes of the input,
// never on the filter: gfilter's lanes read one file with different
// filters (each keeps every n-th block) and must agree on every block's
// number (FORMAT.md, "Finding the blocks").
func (r *Reader) nextFrame(s *BlockSummary, sel *[]uint64) ([]byte, error) {
	for {
		if r.resync {
			if err := r.scan(); err != nil {
				return nil, err
			}
		}
		if err := r.fill(blockHeaderSize); err != nil {
			if errors.Is(err, io.EOF) && r.avail() > 0 {
				return nil, r.tail(r.off, r.block, blockHeaderSize)
			}
			return nil, err
		}
		start, idx := r.off, r.block
		if err := parseBlockHeader(r.buf[r.r:r.r+blockHeaderSize], s); err != nil {
			return nil, r.badBlock(start, idx, err)
		}
		s.Offset, s.Index = start, idx
		total := s.frameLen()
		if err := r.fill(total); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, r.tail(start, idx, total)
			}
			return nil, err
		}
		payload := r.buf[r.r+blockHeaderSize : r.r+blockHeaderSize+s.payloadLen]
		*sel = (*sel)[:0]
		if s.selected {
			n, err := parseSelection(r.buf[r.r+blockHeaderSize+s.payloadLen:r.r+total], s.Stored, sel)
			if err != nil {
				return nil, r.badBlock(start, idx, err)
			}
			s.Records = n
		}
		payloadOK := func() error {
			if crc := crc32.Checksum(payload, castagnoli); crc != s.payloadCRC {
				return fmt.Errorf("payload checksum mismatch (stored %08x, computed %08x)", s.payloadCRC, crc)
			}
			return nil
		}
		checked := false
		followed := r.followed(total)
		// followed may have moved the unread bytes to the start of the
		// buffer: take the payload where it lies now.
		payload = r.buf[r.r+blockHeaderSize : r.r+blockHeaderSize+s.payloadLen]
		if !followed {
			// No block starts where this one says it ends: either this
			// block is intact and damage follows it, or it is torn and
			// the next block starts inside it. Its payload tells which.
			if err := payloadOK(); err != nil {
				return nil, r.badBlock(start, idx, err)
			}
			checked = true
		}
		if r.filter != nil && !r.filter(s) {
			r.block++
			r.records += uint64(s.Records)
			r.consume(total)
			continue
		}
		r.block++
		r.records += uint64(s.Records)
		if !checked {
			if err := payloadOK(); err != nil {
				// The header is intact and another block's header
				// follows where it says: only this block is damaged.
				r.consume(total)
				return nil, r.blockError(start, idx, err)
			}
		}
		r.frame = r.buf[r.r : r.r+total]
		r.consume(total)
		return payload, nil
	}
}

// followed reports whether the block of total bytes at the start of the
// unread input is followed by what may be a block header: one whose
// checksum matches, the end of the input, or at the end of the input the
// start of a block magic (a block being written).
func (r *Reader) followed(total int) bool {
	err := r.fill(total + blockHeaderSize)
	next := r.buf[r.r+total : r.w]
	if err == nil || len(next) >= blockHeaderSize {
		var s BlockSummary
		return parseBlockHeader(next[:blockHeaderSize], &s) == nil
	}
	if !errors.Is(err, io.EOF) {
		return true // a read error: reported by the next call
	}
	n := min(len(next), len(BlockMagic))
	return string(next[:n]) == BlockMagic[:n]
}

// tail handles an input that ends inside the block idx at offset start,
// which would be need bytes long. If an intact block header follows in
// what there is, the block is damaged (its length lies, or it was torn
// and written over): it is reported and reading goes on after it. Else,
// while a writer may still complete the block, the Reader returns io.EOF
// and keeps the bytes for a later call; when none can, the truncation is
// reported once, and the next call returns io.EOF.
func (r *Reader) tail(start int64, idx, need int) error {
	if intactHeaderIn(r.buf[r.r+1 : r.w]) {
		return r.badBlock(start, idx, fmt.Errorf("block says it is %d bytes long, but an intact block starts before its end", need))
	}
	if r.growing != nil && r.growing() {
		return io.EOF
	}
	have := r.avail()
	r.block++
	r.consume(have)
	return r.blockError(start, idx, &TruncatedError{Have: have, Need: need, Records: r.records})
}

// intactHeaderIn reports whether b holds a block header whose checksum
// matches.
func intactHeaderIn(b []byte) bool {
	var s BlockSummary
	for {
		i := bytes.Index(b, []byte(BlockMagic))
		if i < 0 || len(b)-i < blockHeaderSize {
			return false
		}
		if parseBlockHeader(b[i:i+blockHeaderSize], &s) == nil {
			return true
		}
		b = b[i+1:]
	}
}

// badBlock steps past the magic of the corrupt block idx at offset start,
// so that the next call scans for the next block, and reports it.
func (r *Reader) badBlock(start int64, idx int, err error) *BlockError {
	r.block++
	r.consume(1)
	r.resync = true
	return r.blockError(start, idx, err)
}

// scan advances to the next BlockMagic. At the end of the input it keeps
// the last bytes (a magic may be split) and returns io.EOF.
func (r *Reader) scan() error {
	for {
		if i := bytes.Index(r.buf[r.r:r.w], []byte(BlockMagic)); i >= 0 {
			r.consume(i)
			r.resync = false
			return nil
		}
		if keep := len(BlockMagic) - 1; r.avail() > keep {
			r.consume(r.avail() - keep)
		}
		if err := r.fill(r.avail() + 1); err != nil {
			return err
		}
	}
}

func (r *Reader) avail() int { return r.w - r.r }

func (r *Reader) consume(n int) {
	r.r += n
	r.off += int64(n)
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
}

// fill makes at least n bytes available in buf[r:w] (n is bounded by
// blockHeaderSize+MaxBlockBytes). At the end of the input it returns
// io.EOF and keeps what it has, so a later call can continue when the
// file grows.
func (r *Reader) fill(n int) error {
	if r.avail() >= n {
		return nil
	}
	if r.r+n > cap(r.buf) {
		if n > cap(r.buf) {
			nb := make([]byte, max(n, min(2*cap(r.buf), blockHeaderSize+MaxBlockBytes)))
			r.w = copy(nb, r.buf[r.r:r.w])
			r.buf = nb[:cap(nb)]
		} else {
			r.w = copy(r.buf[:cap(r.buf)], r.buf[r.r:r.w])
		}
		r.r = 0
	}
	r.buf = r.buf[:cap(r.buf)]
	empty := 0
	for r.avail() < n {
		m, err := r.src.Read(r.buf[r.w:])
		r.w += m
		if err != nil {
			if r.avail() >= n {
				return nil
			}
			return err
		}
		if m == 0 {
			if empty++; empty > 100 {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}
