package silk

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/klauspost/compress/zlib"
	"io"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk/lzo"
	"github.com/klauspost/compress/snappy"
)

func init() {
	flowfile.RegisterFormat(flowfile.Format{Name: "SiLK", Magic: Magic, Open: func(src io.Reader) (flowfile.Source, error) {
		return NewSource(src)
	}})
}

// maxBlock bounds a compressed block's announced sizes. SiLK writes
// blocks of 64 KiB and reads none above 1 MiB (skiobuf.c); larger lengths
// are damage, and must not make a reader allocate them.
const maxBlock = 1 << 20

// plainRecords is how many records make one block of an uncompressed
// file, which has no blocks of its own.
const plainRecords = 4096

// Source reads the records of a SiLK file or stream. It is the
// flowfile.Source registered for SiLK's magic number, so a flowfile.Reader
// hands SiLK input to it; Reader.Foreign returns it, and Header tells what
// the file is.
type Source struct {
	hdr   *Header
	codec *recordCodec
	ctx   context
	in    *bufio.Reader
	off   int64 // input offset of the next unread byte
	index int   // number of the next block
	done  bool  // no block can follow (the end, or damage with no way past it)
	tail  error // a truncated last record, reported after the records before it

	raw, plain []byte
	zr         io.ReadCloser
	countries  *countries
}

// NewSource reads the header of a SiLK file or stream from src and
// prepares to read its records. An unsupported format, record version or
// compression is an error that names what gflow reads.
func NewSource(src io.Reader) (*Source, error) {
	in := bufio.NewReaderSize(src, 64<<10)
	h, err := ReadHeader(in)
	if err != nil {
		return nil, err
	}
	codec, err := lookupCodec(h)
	if err != nil {
		return nil, err
	}
	if h.Compression > CompressSnappy {
		return nil, fmt.Errorf("SiLK file format %v: compression method %v is not supported; gflow reads none(0), zlib(1), lzo1x(2) and snappy(3)", h.Format, h.Compression)
	}
	s := &Source{hdr: h, codec: codec, in: in, off: int64(h.Length), countries: defaultCountries()}
	if pf, ok := h.PackedFile(); ok {
		s.ctx = context{hour: pf.Hour.UnixMilli(), sensor: uint16(pf.Sensor), flowType: flowType(pf.FlowType)}
	} else if codec.packed {
		return nil, fmt.Errorf("SiLK file format %v has no packed-file header entry: its records' hour, sensor and type are unknown", h.Format)
	}
	return s, nil
}

// Header returns the file's header.
func (s *Source) Header() *Header { return s.hdr }

// Close releases the decompressor.
func (s *Source) Close() error {
	if s.zr != nil {
		s.zr.Close()
	}
	return nil
}

// NextBlock implements flowfile.Source.
func (s *Source) NextBlock(dst []flowfile.Record, fields flowfile.Fields, sum *flowfile.BlockSummary, keep func(*flowfile.BlockSummary) bool) ([]flowfile.Record, error) {
	for {
		if s.tail != nil {
			err := s.tail
			s.tail = nil
			return nil, err
		}
		if s.done {
			return nil, io.EOF
		}
		start, idx := s.off, s.index
		s.index++
		var body []byte
		var err error
		if s.hdr.Compression == CompressNone {
			body, err = s.plainBlock()
		} else {
			body, err = s.compressedBlock(start, idx, sum, keep)
		}
		if err != nil {
			return nil, err
		}
		if body == nil {
			continue // a block keep skipped
		}
		n := len(body) / s.codec.size
		if n == 0 {
			continue // an empty block
		}
		sum.Index, sum.Offset, sum.Records, sum.Stored = idx, start, n, n
		if s.hdr.Compression == CompressNone && keep != nil && !keep(sum) {
			continue
		}
		return s.decode(dst[:0], body, fields)
	}
}

// plainBlock reads the next plainRecords records of an uncompressed file.
// A truncated last record is reported by the next call.
func (s *Source) plainBlock() ([]byte, error) {
	size := s.codec.size
	s.plain = grow(s.plain, plainRecords*size)
	n, err := io.ReadFull(s.in, s.plain)
	s.off += int64(n)
	if err != nil {
		s.done = true
		if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if part := n % size; part != 0 {
			s.tail = &flowfile.BlockError{Offset: s.off - int64(part), Block: s.index - 1,
				Err: fmt.Errorf("truncated record at the end: %d of %d bytes", part, size)}
			n -= part
		}
		if n == 0 {
			if s.tail != nil {
				err := s.tail
				s.tail = nil
				return nil, err
			}
			return nil, io.EOF
		}
	}
	return s.plain[:n], nil
}

// compressedBlock reads and decompresses the next block of a compressed
// file: two big-endian lengths (stored, decompressed), then the stored
// bytes. It returns nil for a block keep rejects.
func (s *Source) compressedBlock(start int64, idx int, sum *flowfile.BlockSummary, keep func(*flowfile.BlockSummary) bool) ([]byte, error) {
	bad := func(err error) error {
		return &flowfile.BlockError{Offset: start, Block: idx, Err: err}
	}
	var lens [8]byte
	n, err := io.ReadFull(s.in, lens[:])
	s.off += int64(n)
	if err != nil {
		s.done = true
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, bad(fmt.Errorf("truncated block header at the end: %d of 8 bytes", n))
		}
		return nil, err
	}
	stored := binary.BigEndian.Uint32(lens[:])
	size := binary.BigEndian.Uint32(lens[4:])
	if stored == 0 || stored > maxBlock+maxBlock/8 || size > maxBlock {
		// nothing marks where the next block starts: give up on the rest
		s.done = true
		return nil, bad(fmt.Errorf("implausible block lengths (%d stored, %d decompressed); the rest of the file is not read", stored, size))
	}
	s.raw = grow(s.raw, int(stored))
	n, err = io.ReadFull(s.in, s.raw)
	s.off += int64(n)
	if err != nil {
		s.done = true
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, bad(fmt.Errorf("truncated block at the end: %d of %d bytes", n, stored))
		}
		return nil, err
	}
	if int(size)%s.codec.size != 0 {
		return nil, bad(fmt.Errorf("block of %d bytes does not hold whole %d-byte records", size, s.codec.size))
	}
	if keep != nil {
		recs := int(size) / s.codec.size
		sum.Index, sum.Offset, sum.Records, sum.Stored = idx, start, recs, recs
		if !keep(sum) {
			return nil, nil
		}
	}
	body, err := s.decompress(int(size))
	if err != nil {
		return nil, bad(err)
	}
	return body, nil
}

// decompress decompresses s.raw into s.plain, which must come out size
// bytes long.
func (s *Source) decompress(size int) ([]byte, error) {
	s.plain = grow(s.plain, size)
	switch s.hdr.Compression {
	case CompressZlib:
		var err error
		if s.zr == nil {
			s.zr, err = zlib.NewReader(bytes.NewReader(s.raw))
		} else {
			err = s.zr.(zlib.Resetter).Reset(bytes.NewReader(s.raw), nil)
		}
		if err != nil {
			return nil, fmt.Errorf("zlib: %w", err)
		}
		if _, err := io.ReadFull(s.zr, s.plain); err != nil {
			return nil, fmt.Errorf("zlib: %w", unexpected(err))
		}
		if n, _ := s.zr.Read(make([]byte, 1)); n != 0 {
			return nil, fmt.Errorf("zlib: more than the %d bytes announced", size)
		}
		return s.plain, nil
	case CompressLZO1X:
		return lzo.Decompress(s.plain, s.raw, size)
	case CompressSnappy:
		n, err := snappy.DecodedLen(s.raw)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if n != size {
			return nil, fmt.Errorf("snappy: %d bytes, %d announced", n, size)
		}
		out, err := snappy.Decode(s.plain, s.raw)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("compression %v", s.hdr.Compression)
}

// decode appends the records of body to dst.
func (s *Source) decode(dst []flowfile.Record, body []byte, fields flowfile.Fields) ([]flowfile.Record, error) {
	size := s.codec.size
	n := len(body) / size
	if cap(dst) < n {
		dst = make([]flowfile.Record, 0, max(n, plainRecords))
	}
	dst = dst[:n]
	swap := s.hdr.BigEndian && len(s.codec.swap) > 0
	var tmp [128]byte
	for i := range dst {
		b := body[i*size : (i+1)*size]
		if swap {
			b = tmp[:size]
			copy(b, body[i*size:])
			swapRecord(b, s.codec.swap)
		}
		dst[i] = flowfile.Record{}
		s.codec.decode(&dst[i], b, &s.ctx)
	}
	if err := s.countries.set(dst, fields); err != nil {
		return nil, err
	}
	return dst, nil
}

// grow returns b resized to n bytes, reallocated only when too small.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
