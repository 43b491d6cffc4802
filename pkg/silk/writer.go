package silk

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/klauspost/compress/zlib"
	"io"
	"math"
	"net/netip"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/klauspost/compress/snappy"
)

// WrittenVersion is the SiLK version a Writer puts in its headers: the
// layout it writes is SiLK 3.19.1's.
const WrittenVersion = 3019001

// blockBytes is the decompressed size of a compressed block, SiLK's
// default (skiobuf.c).
const blockBytes = 64 << 10

// Writer writes records as a SiLK FT_RWIPV6ROUTING (version 1) stream,
// the format rwfilter, rwcat and rwtuc of an IPv6-enabled SiLK write, so
// that SiLK's tools (rwcut, rwstats, rwsort...) read it.
//
// FT_RWIPV6ROUTING keeps every field SiLK has; of gflow's, it drops TOS,
// AS numbers, the sampling rate and the country codes, stores In and Out
// in 16 bits (larger values become 65535, as SiLK clamps them) and
// Packets and Bytes in 32 bits (larger values become 4294967295).
type Writer struct {
	w     *bufio.Writer
	c     io.Closer // closed by Close, when the Writer owns the file
	comp  Compression
	block []byte // records of the compressed block being filled
	out   []byte
	zw    *zlib.Writer
	rec   [ipv6RoutingSize]byte
	err   error
}

const ipv6RoutingSize = 88

// WriterOptions are a Writer's choices.
type WriterOptions struct {
	// Compression of the blocks: none (the default), zlib or snappy.
	// gflow does not compress with lzo1x.
	Compression Compression
	// Invocation, when not empty, is recorded as the command line that
	// made the file (rwfileinfo's command-lines).
	Invocation string
}

// NewWriter writes the header of a stream to w.
func NewWriter(w io.Writer, opt WriterOptions) (*Writer, error) {
	switch opt.Compression {
	case CompressNone, CompressZlib, CompressSnappy:
	default:
		return nil, fmt.Errorf("SiLK output: compression %v is not supported; gflow writes none(0), zlib(1) and snappy(3)", opt.Compression)
	}
	h := &Header{
		Format:        FormatIPv6Routing,
		Version:       FileVersion,
		Compression:   opt.Compression,
		SilkVersion:   WrittenVersion,
		RecordSize:    ipv6RoutingSize,
		RecordVersion: 1,
	}
	if opt.Invocation != "" {
		h.Entries = append(h.Entries, Entry{ID: EntryInvocation, Data: append([]byte(opt.Invocation), 0)})
	}
	sw := &Writer{w: bufio.NewWriterSize(w, 256<<10), comp: opt.Compression}
	if _, err := sw.w.Write(appendHeader(nil, h)); err != nil {
		return nil, err
	}
	return sw, nil
}

// NewWriteCloser is NewWriter for a file the Writer owns: Close closes it.
func NewWriteCloser(wc io.WriteCloser, opt WriterOptions) (*Writer, error) {
	w, err := NewWriter(wc, opt)
	if err != nil {
		return nil, err
	}
	w.c = wc
	return w, nil
}

// Write writes one record.
func (w *Writer) Write(r *flowfile.Record) error {
	if w.err != nil {
		return w.err
	}
	encodeIPv6Routing(w.rec[:], r)
	if w.comp == CompressNone {
		_, w.err = w.w.Write(w.rec[:])
		return w.err
	}
	w.block = append(w.block, w.rec[:]...)
	if len(w.block)+ipv6RoutingSize > blockBytes {
		w.err = w.flushBlock()
	}
	return w.err
}

// WriteBlock writes records.
func (w *Writer) WriteBlock(recs []flowfile.Record) error {
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// flushBlock compresses and writes the block being filled.
func (w *Writer) flushBlock() error {
	if len(w.block) == 0 {
		return nil
	}
	var err error
	switch w.comp {
	case CompressZlib:
		var buf bytes.Buffer
		if w.zw == nil {
			w.zw = zlib.NewWriter(&buf)
		} else {
			w.zw.Reset(&buf)
		}
		if _, err = w.zw.Write(w.block); err == nil {
			err = w.zw.Close()
		}
		w.out = append(w.out[:0], buf.Bytes()...)
	case CompressSnappy:
		w.out = snappy.Encode(w.out[:cap(w.out)], w.block)
	}
	if err != nil {
		return err
	}
	var lens [8]byte
	binary.BigEndian.PutUint32(lens[:], uint32(len(w.out)))
	binary.BigEndian.PutUint32(lens[4:], uint32(len(w.block)))
	if _, err := w.w.Write(lens[:]); err != nil {
		return err
	}
	if _, err := w.w.Write(w.out); err != nil {
		return err
	}
	w.block = w.block[:0]
	return nil
}

// Flush writes what is buffered: records of a compressed stream end their
// block.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if w.err = w.flushBlock(); w.err != nil {
		return w.err
	}
	w.err = w.w.Flush()
	return w.err
}

// Close flushes, and closes the file when the Writer owns it.
func (w *Writer) Close() error {
	err := w.Flush()
	if w.c != nil {
		if cerr := w.c.Close(); err == nil {
			err = cerr
		}
		w.c = nil
	}
	return err
}

// encodeIPv6Routing packs r as an FT_RWIPV6ROUTING version 1 record
// (rwipv6routingio.c), little-endian.
func encodeIPv6Routing(b []byte, r *flowfile.Record) {
	le.PutUint64(b[0:], uint64(r.STime))
	el := r.ETime - r.STime
	le.PutUint32(b[8:], uint32(min(max(el, 0), math.MaxUint32)))
	le.PutUint16(b[12:], r.SPort)
	le.PutUint16(b[14:], r.DPort)
	b[16] = r.Proto
	b[17] = byte(r.Type)
	le.PutUint16(b[18:], r.Sensor)
	b[20] = r.Flags
	b[21] = r.InitFlags
	b[22] = r.SessionFlags
	state := r.Attributes & stateAttrs
	if r.InitFlags|r.SessionFlags != 0 {
		state |= stateExpanded
	}
	v6 := isV6(r.SIP) || isV6(r.DIP) || isV6(r.NhIP)
	if v6 {
		state |= stateIPv6
	}
	b[23] = state
	le.PutUint16(b[24:], r.Application)
	le.PutUint16(b[26:], 0) // memo
	le.PutUint16(b[28:], uint16(min(r.In, math.MaxUint16)))
	le.PutUint16(b[30:], uint16(min(r.Out, math.MaxUint16)))
	le.PutUint32(b[32:], uint32(min(r.Packets, math.MaxUint32)))
	le.PutUint32(b[36:], uint32(min(r.Bytes, math.MaxUint32)))
	putAddr(b[40:56], r.SIP)
	putAddr(b[56:72], r.DIP)
	putAddr(b[72:88], r.NhIP)
}

func isV6(a netip.Addr) bool { return a.Is6() && !a.Is4In6() }

// putAddr stores a as 16 bytes: IPv4 as ::ffff:a.b.c.d, and none as
// ::ffff:0.0.0.0, which SiLK reads as 0.0.0.0 in an IPv4 record and
// gives an IPv6 record without a next hop (rwtuc does).
func putAddr(b []byte, a netip.Addr) {
	if !a.IsValid() {
		clear(b)
		b[10], b[11] = 0xFF, 0xFF
		return
	}
	x := a.As16()
	copy(b, x[:])
}
