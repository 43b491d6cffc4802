package flowfile

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
)

// A block's data (FORMAT.md, "Block data") is two dictionaries and the
// per-record columns that index them:
//
//   - the endpoint dictionary: each distinct (address, country, AS) of the
//     block once, busiest first; records name their source and destination
//     by index, so a host seen a thousand times costs a small number each;
//   - the class dictionary: each distinct combination of the low-variety
//     fields (protocol, flags, type, interfaces, next hop, …) once; a
//     record names its class by index;
//   - per record: class, source and destination indices, the two ports,
//     sTime as a delta, duration, packets and bytes.
//
// Each column is compressed on its own by the block's codec.

// The columns, in the order they are stored. Adding or changing a column
// is a format change.
const (
	// Per record, one byte of a number each: byte 0 (least significant)
	// of every record's value, then byte 1, … Numbers split into byte
	// planes like this let the entropy coder see the busy low bytes and
	// the quiet high bytes apart; an unused high plane is constant.
	colClass0 = iota // class index, bytes 0-1
	colClass1
	colSrc0 // endpoint index of (sIP, sCC, srcAS), bytes 0-2
	colSrc1
	colSrc2
	colDst0 // endpoint index of (dIP, dCC, dstAS), bytes 0-2
	colDst1
	colDst2
	colLo0 // the lower of sPort and dPort, bytes 0-1
	colLo1
	colHi0 // the higher, bytes 0-1
	colHi1

	colSTime   // per record: zigzag sTime delta from the previous record (uvarint)
	colDur     // per record: zigzag eTime-sTime (uvarint)
	colPackets // per record (uvarint)
	colBytes   // per record (uvarint)

	colEpKinds // per endpoint: address kind (1 byte)
	colEp4     // per IPv4 endpoint: address (4 bytes)
	colEp6     // per IPv6 endpoint: address (16 bytes)
	colEpCC    // per endpoint: country code (2 bytes)
	colEpAS    // per endpoint: AS number (4 bytes)

	colClKinds        // per class: nhIP kind and port order (1 byte)
	colClNh4          // per class with an IPv4 nhIP (4 bytes)
	colClNh6          // per class with an IPv6 nhIP (16 bytes)
	colClProto        // per class (1 byte)
	colClFlags        // per class (1 byte)
	colClInitFlags    // per class (1 byte)
	colClSessionFlags // per class (1 byte)
	colClAttributes   // per class (1 byte)
	colClTOS          // per class (1 byte)
	colClType         // per class (1 byte)
	colClSensor       // per class (2 bytes)
	colClApplication  // per class (2 bytes)
	colClIn           // per class (uvarint)
	colClOut          // per class (uvarint)
	colClSampling     // per class (uvarint)
	numCols
)

// colWidth is the width of one value; 0 marks a uvarint column.
var colWidth = [numCols]int{
	colClass0: 1, colClass1: 1, colSrc0: 1, colSrc1: 1, colSrc2: 1, colDst0: 1, colDst1: 1, colDst2: 1,
	colLo0: 1, colLo1: 1, colHi0: 1, colHi1: 1,
	colEpKinds: 1, colEp4: 4, colEp6: 16, colEpCC: 2, colEpAS: 4,
	colClKinds: 1, colClNh4: 4, colClNh6: 16, colClProto: 1, colClFlags: 1, colClInitFlags: 1,
	colClSessionFlags: 1, colClAttributes: 1, colClTOS: 1, colClType: 1, colClSensor: 2, colClApplication: 2,
}

// Address kinds, and the bits of a class's kinds byte.
const (
	addrNone = 0 // invalid netip.Addr
	addrV4   = 1
	addrV6   = 2

	clNhMask   = 3      // bits 0-1: nhIP kind
	clSwapped  = 1 << 2 // sPort > dPort: PortLo holds dPort, PortHi sPort
	clReserved = 0xF8
)

func addrKind(a netip.Addr) byte {
	switch {
	case a.Is4():
		return addrV4
	case a.Is6():
		return addrV6
	}
	return addrNone
}

func addrBytes(a netip.Addr) (b [16]byte) {
	if a.Is4() {
		v := a.As4()
		copy(b[:], v[:])
	} else if a.Is6() {
		b = a.As16()
	}
	return b
}

// endpoint is one side of a flow: an address with its country code and
// AS number.
type endpoint struct {
	addr [16]byte
	as   uint32
	cc   Country
	kind uint8
}

// class holds a record's low-variety fields.
type class struct {
	nh                                                [16]byte
	in, out, sampling                                 uint32
	sensor, application                               uint16
	kinds                                             uint8 // clNhMask | clSwapped
	proto, flags, initFlags, sessionFlags, attrs, tos uint8
	typ                                               FlowType
}

func (e endpoint) hash() uint64 {
	return mix(binary.LittleEndian.Uint64(e.addr[:8]), binary.LittleEndian.Uint64(e.addr[8:]),
		uint64(e.as)|uint64(e.cc)<<32|uint64(e.kind)<<48)
}

func (k class) hash() uint64 {
	h := mix(binary.LittleEndian.Uint64(k.nh[:8]), binary.LittleEndian.Uint64(k.nh[8:]),
		uint64(k.in)|uint64(k.out)<<32)
	return mix(h, uint64(k.sampling)|uint64(k.sensor)<<32|uint64(k.application)<<48,
		uint64(k.kinds)|uint64(k.proto)<<8|uint64(k.flags)<<16|uint64(k.initFlags)<<24|
			uint64(k.sessionFlags)<<32|uint64(k.attrs)<<40|uint64(k.tos)<<48|uint64(k.typ)<<56)
}

// mix hashes three words (multiply-xorshift, the finaliser of splitmix64).
func mix(a, b, c uint64) uint64 {
	h := a*0x9E3779B97F4A7C15 ^ b*0xC2B2AE3D27D4EB4F ^ c*0x165667B19E3779F9
	h ^= h >> 31
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 29
	return h
}

// dictionary numbers distinct keys in order of first appearance and
// counts their uses. It is an open-addressing hash table, cheaper than a
// Go map for these small fixed-size keys on the write path.
type dictionary[K interface {
	comparable
	hash() uint64
}] struct {
	table  []uint32 // slot+1 at the key's hash position, 0 if empty
	used   int      // entries in table; keys may hold more (endpointDict and classDict add their packed keys there too)
	keys   []K
	counts []uint32
	order  []uint32 // slots by descending count (buildOrder)
	rank   []uint32 // slot → index in the stored dictionary
	start  []uint32 // buildOrder's counting sort
}

func (d *dictionary[K]) slot(k K) uint32 {
	if 2*(d.used+1) > len(d.table) {
		d.grow()
	}
	mask := uint64(len(d.table) - 1)
	for i := k.hash() & mask; ; i = (i + 1) & mask {
		s := d.table[i]
		if s == 0 {
			s = uint32(len(d.keys))
			d.table[i] = s + 1
			d.used++
			d.keys = append(d.keys, k)
			d.counts = append(d.counts, 1)
			return s
		}
		if d.keys[s-1] == k {
			d.counts[s-1]++
			return s - 1
		}
	}
}

// grow doubles the table and re-inserts the entries it holds. It walks the
// old table, not keys: the packed dictionaries append keys that are never
// in this table, and re-inserting those could fill it (and loop forever).
func (d *dictionary[K]) grow() {
	old := d.table
	d.table = make([]uint32, max(1024, 2*len(old)))
	mask := uint64(len(d.table) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := d.keys[s-1].hash() & mask
		for d.table[i] != 0 {
			i = (i + 1) & mask
		}
		d.table[i] = s
	}
}

func (d *dictionary[K]) reset() {
	clear(d.table)
	d.used = 0
	d.keys, d.counts = d.keys[:0], d.counts[:0]
}

// buildOrder orders the keys busiest first, so that frequent keys get
// small indices (one uvarint byte) and the compressor sees a skewed
// distribution; ties keep the order of first appearance.
func (d *dictionary[K]) buildOrder() {
	// A counting sort: counts are at most a block's records, and most
	// are small.
	var top uint32
	for _, c := range d.counts {
		top = max(top, c)
	}
	d.start = slices.Grow(d.start[:0], int(top)+2)[:top+2]
	clear(d.start)
	for _, c := range d.counts {
		d.start[top-c+1]++ // position by descending count
	}
	for i := 1; i < len(d.start); i++ {
		d.start[i] += d.start[i-1]
	}
	d.order = slices.Grow(d.order[:0], len(d.keys))[:len(d.keys)]
	d.rank = slices.Grow(d.rank[:0], len(d.keys))[:len(d.keys)]
	for s, c := range d.counts {
		r := d.start[top-c]
		d.start[top-c]++
		d.order[r] = uint32(s)
		d.rank[s] = r
	}
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// columns collects one block's records. Write-time work is a few appends
// and two map look-ups per record; the dictionaries are laid out at Flush.
type columns struct {
	col     [numCols][]byte
	n       int
	prevS   int64 // sTime of the previous record
	firstS  int64 // sTime of the block's first record
	scratch []byte
	packed  []byte
	data    [numCols][]byte
	konst   [numCols]bool
	sum     BlockSummary

	eps     endpointDict
	classes classDict
	cls     []uint32 // per record: class slot
	src     []uint32 // per record: endpoint slots
	dst     []uint32
	lo, hi  []uint32 // per record: ports
}

func (c *columns) reset() {
	for i := range c.col {
		c.col[i] = c.col[i][:0]
	}
	c.n = 0
	c.sum = BlockSummary{}
	c.eps.reset()
	c.classes.reset()
	c.cls, c.src, c.dst, c.lo, c.hi = c.cls[:0], c.src[:0], c.dst[:0], c.lo[:0], c.hi[:0]
}

func (c *columns) add(r *Record) {
	s := &c.sum
	if c.n == 0 {
		s.MinSTime, s.MaxSTime, s.MaxETime = r.STime, r.STime, r.ETime
		s.MinSensor, s.MaxSensor = r.Sensor, r.Sensor
		c.prevS = r.STime
		c.firstS = r.STime
	} else {
		s.MinSTime = min(s.MinSTime, r.STime)
		s.MaxSTime = max(s.MaxSTime, r.STime)
		s.MaxETime = max(s.MaxETime, r.ETime)
		s.MinSensor = min(s.MinSensor, r.Sensor)
		s.MaxSensor = max(s.MaxSensor, r.Sensor)
	}
	if r.IsIPv6() {
		s.HasIPv6 = true
	} else {
		s.HasIPv4 = true
	}
	s.Protocols[r.Proto>>6] |= 1 << (r.Proto & 63)
	if r.Type < 16 {
		s.Types |= 1 << r.Type
	}

	lo, hi := r.SPort, r.DPort
	kinds := addrKind(r.NhIP)
	if lo > hi {
		lo, hi = hi, lo
		kinds |= clSwapped
	}
	c.cls = append(c.cls, c.classes.slot(r, kinds))
	c.src = append(c.src, c.eps.slot(r.SIP, r.SrcAS, r.SCC))
	c.dst = append(c.dst, c.eps.slot(r.DIP, r.DstAS, r.DCC))

	c.lo = append(c.lo, uint32(lo))
	c.hi = append(c.hi, uint32(hi))
	col := &c.col
	col[colSTime] = binary.AppendUvarint(col[colSTime], zigzag(r.STime-c.prevS))
	c.prevS = r.STime
	col[colDur] = binary.AppendUvarint(col[colDur], zigzag(r.ETime-r.STime))
	col[colPackets] = binary.AppendUvarint(col[colPackets], r.Packets)
	col[colBytes] = binary.AppendUvarint(col[colBytes], r.Bytes)
	c.n++
}

// buildDictionaries lays out the dictionary and index columns.
func (c *columns) buildDictionaries() {
	col := &c.col
	for i := colEpKinds; i < numCols; i++ {
		col[i] = col[i][:0]
	}
	c.eps.buildOrder()
	for _, s := range c.eps.order {
		e := &c.eps.keys[s]
		col[colEpKinds] = append(col[colEpKinds], e.kind)
		switch e.kind {
		case addrV4:
			col[colEp4] = append(col[colEp4], e.addr[:4]...)
		case addrV6:
			col[colEp6] = append(col[colEp6], e.addr[:]...)
		}
		col[colEpCC] = binary.LittleEndian.AppendUint16(col[colEpCC], uint16(e.cc))
		col[colEpAS] = binary.LittleEndian.AppendUint32(col[colEpAS], e.as)
	}
	c.classes.buildOrder()
	for _, s := range c.classes.order {
		k := &c.classes.keys[s]
		col[colClKinds] = append(col[colClKinds], k.kinds)
		switch k.kinds & clNhMask {
		case addrV4:
			col[colClNh4] = append(col[colClNh4], k.nh[:4]...)
		case addrV6:
			col[colClNh6] = append(col[colClNh6], k.nh[:]...)
		}
		col[colClProto] = append(col[colClProto], k.proto)
		col[colClFlags] = append(col[colClFlags], k.flags)
		col[colClInitFlags] = append(col[colClInitFlags], k.initFlags)
		col[colClSessionFlags] = append(col[colClSessionFlags], k.sessionFlags)
		col[colClAttributes] = append(col[colClAttributes], k.attrs)
		col[colClTOS] = append(col[colClTOS], k.tos)
		col[colClType] = append(col[colClType], byte(k.typ))
		col[colClSensor] = binary.LittleEndian.AppendUint16(col[colClSensor], k.sensor)
		col[colClApplication] = binary.LittleEndian.AppendUint16(col[colClApplication], k.application)
		col[colClIn] = binary.AppendUvarint(col[colClIn], uint64(k.in))
		col[colClOut] = binary.AppendUvarint(col[colClOut], uint64(k.out))
		col[colClSampling] = binary.AppendUvarint(col[colClSampling], uint64(k.sampling))
	}
	c.appendPlanes(colClass0, 2, c.cls, c.classes.rank)
	c.appendPlanes(colSrc0, 3, c.src, c.eps.rank)
	c.appendPlanes(colDst0, 3, c.dst, c.eps.rank)
	c.appendPlanes(colLo0, 2, c.lo, nil)
	c.appendPlanes(colHi0, 2, c.hi, nil)
}

// appendPlanes fills the byte-plane columns first..first+planes-1 with
// vals, mapped through rank if it is not nil.
func (c *columns) appendPlanes(first, planes int, vals, rank []uint32) {
	for j := range planes {
		b := c.col[first+j][:0]
		sh := 8 * j
		if rank != nil {
			for _, v := range vals {
				b = append(b, byte(rank[v]>>sh))
			}
		} else {
			for _, v := range vals {
				b = append(b, byte(v>>sh))
			}
		}
		c.col[first+j] = b
	}
}

// repeats reports whether b is one w-byte value repeated at least twice.
func repeats(b []byte, w int) bool {
	if w <= 0 || len(b) < 2*w || len(b)%w != 0 {
		return false
	}
	first := b[:w]
	for i := w; i < len(b); i += w {
		if string(b[i:i+w]) != string(first) {
			return false
		}
	}
	return true
}

// finish lays out the block's columns: c.data[i] and c.konst[i].
func (c *columns) finish() {
	c.buildDictionaries()
	for i := range numCols {
		data := c.col[i]
		if i == colSTime {
			// The first sTime was coded as 0 (a delta from itself); now
			// that the block is complete, code it against the block's
			// minimum sTime, the base readers get from the block header.
			c.scratch = binary.AppendUvarint(c.scratch[:0], zigzag(c.firstS-c.sum.MinSTime))
			c.scratch = append(c.scratch, data[1:]...)
			data = c.scratch
		}
		var konst bool
		switch w := colWidth[i]; {
		case w > 0:
			if konst = repeats(data, w); konst {
				data = data[:w]
			}
		case w == 0:
			_, w = binary.Uvarint(data)
			if konst = repeats(data, w); konst {
				data = data[:w]
			}
		}
		c.data[i], c.konst[i] = data, konst
	}
}

// Bits of a column header (FORMAT.md, "Block data").
const (
	colPacked = 1 << 0 // stored compressed by the block's codec
	colConst  = 1 << 1 // one value shared by all the column's entries
	colShift  = 2      // the column's data length follows these bits
)

// minPack is the shortest column worth compressing.
const minPack = 64

// appendPayload appends the block's payload (FORMAT.md, "Block data"):
// the number of endpoints and classes, then for each column its header
// uvarint(len<<2 | const<<1 | packed), for a packed column the uvarint
// length of the stored bytes, and the stored bytes. Each column is
// compressed on its own, so the compressor's entropy coder fits each
// column's statistics. It returns the payload and the total length of
// the columns' data.
func (c *columns) appendPayload(b []byte, comp *compressor) ([]byte, int, error) {
	c.finish()
	b = binary.AppendUvarint(b, uint64(len(c.eps.keys)))
	b = binary.AppendUvarint(b, uint64(len(c.classes.keys)))
	total := 0
	for i := range numCols {
		data := c.data[i]
		total += len(data)
		hdr := uint64(len(data)) << colShift
		if c.konst[i] {
			hdr |= colConst
		}
		if comp != nil && comp.codec != CodecNone && len(data) >= minPack && !c.konst[i] {
			packed, err := comp.pack(c.packed[:0], data, i <= colHi1)
			if err != nil {
				return b, 0, fmt.Errorf("column %d: %w", i, err)
			}
			c.packed = packed
			if len(packed) > 0 && len(packed) < len(data) {
				b = binary.AppendUvarint(b, hdr|colPacked)
				b = binary.AppendUvarint(b, uint64(len(packed)))
				b = append(b, packed...)
				continue
			}
		}
		b = binary.AppendUvarint(b, hdr)
		b = append(b, data...)
	}
	return b, total, nil
}
