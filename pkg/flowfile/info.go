package flowfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// Info is what a flow file says about itself without a record being
// decoded: its header and the summaries of its blocks (FORMAT.md,
// "Block header"). gfileinfo prints it; gsiteinfo sums it over a
// repository.
type Info struct {
	Header    Header
	HeaderLen int
	// Size is the number of bytes of the input: the file's size.
	Size int64

	Blocks  int   // intact block headers
	Records int64 // records the blocks give (a selection may give fewer than stored)
	Stored  int64 // records the blocks store

	// The span of the records' times, ms since the epoch; valid when
	// Blocks > 0.
	MinSTime, MaxSTime, MaxETime int64
	Types                        uint16 // bit t: some record has flow type t
	Codecs                       uint8  // bit c: some block uses Codec c
	HasIPv4, HasIPv6             bool

	// Corrupt lists the blocks whose header is damaged, with their byte
	// offsets; the scan goes on at the next intact block header. Payloads
	// are not read, so a damaged payload under an intact header is not
	// found here: Reader (gfileinfo --check) verifies them.
	Corrupt []*BlockError
	// Tail is the number of bytes after the last complete block: a block
	// being written (the file grows at the writer's next flush) or torn
	// by a crash (the collector cuts it when it appends again).
	Tail int64
}

// ScanInfo reads the header of the flow file src and the header of each
// of its blocks, skipping their payloads: when src is an io.Seeker of
// size bytes (a file), it seeks over them, so a file's cost is a few small
// reads whatever the size of its blocks. Give size -1 for a stream, whose
// payloads are read and discarded. each, if not nil, sees every intact
// block's summary. name is used in BlockErrors.
//
// The header must be gflow's: a foreign file (SiLK) is ErrNotFlowFile
// here; Open reads those.
func ScanInfo(src io.Reader, size int64, name string, each func(*BlockSummary)) (*Info, error) {
	br := scanBuffers.Get().(*bufio.Reader)
	br.Reset(src)
	defer func() { br.Reset(nil); scanBuffers.Put(br) }()
	s := &infoScanner{src: src, br: br, size: size, name: name}
	if size >= 0 {
		s.seek, _ = src.(io.Seeker)
	}
	info := &Info{MinSTime: math.MaxInt64, MaxSTime: math.MinInt64, MaxETime: math.MinInt64}
	if err := s.header(info); err != nil {
		return nil, err
	}
	var sum BlockSummary
	var sel []uint64
	idx := 0
	for {
		b, err := s.peek(blockHeaderSize)
		if len(b) < blockHeaderSize {
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			info.Tail = s.rest()
			break
		}
		start := s.off
		if err := parseBlockHeader(b, &sum); err != nil {
			info.Corrupt = append(info.Corrupt, &BlockError{File: name, Offset: start, Block: idx, Err: err})
			idx++
			if err := s.resync(); err != nil {
				if errors.Is(err, io.EOF) {
					break // no block after the damage
				}
				return nil, err
			}
			continue
		}
		sum.Offset, sum.Index = start, idx
		total := int64(sum.frameLen())
		if s.size >= 0 && start+total > s.size {
			info.Tail = s.size - start // an incomplete block
			break
		}
		if sum.selected {
			// The selection follows the payload: skip to it and read it.
			if err := s.skip(int64(blockHeaderSize + sum.payloadLen)); err != nil {
				info.Tail = s.off - start + s.rest()
				break
			}
			n := selectionLen(sum.Stored)
			b, err := s.peek(n)
			if len(b) < n {
				if err != nil && !errors.Is(err, io.EOF) {
					return nil, err
				}
				info.Tail = s.off - start + int64(len(b))
				break
			}
			count, err := parseSelection(b, sum.Stored, &sel)
			if err != nil {
				info.Corrupt = append(info.Corrupt, &BlockError{File: name, Offset: start, Block: idx, Err: err})
				idx++
				if err := s.seekTo(start + 1); err != nil {
					return nil, err
				}
				if err := s.resync(); err != nil {
					if errors.Is(err, io.EOF) {
						break
					}
					return nil, err
				}
				continue
			}
			sum.Records = count
			if err := s.skip(int64(n)); err != nil {
				return nil, err
			}
		} else if err := s.skip(total); err != nil {
			info.Tail = s.off - start + s.rest()
			break
		}
		idx++
		info.add(&sum)
		if each != nil {
			each(&sum)
		}
	}
	info.Size = s.size
	if s.size < 0 {
		info.Size = s.off + s.rest() // the stream was read to its end
	}
	return info, nil
}

func (info *Info) add(s *BlockSummary) {
	info.Blocks++
	info.Records += int64(s.Records)
	info.Stored += int64(s.Stored)
	info.MinSTime = min(info.MinSTime, s.MinSTime)
	info.MaxSTime = max(info.MaxSTime, s.MaxSTime)
	info.MaxETime = max(info.MaxETime, s.MaxETime)
	info.Types |= s.Types
	if s.Codec < 8 {
		info.Codecs |= 1 << s.Codec
	}
	info.HasIPv4 = info.HasIPv4 || s.HasIPv4
	info.HasIPv6 = info.HasIPv6 || s.HasIPv6
}

// scanBuffers keeps the scan buffers: gsiteinfo scans tens of thousands of
// files, each in a few reads.
var scanBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// infoScanner reads a flow file sequentially through a buffer, seeking
// over payloads when it can.
type infoScanner struct {
	src  io.Reader
	br   *bufio.Reader
	seek io.Seeker // nil for a stream
	size int64     // -1 for a stream
	off  int64     // input offset of the next unread byte
	name string
}

func (s *infoScanner) header(info *Info) error {
	b, err := s.peek(fileHeaderFixed)
	if len(b) < fileHeaderFixed {
		switch {
		case len(b) >= 4 && string(b[:4]) != FileMagic:
			return ErrNotFlowFile
		case len(b) == 0 && (err == nil || errors.Is(err, io.EOF)):
			return fmt.Errorf("%w: empty input", ErrTruncatedHeader)
		case err == nil || errors.Is(err, io.EOF):
			return fmt.Errorf("%w: %d bytes", ErrTruncatedHeader, len(b))
		}
		return err
	}
	n, err := headerLen(b)
	if err != nil {
		return err
	}
	b, err = s.peek(n)
	if len(b) < n {
		if err == nil || errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: %d of %d bytes", ErrTruncatedHeader, len(b), n)
		}
		return err
	}
	h, err := parseHeader(b)
	if err != nil {
		return err
	}
	info.Header, info.HeaderLen = h, n
	_, err = s.br.Discard(n)
	s.off += int64(n)
	return err
}

// peek returns the next n bytes without consuming them, or fewer at the
// end of the input.
func (s *infoScanner) peek(n int) ([]byte, error) {
	if n > s.br.Size() {
		return nil, fmt.Errorf("%d bytes do not fit the scan buffer", n)
	}
	return s.br.Peek(n)
}

// rest is how many bytes of a file are left after the offset; for a
// stream, read to its end, how many are buffered.
func (s *infoScanner) rest() int64 {
	if s.size < 0 {
		return int64(s.br.Buffered())
	}
	return max(s.size-s.off, 0)
}

// skip consumes n bytes, seeking over what is not buffered.
func (s *infoScanner) skip(n int64) error {
	if buffered := int64(s.br.Buffered()); n <= buffered || s.seek == nil {
		m, err := s.br.Discard(int(min(n, math.MaxInt32)))
		s.off += int64(m)
		for n -= int64(m); n > 0 && err == nil; n -= int64(m) {
			m, err = s.br.Discard(int(min(n, math.MaxInt32)))
			s.off += int64(m)
		}
		return err
	}
	return s.seekTo(s.off + n)
}

// seekTo moves to an absolute offset of a file (within the buffer for a
// stream, which cannot go back further).
func (s *infoScanner) seekTo(off int64) error {
	if s.seek == nil {
		if off < s.off {
			return fmt.Errorf("scan: cannot go back in a stream")
		}
		return s.skip(off - s.off)
	}
	if _, err := s.seek.Seek(off, io.SeekStart); err != nil {
		return err
	}
	s.br.Reset(s.src)
	s.off = off
	return nil
}

// resync moves to the next block magic after the current offset whose
// header checks, as Reader does after a corrupt block. It returns io.EOF
// when there is none.
func (s *infoScanner) resync() error {
	if err := s.skip(1); err != nil {
		return err
	}
	var sum BlockSummary
	for {
		b, err := s.br.Peek(s.br.Size())
		if len(b) < len(BlockMagic) {
			if err == nil {
				err = io.EOF
			}
			return err
		}
		i := bytes.Index(b, []byte(BlockMagic))
		switch {
		case i < 0:
			// Keep the last bytes: a magic may straddle the buffer's end.
			if err := s.skip(int64(len(b) - len(BlockMagic) + 1)); err != nil {
				return err
			}
			if errors.Is(err, io.EOF) || len(b) < s.br.Size() {
				return io.EOF
			}
		case i+blockHeaderSize <= len(b) && parseBlockHeader(b[i:i+blockHeaderSize], &sum) != nil:
			if err := s.skip(int64(i + 1)); err != nil { // a false magic: look further
				return err
			}
		default:
			return s.skip(int64(i)) // an intact header, or one cut by the end of the input
		}
	}
}
