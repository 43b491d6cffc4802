package flowfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// The columns of a block's data, in the order they are stored
// (FORMAT.md, "Block data"). Adding a column is a format change.
const (
	colKinds = iota
	colSIP4
	colSIP6
	colDIP4
	colDIP6
	colNh4
	colNh6
	colSPort
	colDPort
	colProto
	colSTime
	colDur
	colPackets
	colBytes
	colFlags
	colInitFlags
	colSessionFlags
	colAttributes
	colTOS
	colType
	colSensor
	colApplication
	colIn
	colOut
	colSrcAS
	colDstAS
	colSampling
	colSCC
	colDCC
	numCols
)

// colWidth is the width of one value of a fixed-width column; 0 marks a
// varint column, -1 an address column (4 or 16 bytes per present address).
var colWidth = [numCols]int{
	colKinds: 1,
	colSIP4:  -1, colSIP6: -1, colDIP4: -1, colDIP6: -1, colNh4: -1, colNh6: -1,
	colSPort: 2, colDPort: 2, colProto: 1,
	colSTime: 0, colDur: 0, colPackets: 0, colBytes: 0,
	colFlags: 1, colInitFlags: 1, colSessionFlags: 1, colAttributes: 1, colTOS: 1,
	colType: 1, colSensor: 2, colApplication: 2,
	colIn: 0, colOut: 0, colSrcAS: 0, colDstAS: 0, colSampling: 0,
	colSCC: 2, colDCC: 2,
}

// Address kinds, two bits each for SIP, DIP and NhIP in the kinds column.
const (
	addrNone = 0 // invalid netip.Addr
	addrV4   = 1 // 4 bytes in the *4 column
	addrV6   = 2 // 16 bytes in the *6 column
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

func appendAddr(c4, c6 *[]byte, a netip.Addr) {
	if a.Is4() {
		b := a.As4()
		*c4 = append(*c4, b[:]...)
	} else if a.Is6() {
		b := a.As16()
		*c6 = append(*c6, b[:]...)
	}
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// columns collects one block's records column by column.
type columns struct {
	col     [numCols][]byte
	n       int
	first   [numCols]uint64 // varint columns: the first record's value
	vary    uint32          // varint columns: bit set once a value differs from first
	prevS   int64           // sTime of the previous record
	firstS  int64           // sTime of the block's first record
	scratch []byte
	sum     BlockSummary
}

func (c *columns) reset() {
	for i := range c.col {
		c.col[i] = c.col[i][:0]
	}
	c.n = 0
	c.vary = 0
	c.sum = BlockSummary{}
}

func (c *columns) varint(col int, v uint64) {
	if c.n == 0 {
		c.first[col] = v
	} else if v != c.first[col] {
		c.vary |= 1 << col
	}
	c.col[col] = binary.AppendUvarint(c.col[col], v)
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

	col := &c.col
	col[colKinds] = append(col[colKinds], addrKind(r.SIP)|addrKind(r.DIP)<<2|addrKind(r.NhIP)<<4)
	appendAddr(&col[colSIP4], &col[colSIP6], r.SIP)
	appendAddr(&col[colDIP4], &col[colDIP6], r.DIP)
	appendAddr(&col[colNh4], &col[colNh6], r.NhIP)
	col[colSPort] = binary.LittleEndian.AppendUint16(col[colSPort], r.SPort)
	col[colDPort] = binary.LittleEndian.AppendUint16(col[colDPort], r.DPort)
	col[colProto] = append(col[colProto], r.Proto)
	c.varint(colSTime, zigzag(r.STime-c.prevS))
	c.prevS = r.STime
	c.varint(colDur, zigzag(r.ETime-r.STime))
	c.varint(colPackets, r.Packets)
	c.varint(colBytes, r.Bytes)
	col[colFlags] = append(col[colFlags], r.Flags)
	col[colInitFlags] = append(col[colInitFlags], r.InitFlags)
	col[colSessionFlags] = append(col[colSessionFlags], r.SessionFlags)
	col[colAttributes] = append(col[colAttributes], r.Attributes)
	col[colTOS] = append(col[colTOS], r.TOS)
	col[colType] = append(col[colType], byte(r.Type))
	col[colSensor] = binary.LittleEndian.AppendUint16(col[colSensor], r.Sensor)
	col[colApplication] = binary.LittleEndian.AppendUint16(col[colApplication], r.Application)
	c.varint(colIn, uint64(r.In))
	c.varint(colOut, uint64(r.Out))
	c.varint(colSrcAS, uint64(r.SrcAS))
	c.varint(colDstAS, uint64(r.DstAS))
	c.varint(colSampling, uint64(r.SamplingRate))
	col[colSCC] = binary.LittleEndian.AppendUint16(col[colSCC], uint16(r.SCC))
	col[colDCC] = binary.LittleEndian.AppendUint16(col[colDCC], uint16(r.DCC))
	c.n++
}

// repeats reports whether b is one w-byte value repeated.
func repeats(b []byte, w int) bool {
	if len(b) <= w || len(b)%w != 0 {
		return len(b) == w
	}
	first := b[:w]
	for i := w; i < len(b); i += w {
		if string(b[i:i+w]) != string(first) {
			return false
		}
	}
	return true
}

// appendData appends the block's column data (FORMAT.md, "Block data"):
// each column is uvarint(len<<1 | constant) and its bytes; a constant
// column holds one value that every record shares.
func (c *columns) appendData(b []byte) []byte {
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
		konst := false
		switch w := colWidth[i]; {
		case w > 0:
			konst = repeats(data, w)
		case w < 0:
			aw := 4
			if (i-colSIP4)%2 == 1 {
				aw = 16
			}
			konst = len(data) > 0 && repeats(data, aw)
		default:
			konst = c.vary&(1<<i) == 0
		}
		if konst {
			switch w := colWidth[i]; {
			case w > 0:
				data = data[:w]
			case w < 0:
				data = data[:4+12*((i-colSIP4)%2)]
			default:
				data = binary.AppendUvarint(nil, c.first[i])
			}
		}
		hdr := uint64(len(data)) << 1
		if konst {
			hdr |= 1
		}
		b = binary.AppendUvarint(b, hdr)
		b = append(b, data...)
	}
	return b
}

var errColumns = errors.New("column data does not match the record count")

// colView is one column of a block being decoded.
type colView struct {
	b      []byte
	konst  bool
	stride int    // fixed/address columns: bytes per record, 0 if constant
	value  uint64 // varint columns: the constant value
}

// decodeColumns decodes raw column data of n records into recs[:n].
// minSTime is the block header's base for the sTime deltas.
func decodeColumns(raw []byte, n int, minSTime int64, recs []Record) error {
	var cv [numCols]colView
	p := raw
	for i := range numCols {
		hdr, k := binary.Uvarint(p)
		if k <= 0 || hdr>>1 > uint64(len(p)-k) {
			return fmt.Errorf("column %d: bad length", i)
		}
		l := int(hdr >> 1)
		cv[i] = colView{b: p[k : k+l], konst: hdr&1 != 0}
		p = p[k+l:]
	}
	if len(p) != 0 {
		return fmt.Errorf("%d bytes after the last column", len(p))
	}
	// Fixed-width columns: n values, or one if constant.
	for i := range numCols {
		c := &cv[i]
		w := colWidth[i]
		switch {
		case w > 0:
			if c.konst {
				if len(c.b) != w {
					return fmt.Errorf("column %d: %w", i, errColumns)
				}
			} else {
				if len(c.b) != n*w {
					return fmt.Errorf("column %d: %w", i, errColumns)
				}
				c.stride = w
			}
		case w == 0 && c.konst:
			v, k := binary.Uvarint(c.b)
			if k <= 0 || k != len(c.b) {
				return fmt.Errorf("column %d: bad constant", i)
			}
			c.value = v
		}
	}
	// Address columns: as many values as the kinds column announces.
	var cnt [6]int
	kinds := cv[colKinds]
	for i := range n {
		k := kinds.b[i*kinds.stride]
		if k>>6 != 0 || k&3 == 3 || k>>2&3 == 3 || k>>4&3 == 3 {
			return fmt.Errorf("record %d: bad address kinds %#x", i, k)
		}
		for a := range 3 {
			switch k >> (2 * a) & 3 {
			case addrV4:
				cnt[2*a]++
			case addrV6:
				cnt[2*a+1]++
			}
		}
	}
	for j := range 6 {
		c := &cv[colSIP4+j]
		aw := 4 + 12*(j%2)
		switch {
		case cnt[j] == 0:
			if len(c.b) != 0 {
				return fmt.Errorf("column %d: %w", colSIP4+j, errColumns)
			}
		case c.konst:
			if len(c.b) != aw {
				return fmt.Errorf("column %d: %w", colSIP4+j, errColumns)
			}
		default:
			if len(c.b) != cnt[j]*aw {
				return fmt.Errorf("column %d: %w", colSIP4+j, errColumns)
			}
			c.stride = aw
		}
	}

	var vpos [numCols]int // read positions of varint columns
	var apos [6]int       // read positions of address columns
	prev := minSTime
	for i := range recs[:n] {
		r := &recs[i]
		k := kinds.b[i*kinds.stride]
		r.SIP = readAddr(k&3, &cv[colSIP4], &cv[colSIP6], &apos[0], &apos[1])
		r.DIP = readAddr(k>>2&3, &cv[colDIP4], &cv[colDIP6], &apos[2], &apos[3])
		r.NhIP = readAddr(k>>4&3, &cv[colNh4], &cv[colNh6], &apos[4], &apos[5])
		r.SPort = binary.LittleEndian.Uint16(cv[colSPort].b[i*cv[colSPort].stride:])
		r.DPort = binary.LittleEndian.Uint16(cv[colDPort].b[i*cv[colDPort].stride:])
		r.Proto = cv[colProto].b[i*cv[colProto].stride]

		var v [numCols]uint64
		for _, j := range varintCols {
			c := &cv[j]
			if c.konst {
				v[j] = c.value
				continue
			}
			q := vpos[j]
			if q < len(c.b) && c.b[q] < 0x80 {
				v[j] = uint64(c.b[q])
				vpos[j] = q + 1
				continue
			}
			x, m := binary.Uvarint(c.b[min(q, len(c.b)):])
			if m <= 0 {
				return fmt.Errorf("column %d record %d: bad varint", j, i)
			}
			v[j] = x
			vpos[j] = q + m
		}
		prev += unzigzag(v[colSTime])
		r.STime = prev
		r.ETime = prev + unzigzag(v[colDur])
		r.Packets = v[colPackets]
		r.Bytes = v[colBytes]
		r.In = uint32(v[colIn])
		r.Out = uint32(v[colOut])
		r.SrcAS = uint32(v[colSrcAS])
		r.DstAS = uint32(v[colDstAS])
		r.SamplingRate = uint32(v[colSampling])

		r.Flags = cv[colFlags].b[i*cv[colFlags].stride]
		r.InitFlags = cv[colInitFlags].b[i*cv[colInitFlags].stride]
		r.SessionFlags = cv[colSessionFlags].b[i*cv[colSessionFlags].stride]
		r.Attributes = cv[colAttributes].b[i*cv[colAttributes].stride]
		r.TOS = cv[colTOS].b[i*cv[colTOS].stride]
		r.Type = FlowType(cv[colType].b[i*cv[colType].stride])
		r.Sensor = binary.LittleEndian.Uint16(cv[colSensor].b[i*cv[colSensor].stride:])
		r.Application = binary.LittleEndian.Uint16(cv[colApplication].b[i*cv[colApplication].stride:])
		r.SCC = Country(binary.LittleEndian.Uint16(cv[colSCC].b[i*cv[colSCC].stride:]))
		r.DCC = Country(binary.LittleEndian.Uint16(cv[colDCC].b[i*cv[colDCC].stride:]))
	}
	for _, j := range varintCols {
		if !cv[j].konst && vpos[j] != len(cv[j].b) {
			return fmt.Errorf("column %d: %w", j, errColumns)
		}
	}
	return nil
}

var varintCols = [...]int{colSTime, colDur, colPackets, colBytes, colIn, colOut, colSrcAS, colDstAS, colSampling}

func readAddr(kind byte, c4, c6 *colView, p4, p6 *int) netip.Addr {
	switch kind {
	case addrV4:
		b := c4.b[*p4:]
		*p4 += c4.stride
		return netip.AddrFrom4([4]byte(b[:4]))
	case addrV6:
		b := c6.b[*p6:]
		*p6 += c6.stride
		return netip.AddrFrom16([16]byte(b[:16]))
	}
	return netip.Addr{}
}
