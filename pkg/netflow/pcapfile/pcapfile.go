// Package pcapfile reads UDP datagrams out of capture files: classic
// libpcap files and pcapng, the default of Wireshark, dumpcap and mergecap.
//
// It is what gflowcap's --read-pcap and the decoder tests use to replay
// captured NetFlow/IPFIX exports: it yields each datagram's capture time,
// source and destination address and port, and payload. Classic files have
// magic 0xa1b2c3d4 (microsecond) or 0xa1b23c4d (nanosecond times), either
// byte order. pcapng files may hold several sections, each in its own byte
// order, and several interfaces, each with its own link type, snap length
// and time resolution; enhanced, simple and obsolete packet blocks are
// read, other blocks skipped (see pcapng.go). Link types: Ethernet
// (with 802.1Q/802.1ad tags), Linux cooked capture v1 and v2, raw IP and BSD
// loopback. IPv4 and IPv6 (with extension headers) carrying UDP are returned;
// anything else — other protocols, IP fragments, frames cut short by the
// snap length — is skipped and counted.
//
// A damaged file never makes the reader panic or allocate without bound: a
// record header that lies about its length or a file that ends in the middle
// of a record gives an error.
package pcapfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// Link types (LINKTYPE_* values from tcpdump.org/linktypes.html).
const (
	LinkNull      = 0   // BSD loopback: 4-byte address family in host order
	LinkEthernet  = 1   // Ethernet II
	LinkRaw       = 101 // raw IPv4 or IPv6
	LinkRawOld    = 12  // DLT_RAW on some BSDs
	LinkLinuxSLL  = 113 // Linux cooked capture v1
	LinkLinuxSLL2 = 276 // Linux cooked capture v2
)

// MaxRecordLen bounds a record's captured length; longer claims mean the
// file is damaged (a UDP datagram carries at most 64 KiB).
const MaxRecordLen = 256 << 10

// ErrNotPcap means the file starts with neither a pcap nor a pcapng magic
// number.
var ErrNotPcap = errors.New("not a pcap or pcapng capture file")

// Packet is one UDP datagram from the capture.
type Packet struct {
	Time    time.Time      // capture time, UTC
	Src     netip.AddrPort // sender (the exporter)
	Dst     netip.AddrPort // receiver (the collector's listening address)
	Payload []byte         // UDP payload; valid until the next call to Next
}

// Skipped counts frames that Next passed over, by reason.
type Skipped struct {
	NotUDP    int // not IPv4/IPv6 carrying UDP (including unknown link-layer types)
	Fragment  int // IP fragments (not reassembled)
	Truncated int // cut short by the snap length or with inconsistent lengths
}

// Reader reads packets from a classic pcap stream.
type Reader struct {
	r        io.Reader
	order    binary.ByteOrder
	nano     bool
	linkType uint32
	snapLen  uint32
	hdr      [16]byte
	buf      []byte
	n        int // records read
	skipped  Skipped
	ng       *ngState // pcapng files
}

// NewReader reads the file header from r.
func NewReader(r io.Reader) (*Reader, error) {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:4]); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("pcap header: empty file: %w", io.ErrUnexpectedEOF)
		}
		return nil, fmt.Errorf("pcap header: %w", err)
	}
	if binary.LittleEndian.Uint32(h[:4]) == ngSectionHeader {
		return newNGReader(r)
	}
	if _, err := io.ReadFull(r, h[4:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("pcap header: %w", err)
	}
	pr := &Reader{r: r}
	switch binary.LittleEndian.Uint32(h[0:4]) {
	case 0xa1b2c3d4:
		pr.order = binary.LittleEndian
	case 0xa1b23c4d:
		pr.order, pr.nano = binary.LittleEndian, true
	case 0xd4c3b2a1:
		pr.order = binary.BigEndian
	case 0x4d3cb2a1:
		pr.order, pr.nano = binary.BigEndian, true
	default:
		return nil, ErrNotPcap
	}
	pr.snapLen = pr.order.Uint32(h[16:20])
	// The top bits of the link-type field carry FCS information (pcap-savefile(5)).
	pr.linkType = pr.order.Uint32(h[20:24]) & 0x0fffffff
	return pr, nil
}

// LinkType returns the capture's link-layer type; for pcapng, that of its
// first interface, known once the first packet is read.
func (r *Reader) LinkType() uint32 { return r.linkType }

// Skipped returns how many frames were passed over so far, by reason.
func (r *Reader) Skipped() Skipped { return r.skipped }

// Next returns the next UDP datagram. It returns io.EOF at the clean end of
// the file and an error wrapping io.ErrUnexpectedEOF when the file ends
// inside a record.
func (r *Reader) Next() (Packet, error) {
	for {
		frame, ts, err := r.nextRecord()
		if err != nil {
			return Packet{}, err
		}
		p, ok := r.parseLink(frame)
		if ok {
			p.Time = ts
			return p, nil
		}
	}
}

func (r *Reader) nextRecord() ([]byte, time.Time, error) {
	if r.ng != nil {
		return r.nextNGPacket()
	}
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		if err == io.EOF {
			return nil, time.Time{}, io.EOF
		}
		return nil, time.Time{}, fmt.Errorf("pcap record %d header: %w", r.n+1, err)
	}
	r.n++
	sec := r.order.Uint32(r.hdr[0:4])
	frac := r.order.Uint32(r.hdr[4:8])
	capLen := r.order.Uint32(r.hdr[8:12])
	if capLen > MaxRecordLen {
		return nil, time.Time{}, fmt.Errorf("pcap record %d: captured length %d exceeds %d: damaged file", r.n, capLen, MaxRecordLen)
	}
	if cap(r.buf) < int(capLen) {
		r.buf = make([]byte, capLen, max(int(capLen), 2048))
	}
	r.buf = r.buf[:capLen]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, time.Time{}, fmt.Errorf("pcap record %d data: %w", r.n, err)
	}
	nsec := int64(frac)
	if !r.nano {
		nsec *= 1000
	}
	return r.buf, time.Unix(int64(sec), nsec).UTC(), nil
}

// parseLink strips the link-layer header and hands the IP packet on.
func (r *Reader) parseLink(b []byte) (Packet, bool) {
	var etherType uint16
	switch r.linkType {
	case LinkEthernet:
		if len(b) < 14 {
			r.skipped.Truncated++
			return Packet{}, false
		}
		etherType = binary.BigEndian.Uint16(b[12:14])
		b = b[14:]
		for etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100 {
			if len(b) < 4 {
				r.skipped.Truncated++
				return Packet{}, false
			}
			etherType = binary.BigEndian.Uint16(b[2:4])
			b = b[4:]
		}
	case LinkLinuxSLL:
		if len(b) < 16 {
			r.skipped.Truncated++
			return Packet{}, false
		}
		etherType = binary.BigEndian.Uint16(b[14:16])
		b = b[16:]
	case LinkLinuxSLL2:
		if len(b) < 20 {
			r.skipped.Truncated++
			return Packet{}, false
		}
		etherType = binary.BigEndian.Uint16(b[0:2])
		b = b[20:]
	case LinkRaw, LinkRawOld:
		if len(b) < 1 {
			r.skipped.Truncated++
			return Packet{}, false
		}
		switch b[0] >> 4 {
		case 4:
			etherType = 0x0800
		case 6:
			etherType = 0x86dd
		}
	case LinkNull:
		if len(b) < 4 {
			r.skipped.Truncated++
			return Packet{}, false
		}
		// The family is in the capturing host's byte order; AF_INET is 2
		// everywhere, AF_INET6 is 10, 24, 28 or 30 depending on the OS.
		fam := binary.LittleEndian.Uint32(b[0:4])
		if fam > 0xffff {
			fam = binary.BigEndian.Uint32(b[0:4])
		}
		switch fam {
		case 2:
			etherType = 0x0800
		case 10, 24, 28, 30:
			etherType = 0x86dd
		}
		b = b[4:]
	}
	switch etherType {
	case 0x0800:
		return r.parseIPv4(b)
	case 0x86dd:
		return r.parseIPv6(b)
	}
	r.skipped.NotUDP++
	return Packet{}, false
}

func (r *Reader) parseIPv4(b []byte) (Packet, bool) {
	if len(b) < 20 || b[0]>>4 != 4 {
		r.skipped.Truncated++
		return Packet{}, false
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if ihl < 20 || total < ihl || len(b) < total {
		r.skipped.Truncated++
		return Packet{}, false
	}
	if frag := binary.BigEndian.Uint16(b[6:8]); frag&0x3fff != 0 { // MF set or offset != 0
		r.skipped.Fragment++
		return Packet{}, false
	}
	if b[9] != 17 {
		r.skipped.NotUDP++
		return Packet{}, false
	}
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	return r.parseUDP(b[ihl:total], src, dst)
}

func (r *Reader) parseIPv6(b []byte) (Packet, bool) {
	if len(b) < 40 || b[0]>>4 != 6 {
		r.skipped.Truncated++
		return Packet{}, false
	}
	plen := int(binary.BigEndian.Uint16(b[4:6]))
	next := b[6]
	src := netip.AddrFrom16([16]byte(b[8:24]))
	dst := netip.AddrFrom16([16]byte(b[24:40]))
	b = b[40:]
	if plen == 0 || len(b) < plen { // 0 is a jumbogram; not for NetFlow
		r.skipped.Truncated++
		return Packet{}, false
	}
	b = b[:plen]
	for {
		switch next {
		case 17:
			return r.parseUDP(b, src, dst)
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(b) < 8 {
				r.skipped.Truncated++
				return Packet{}, false
			}
			n := (int(b[1]) + 1) * 8
			if len(b) < n {
				r.skipped.Truncated++
				return Packet{}, false
			}
			next, b = b[0], b[n:]
		case 44:
			r.skipped.Fragment++
			return Packet{}, false
		default:
			r.skipped.NotUDP++
			return Packet{}, false
		}
	}
}

func (r *Reader) parseUDP(b []byte, src, dst netip.Addr) (Packet, bool) {
	if len(b) < 8 {
		r.skipped.Truncated++
		return Packet{}, false
	}
	ulen := int(binary.BigEndian.Uint16(b[4:6]))
	if ulen < 8 || ulen > len(b) {
		r.skipped.Truncated++
		return Packet{}, false
	}
	return Packet{
		Src:     netip.AddrPortFrom(src, binary.BigEndian.Uint16(b[0:2])),
		Dst:     netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:4])),
		Payload: b[8:ulen],
	}, true
}
