package flowfile

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// Writer writes records to a flow file or stream: a header, then one block
// per Flush or per full block. Write only appends to column buffers; the
// work of encoding and compressing is done once per block.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	w      io.Writer
	file   *os.File  // set when the Writer opened the file; Close syncs and closes it
	closer io.Closer // set by NewWriteCloser; Close closes it
	name   string
	hdr    Header
	cols   columns
	comp   compressor
	raw    []byte
	out    []byte
	sel    []uint64 // scratch for checking raw blocks' selections
	limit  int
	offset int64 // bytes written, or the file size for OpenAppend
	blocks int
	err    error
	closed bool
}

// NewWriter writes hdr to w and returns a Writer for records. Files at
// rest should use CodecZstd; streams on pipes CodecS2 (see pkg/pipe).
func NewWriter(w io.Writer, hdr Header) (*Writer, error) {
	if err := hdr.check(); err != nil {
		return nil, err
	}
	fw := newWriter(w, hdr)
	b := appendHeader(nil, &fw.hdr)
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("write header: %w", err)
	}
	fw.offset = int64(len(b))
	return fw, nil
}

func newWriter(w io.Writer, hdr Header) *Writer {
	hdr.Version = Version
	if !hdr.Hour.IsZero() {
		hdr.Hour = hdr.Hour.UTC()
	}
	return &Writer{w: w, hdr: hdr, comp: compressor{codec: hdr.Codec}, limit: DefaultBlockRecords}
}

// NewWriteCloser is NewWriter for a destination the Writer owns: Close
// closes it (a device or a named pipe a tool opened, say).
func NewWriteCloser(wc io.WriteCloser, hdr Header) (*Writer, error) {
	w, err := NewWriter(wc, hdr)
	if err != nil {
		return nil, err
	}
	w.closer = wc
	return w, nil
}

// Create creates a new flow file at path and writes hdr; it refuses a
// file that exists. Close closes the file.
func Create(path string, hdr Header) (*Writer, error) {
	if err := hdr.check(); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockWriting(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w, err := NewWriter(f, hdr)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w.file, w.name = f, path
	return w, nil
}

// Header returns the header the Writer wrote.
func (w *Writer) Header() Header { return w.hdr }

// SetBlockRecords sets how many records make a full block (1 to
// MaxBlockRecords; default DefaultBlockRecords).
func (w *Writer) SetBlockRecords(n int) {
	w.limit = max(1, min(n, MaxBlockRecords))
}

// Buffered returns the number of records written that are not yet in a
// block on the output: after a failed Flush, the records it lost.
func (w *Writer) Buffered() int { return w.cols.n }

// Offset returns the number of bytes of header and blocks written so far.
func (w *Writer) Offset() int64 { return w.offset }

// Write adds a record. A full block is written out at once; otherwise the
// record waits in memory until Flush or Close.
func (w *Writer) Write(r *Record) error {
	if w.err != nil {
		return w.err
	}
	w.cols.add(r)
	if w.cols.n >= w.limit {
		return w.Flush()
	}
	return nil
}

// WriteBlock adds records as Write does.
func (w *Writer) WriteBlock(recs []Record) error {
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Flush ends the current block and writes it with a single Write call, so
// a reader of a growing file sees either all of it or an incomplete tail.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if w.cols.n == 0 {
		return nil
	}
	out, err := appendEncoded(w.out[:0], &w.cols, &w.comp, &w.raw)
	w.out = out
	if err != nil {
		w.err = fmt.Errorf("block %d: %w", w.blocks, err)
		return w.err
	}
	n, err := w.w.Write(w.out)
	w.offset += int64(n)
	if err != nil {
		w.err = err
		return err
	}
	w.blocks++
	w.cols.reset()
	return nil
}

// WriteRaw writes a block as stored by another file or stream
// (Reader.RawBlock), after the records written so far: copying a block
// costs a fraction of encoding its records again. It checks the block's
// checksums, so a damaged block is refused rather than copied.
func (w *Writer) WriteRaw(block []byte) error {
	if w.err != nil {
		return w.err
	}
	if _, err := checkRaw(block, &w.sel); err != nil {
		return err
	}
	return w.writeFrame(block)
}

// WriteSelected writes the records sel marks of a block as stored
// (Reader.RawBlock): the block's header and payload as they are, and the
// selection (FORMAT.md, "Selection"). sel is a bitmap of the block's
// stored records (Reader.SelectBlock) that marks n of them; it must not
// mark a record the block's own selection, if it has one, leaves out.
// Passing on a few records of a block this way costs a copy of the block
// instead of encoding them again; a reader decodes only what sel marks.
// With n == 0 it writes nothing; when sel marks every stored record the
// block is written without a selection.
func (w *Writer) WriteSelected(block []byte, sel []uint64, n int) error {
	if w.err != nil {
		return w.err
	}
	s, err := checkRaw(block, &w.sel)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	if len(sel) < selectionWords(s.Stored) || n > s.Stored {
		return fmt.Errorf("raw block: selection of %d records does not fit a block of %d", n, s.Stored)
	}
	if err := w.Flush(); err != nil { // before w.out is reused below
		return err
	}
	s.selected = n < s.Stored
	s.Records = n
	out := appendBlockHeader(w.out[:0], &s)
	out = append(out, block[blockHeaderSize:blockHeaderSize+s.payloadLen]...)
	if s.selected {
		out = appendSelection(out, sel, s.Stored, n)
	}
	w.out = out
	return w.writeFrame(out)
}

// checkRaw checks the header, payload and selection checksums of a
// stored block and returns its summary; sel is scratch space.
func checkRaw(block []byte, sel *[]uint64) (BlockSummary, error) {
	var s BlockSummary
	if len(block) < blockHeaderSize {
		return s, errors.New("raw block shorter than a block header")
	}
	if err := parseBlockHeader(block[:blockHeaderSize], &s); err != nil {
		return s, fmt.Errorf("raw block: %w", err)
	}
	if len(block) != s.frameLen() {
		return s, fmt.Errorf("raw block: %d bytes, header says %d", len(block), s.frameLen())
	}
	payload := block[blockHeaderSize : blockHeaderSize+s.payloadLen]
	if crc32.Checksum(payload, castagnoli) != s.payloadCRC {
		return s, errors.New("raw block: payload checksum mismatch")
	}
	if s.selected {
		n, err := parseSelection(block[blockHeaderSize+s.payloadLen:], s.Stored, sel)
		if err != nil {
			return s, fmt.Errorf("raw block: %w", err)
		}
		s.Records = n
	}
	return s, nil
}

// writeFrame writes a complete block after the records written so far.
func (w *Writer) writeFrame(block []byte) error {
	if err := w.Flush(); err != nil {
		return err
	}
	n, err := w.w.Write(block)
	w.offset += int64(n)
	if err != nil {
		w.err = err
		return err
	}
	w.blocks++
	return nil
}

// Close flushes the last block, releases the compressor and, when the
// Writer opened the file, syncs and closes it.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.Flush()
	w.comp.release()
	if w.file != nil {
		if err == nil {
			err = w.file.Sync()
		}
		if cerr := w.file.Close(); err == nil {
			err = cerr
		}
	}
	if w.closer != nil {
		if cerr := w.closer.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		w.err = errors.New("flowfile: write after Close")
	}
	return err
}
