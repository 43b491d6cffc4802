package pcapfile

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"time"
)

// pcapng (draft-ietf-opsawg-pcapng): a file is a sequence of blocks,
//
//	type(4) totalLength(4) body totalLength(4)
//
// totalLength a multiple of 4 that counts the whole block. A section header
// block (type 0x0A0D0D0A, the same in either byte order) starts each
// section and gives its byte order by its byte-order magic 0x1A2B3C4D;
// interface description blocks (1) describe the section's interfaces in
// order, numbered from 0; packets come in enhanced (6), simple (3) and
// obsolete (2) packet blocks. Options are code(2) length(2) value padded to
// 4 bytes, ended by code 0.

const (
	ngSectionHeader = 0x0A0D0D0A
	ngInterface     = 1
	ngPacketOld     = 2
	ngSimplePacket  = 3
	ngEnhanced      = 6
	ngByteOrder     = 0x1A2B3C4D

	// maxNGBlock bounds a block the reader keeps in memory: a packet block
	// holds at most MaxRecordLen of data; other blocks (name resolution,
	// statistics, custom) are skipped without being kept.
	maxNGBlock = MaxRecordLen + 1024
	// maxNGInterfaces bounds the interfaces of a section.
	maxNGInterfaces = 1 << 16
)

type ngInterfaceDesc struct {
	linkType uint32
	snapLen  uint32
	perSec   uint64 // timestamp units per second (if_tsresol)
	offset   int64  // seconds added to timestamps (if_tsoffset)
}

type ngState struct {
	ifaces []ngInterfaceDesc
	block  []byte
}

// newNGReader reads a pcapng file whose first 4 bytes (the section header
// block type) are read.
func newNGReader(r io.Reader) (*Reader, error) {
	pr := &Reader{r: r, ng: &ngState{}}
	if err := pr.readSectionHeader(); err != nil {
		return nil, err
	}
	// The link type of the file is that of its first interface, when the
	// first block after the section header describes one.
	return pr, nil
}

// readSectionHeader reads a section header block whose type is read.
func (r *Reader) readSectionHeader() error {
	var h [8]byte // totalLength(4) byteOrderMagic(4)
	if _, err := io.ReadFull(r.r, h[:]); err != nil {
		return fmt.Errorf("pcapng section header: %w", eof(err))
	}
	switch binary.LittleEndian.Uint32(h[4:]) {
	case ngByteOrder:
		r.order = binary.LittleEndian
	case bits.ReverseBytes32(ngByteOrder):
		r.order = binary.BigEndian
	default:
		return fmt.Errorf("pcapng section header: byte-order magic %#x: %w", binary.LittleEndian.Uint32(h[4:]), ErrNotPcap)
	}
	total := r.order.Uint32(h[:4])
	if total < 28 || total%4 != 0 || total > maxNGBlock {
		return fmt.Errorf("pcapng section header: block length %d: damaged file", total)
	}
	// version(4) sectionLength(8) options, then totalLength(4): not needed
	if _, err := io.CopyN(io.Discard, r.r, int64(total)-12); err != nil {
		return fmt.Errorf("pcapng section header: %w", eof(err))
	}
	r.ng.ifaces = r.ng.ifaces[:0]
	return nil
}

func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// nextNGPacket returns the next packet's frame and time, reading and
// skipping the blocks before it; r.linkType is set to its interface's.
func (r *Reader) nextNGPacket() ([]byte, time.Time, error) {
	for {
		var h [8]byte
		if _, err := io.ReadFull(r.r, h[:4]); err != nil {
			if err == io.EOF {
				return nil, time.Time{}, io.EOF
			}
			return nil, time.Time{}, fmt.Errorf("pcapng block %d: %w", r.n+1, err)
		}
		r.n++
		if binary.LittleEndian.Uint32(h[:4]) == ngSectionHeader {
			if err := r.readSectionHeader(); err != nil {
				return nil, time.Time{}, err
			}
			continue
		}
		if _, err := io.ReadFull(r.r, h[4:]); err != nil {
			return nil, time.Time{}, fmt.Errorf("pcapng block %d: %w", r.n, eof(err))
		}
		typ, total := r.order.Uint32(h[:4]), r.order.Uint32(h[4:])
		if total < 12 || total%4 != 0 {
			return nil, time.Time{}, fmt.Errorf("pcapng block %d: length %d: damaged file", r.n, total)
		}
		body := int64(total) - 12
		switch typ {
		case ngInterface, ngPacketOld, ngSimplePacket, ngEnhanced:
		default:
			// name resolution, interface statistics, custom…: skipped
			if _, err := io.CopyN(io.Discard, r.r, body+4); err != nil {
				return nil, time.Time{}, fmt.Errorf("pcapng block %d: %w", r.n, eof(err))
			}
			continue
		}
		if total > maxNGBlock {
			return nil, time.Time{}, fmt.Errorf("pcapng block %d: length %d exceeds %d: damaged file", r.n, total, maxNGBlock)
		}
		if cap(r.ng.block) < int(body)+4 {
			r.ng.block = make([]byte, int(body)+4, max(int(body)+4, 2048))
		}
		b := r.ng.block[:int(body)+4]
		if _, err := io.ReadFull(r.r, b); err != nil {
			return nil, time.Time{}, fmt.Errorf("pcapng block %d: %w", r.n, eof(err))
		}
		if r.order.Uint32(b[body:]) != total {
			return nil, time.Time{}, fmt.Errorf("pcapng block %d: trailing length differs: damaged file", r.n)
		}
		b = b[:body]
		var (
			frame []byte
			ts    time.Time
			err   error
		)
		switch typ {
		case ngInterface:
			err = r.addInterface(b)
			if err != nil {
				return nil, time.Time{}, err
			}
			continue
		case ngEnhanced:
			frame, ts, err = r.enhancedPacket(b)
		case ngSimplePacket:
			frame, ts, err = r.simplePacket(b)
		case ngPacketOld:
			frame, ts, err = r.oldPacket(b)
		}
		if err != nil {
			return nil, time.Time{}, err
		}
		return frame, ts, nil
	}
}

// addInterface reads an interface description block's body.
func (r *Reader) addInterface(b []byte) error {
	if len(b) < 8 {
		return fmt.Errorf("pcapng block %d: interface description cut short: damaged file", r.n)
	}
	if len(r.ng.ifaces) >= maxNGInterfaces {
		return fmt.Errorf("pcapng block %d: more than %d interfaces: damaged file", r.n, maxNGInterfaces)
	}
	ifc := ngInterfaceDesc{linkType: uint32(r.order.Uint16(b)), snapLen: r.order.Uint32(b[4:]), perSec: 1_000_000}
	for opts := b[8:]; len(opts) >= 4; {
		code, n := r.order.Uint16(opts), int(r.order.Uint16(opts[2:]))
		if code == 0 || 4+n > len(opts) {
			break
		}
		v := opts[4 : 4+n]
		switch {
		case code == 9 && n >= 1: // if_tsresol
			e := uint64(v[0] & 0x7f)
			if v[0]&0x80 != 0 {
				if e > 63 {
					return fmt.Errorf("pcapng block %d: time resolution 2^-%d: damaged file", r.n, e)
				}
				ifc.perSec = 1 << e
			} else {
				if e > 19 {
					return fmt.Errorf("pcapng block %d: time resolution 10^-%d: damaged file", r.n, e)
				}
				ifc.perSec = 1
				for range e {
					ifc.perSec *= 10
				}
			}
		case code == 14 && n >= 8: // if_tsoffset
			ifc.offset = int64(r.order.Uint64(v))
		}
		next := 4 + (n+3)&^3
		if next > len(opts) {
			break
		}
		opts = opts[next:]
	}
	if len(r.ng.ifaces) == 0 {
		r.linkType, r.snapLen = ifc.linkType, ifc.snapLen
	}
	r.ng.ifaces = append(r.ng.ifaces, ifc)
	return nil
}

func (r *Reader) iface(id uint32) (*ngInterfaceDesc, error) {
	if int64(id) >= int64(len(r.ng.ifaces)) {
		return nil, fmt.Errorf("pcapng block %d: packet of interface %d, %d described: damaged file", r.n, id, len(r.ng.ifaces))
	}
	ifc := &r.ng.ifaces[id]
	r.linkType = ifc.linkType
	return ifc, nil
}

// packetData returns the captured bytes that follow a packet block's
// fixed part.
func (r *Reader) packetData(b []byte, capLen uint32) ([]byte, error) {
	if capLen > MaxRecordLen || int64(capLen) > int64(len(b)) {
		return nil, fmt.Errorf("pcapng block %d: captured length %d in a block of %d: damaged file", r.n, capLen, len(b))
	}
	return b[:capLen], nil
}

func (r *Reader) enhancedPacket(b []byte) ([]byte, time.Time, error) {
	if len(b) < 20 {
		return nil, time.Time{}, fmt.Errorf("pcapng block %d: enhanced packet cut short: damaged file", r.n)
	}
	ifc, err := r.iface(r.order.Uint32(b))
	if err != nil {
		return nil, time.Time{}, err
	}
	ts := uint64(r.order.Uint32(b[4:]))<<32 | uint64(r.order.Uint32(b[8:]))
	data, err := r.packetData(b[20:], r.order.Uint32(b[12:]))
	return data, ifc.time(ts), err
}

func (r *Reader) oldPacket(b []byte) ([]byte, time.Time, error) {
	if len(b) < 20 {
		return nil, time.Time{}, fmt.Errorf("pcapng block %d: packet cut short: damaged file", r.n)
	}
	ifc, err := r.iface(uint32(r.order.Uint16(b)))
	if err != nil {
		return nil, time.Time{}, err
	}
	ts := uint64(r.order.Uint32(b[4:]))<<32 | uint64(r.order.Uint32(b[8:]))
	data, err := r.packetData(b[20:], r.order.Uint32(b[12:]))
	return data, ifc.time(ts), err
}

// simplePacket reads a simple packet block: the original length and the
// data, of interface 0, without a time (the time is zero).
func (r *Reader) simplePacket(b []byte) ([]byte, time.Time, error) {
	if len(b) < 4 {
		return nil, time.Time{}, fmt.Errorf("pcapng block %d: simple packet cut short: damaged file", r.n)
	}
	ifc, err := r.iface(0)
	if err != nil {
		return nil, time.Time{}, err
	}
	n := uint64(r.order.Uint32(b))
	if ifc.snapLen > 0 {
		n = min(n, uint64(ifc.snapLen))
	}
	n = min(n, uint64(len(b)-4))
	data, err := r.packetData(b[4:], uint32(n))
	return data, time.Time{}, err
}

// time converts a timestamp in the interface's units to UTC.
func (ifc *ngInterfaceDesc) time(ts uint64) time.Time {
	sec := ts / ifc.perSec
	frac := ts % ifc.perSec
	hi, lo := bits.Mul64(frac, 1e9)
	ns, _ := bits.Div64(hi, lo, ifc.perSec)
	return time.Unix(int64(sec)+ifc.offset, int64(ns)).UTC()
}
