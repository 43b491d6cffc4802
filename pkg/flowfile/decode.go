package flowfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
)

// Decoding a block (FORMAT.md, "Block data") happens in three steps:
// prepare reads the column headers and decompresses nothing; want
// decompresses the columns that hold the fields a caller asked for and
// decodes the dictionaries among them; run builds the records, chunk by
// chunk, column by column. A reader that needs a record's destination
// address and bytes decompresses 5 of the 36 columns.

var errColumns = errors.New("column length does not match the number of values")

// colView is one column of a block being decoded.
type colView struct {
	b      []byte // the column's data, once loaded
	stored []byte // the packed bytes, for a packed column
	rawLen int    // length of the data
	konst  bool
	loaded bool
	pos    int    // read position of next and uvarints
	value  uint64 // uvarint columns: the constant value
}

// at returns value i of a fixed-width column checked by checkFixed.
func (c *colView) at(i, w int) []byte {
	if c.konst {
		return c.b[:w]
	}
	return c.b[i*w : i*w+w]
}

// next returns the next value of a fixed-width column checked by checkFixed.
func (c *colView) next(w int) []byte {
	if c.konst {
		return c.b[:w]
	}
	p := c.pos
	c.pos += w
	return c.b[p : p+w]
}

// uvarints decodes len(dst) values of a uvarint column.
func (c *colView) uvarints(dst []uint64) error {
	if c.konst {
		for i := range dst {
			dst[i] = c.value
		}
		return nil
	}
	b, p := c.b, c.pos
	for i := range dst {
		if p+1 < len(b) {
			// One- and two-byte values are most of them.
			x0 := b[p]
			if x0 < 0x80 {
				dst[i] = uint64(x0)
				p++
				continue
			}
			if x1 := b[p+1]; x1 < 0x80 {
				dst[i] = uint64(x0&0x7F) | uint64(x1)<<7
				p += 2
				continue
			}
		} else if p < len(b) && b[p] < 0x80 {
			dst[i] = uint64(b[p])
			p++
			continue
		}
		if p >= len(b) {
			return errColumns
		}
		v, k := binary.Uvarint(b[p:])
		if k <= 0 {
			return errors.New("bad uvarint")
		}
		dst[i] = v
		p += k
	}
	c.pos = p
	return nil
}

// planes decodes values base..base+len(dst) of the byte-plane columns
// cv[first:first+planes].
func planes(cv *[numCols]colView, first, planes int, dst []uint64, base int) {
	for j := range planes {
		c := &cv[first+j]
		sh := 8 * j
		if c.konst {
			x := uint64(c.b[0]) << sh
			if j == 0 {
				for i := range dst {
					dst[i] = x
				}
			} else if x != 0 { // an unused high plane is 0: nothing to add
				for i := range dst {
					dst[i] |= x
				}
			}
			continue
		}
		p := c.b[base : base+len(dst)]
		if j == 0 {
			for i := range dst {
				dst[i] = uint64(p[i])
			}
		} else {
			for i := range dst {
				dst[i] |= uint64(p[i]) << sh
			}
		}
	}
}

// checkFixed checks that a fixed-width column holds want values of w
// bytes, or one value if it is constant.
func checkFixed(c *colView, want, w int) error {
	switch {
	case want == 0 && len(c.b) == 0:
	case c.konst && len(c.b) == w && want >= 2:
	case !c.konst && len(c.b) == want*w:
	default:
		return errColumns
	}
	return nil
}

// decodeChunk is how many records are decoded column by column at a time:
// few enough that they stay in the CPU cache between columns.
const decodeChunk = 256

// dictEntry is a decoded endpoint.
type dictEntry struct {
	addr netip.Addr
	as   uint32
	cc   Country
}

// groups are sets of columns decompressed together.
type groups uint8

const (
	gClass   groups = 1 << iota // class planes and the class dictionary
	gPorts                      // the port planes (with gClass: which port is low)
	gEp                         // the endpoint dictionary
	gSrc                        // source index planes (with gEp)
	gDst                        // destination index planes (with gEp)
	gTimes                      // sTime and duration
	gPackets                    // packets
	gBytes                      // bytes
)

// groupCols lists the columns of each group, in the order they load.
var groupCols = [...]struct {
	g    groups
	cols []int
}{
	{gClass, []int{colClass0, colClass1, colClKinds, colClNh4, colClNh6, colClProto, colClFlags, colClInitFlags,
		colClSessionFlags, colClAttributes, colClTOS, colClType, colClSensor, colClApplication, colClIn, colClOut, colClSampling}},
	{gPorts, []int{colLo0, colLo1, colHi0, colHi1}},
	{gEp, []int{colEpKinds, colEp4, colEp6, colEpCC, colEpAS}},
	{gSrc, []int{colSrc0, colSrc1, colSrc2}},
	{gDst, []int{colDst0, colDst1, colDst2}},
	{gTimes, []int{colSTime, colDur}},
	{gPackets, []int{colPackets}},
	{gBytes, []int{colBytes}},
}

// fieldGroups returns the groups that hold the fields f.
func fieldGroups(f Fields) groups {
	var g groups
	if f&FieldClass != 0 {
		g |= gClass
	}
	if f&FieldPorts != 0 {
		g |= gClass | gPorts
	}
	if f&FieldSrc != 0 {
		g |= gEp | gSrc
	}
	if f&FieldDst != 0 {
		g |= gEp | gDst
	}
	if f&FieldTimes != 0 {
		g |= gTimes
	}
	if f&FieldPackets != 0 {
		g |= gPackets
	}
	if f&FieldBytes != 0 {
		g |= gBytes
	}
	return g
}

// blockDecoder holds the scratch space of block decoding, reused from
// block to block.
type blockDecoder struct {
	eps     []dictEntry
	classes []Record // the class fields of each class, other fields zero
	swapped []bool   // per class
	vals    [decodeChunk]uint64
	vals2   [decodeChunk]uint64
	vals3   [decodeChunk]uint64
	rows    [decodeChunk]int32            // the selected records of a chunk
	fill    [colHi1 + 1][decodeChunk]byte // constant byte planes, spread
	scratch []Record                      // selectRows' records
	acc     []endpointAcc                 // endpointSums' accumulators
	sums    []EndpointSum                 // and its result

	// the block prepared for run
	cv             [numCols]colView
	dec            *decompressor
	codec          Codec
	n, done        int // records stored, records run has gone past
	minSTime, prev int64
	nEps, nClasses int
	loaded         groups
	hasIPv6        bool     // some record is IPv6 (BlockSummary.HasIPv6)
	fields         Fields   // what run builds
	sel            []uint64 // bitmap of the records run returns; nil: every one
}

// prepare makes ready to decode a block payload (already checked against
// its CRC) that s describes: it reads the column headers and checks their
// lengths, and loads the columns of fields (want; none for 0); run then
// decodes the records. dec decompresses packed columns. A non-empty sel
// limits run to the records it marks. After an error there is nothing to
// run.
func (d *blockDecoder) prepare(payload []byte, s *BlockSummary, dec *decompressor, sel []uint64, fields Fields) error {
	err := d.parse(payload, s, dec, sel)
	if err == nil {
		err = d.want(fields)
	}
	if err != nil {
		d.reset()
	}
	return err
}

// parse reads the column headers of a payload for prepare.
func (d *blockDecoder) parse(payload []byte, s *BlockSummary, dec *decompressor, sel []uint64) error {
	d.n, d.done = 0, 0 // nothing to run until the block is good
	n, minSTime, rawLen, codec := s.Stored, s.MinSTime, s.rawLen, s.Codec
	d.hasIPv6 = s.HasIPv6
	ne, k := binary.Uvarint(payload)
	if k <= 0 || ne > 2*uint64(n) {
		return errors.New("bad endpoint count")
	}
	p := payload[k:]
	nc, k := binary.Uvarint(p)
	if k <= 0 || nc > uint64(n) {
		return errors.New("bad class count")
	}
	p = p[k:]
	cv := &d.cv
	total := 0
	for i := range numCols {
		c := &cv[i]
		*c = colView{}
		hdr, k := binary.Uvarint(p)
		if k <= 0 {
			return fmt.Errorf("column %d: bad header", i)
		}
		p = p[k:]
		l := hdr >> colShift
		if l > uint64(rawLen-total) {
			return fmt.Errorf("column %d: length %d overruns the block's %d bytes", i, l, rawLen)
		}
		total += int(l)
		c.konst = hdr&colConst != 0
		c.rawLen = int(l)
		if hdr&colPacked == 0 {
			if l > uint64(len(p)) {
				return fmt.Errorf("column %d: truncated", i)
			}
			c.b, p = p[:l], p[l:]
			continue
		}
		sl, k := binary.Uvarint(p)
		if k <= 0 || sl == 0 || sl > uint64(len(p)-k) {
			return fmt.Errorf("column %d: bad stored length", i)
		}
		c.stored = p[k : k+int(sl)]
		p = p[k+int(sl):]
	}
	if len(p) != 0 {
		return fmt.Errorf("%d bytes after the last column", len(p))
	}
	if total != rawLen {
		return fmt.Errorf("columns hold %d bytes, block header says %d", total, rawLen)
	}
	if len(sel) != 0 && len(sel) != selectionWords(n) {
		return errors.New("selection does not fit the block")
	}
	dec.raw = slices.Grow(dec.raw[:0], rawLen)
	d.dec, d.codec = dec, codec
	d.n, d.done, d.minSTime, d.prev = n, 0, minSTime, minSTime
	d.nEps, d.nClasses = int(ne), int(nc)
	d.loaded, d.fields = 0, 0
	d.sel = nil
	if len(sel) != 0 {
		d.sel = sel
	}
	return nil
}

// want makes run build the fields f, loading the columns that hold them.
// Columns are loaded before run starts on the block, or after selectRows.
func (d *blockDecoder) want(f Fields) error {
	if f&FieldFamily != 0 && d.hasIPv6 {
		f |= FieldSrc // IsIPv6 needs SIP
	}
	d.fields = f
	g := fieldGroups(f) &^ d.loaded
	if g == 0 {
		return nil
	}
	if d.done != 0 {
		return errors.New("flowfile: columns loaded in the middle of a block")
	}
	for _, gc := range groupCols {
		if g&gc.g == 0 {
			continue
		}
		for _, j := range gc.cols {
			if err := d.loadCol(j); err != nil {
				return err
			}
		}
		switch gc.g {
		case gEp:
			d.buildEndpoints()
		case gClass:
			if err := d.buildClasses(); err != nil {
				return err
			}
		}
		d.loaded |= gc.g
	}
	return nil
}

// loadCol decompresses column j and checks its length.
func (d *blockDecoder) loadCol(j int) error {
	c := &d.cv[j]
	if c.stored != nil {
		b, err := d.dec.column(d.codec, c.stored, c.rawLen)
		if err != nil {
			return fmt.Errorf("column %d: %w", j, err)
		}
		c.b, c.stored = b, nil
	}
	c.loaded = true
	if colWidth[j] == 0 && c.konst {
		v, k := binary.Uvarint(c.b)
		if k <= 0 || k != len(c.b) {
			return fmt.Errorf("column %d: bad constant", j)
		}
		c.value = v
	}
	// Fixed-width columns hold one value per record, endpoint or class,
	// address columns one per address of their kind (the kinds columns
	// load first).
	E, C := d.nEps, d.nClasses
	var want int
	switch {
	case colWidth[j] == 0:
		return nil
	case j <= colHi1:
		want = d.n
	case j == colEp4 || j == colEp6:
		kind := byte(addrV4)
		if j == colEp6 {
			kind = addrV6
		}
		for i := range E {
			if d.cv[colEpKinds].at(i, 1)[0] == kind {
				want++
			}
		}
	case j == colClNh4 || j == colClNh6:
		kind := byte(addrV4)
		if j == colClNh6 {
			kind = addrV6
		}
		for i := range C {
			if d.cv[colClKinds].at(i, 1)[0]&clNhMask == kind {
				want++
			}
		}
	case j < colClKinds:
		want = E
	default:
		want = C
	}
	if err := checkFixed(c, want, colWidth[j]); err != nil {
		return fmt.Errorf("column %d: %w", j, err)
	}
	switch j {
	case colEpKinds:
		for i := range E {
			if k := c.at(i, 1)[0]; k > addrV6 {
				return fmt.Errorf("endpoint %d: bad address kind", i)
			}
		}
	case colClKinds:
		for i := range C {
			k := c.at(i, 1)[0]
			if k&clReserved != 0 || k&clNhMask == 3 {
				return fmt.Errorf("class %d: bad kinds byte %#x", i, k)
			}
		}
	}
	return nil
}

// buildEndpoints decodes the endpoint dictionary from its loaded columns.
func (d *blockDecoder) buildEndpoints() {
	cv := &d.cv
	d.eps = slices.Grow(d.eps[:0], d.nEps)[:d.nEps]
	for i := range d.eps {
		e := &d.eps[i]
		switch cv[colEpKinds].at(i, 1)[0] {
		case addrV4:
			e.addr = netip.AddrFrom4([4]byte(cv[colEp4].next(4)))
		case addrV6:
			e.addr = netip.AddrFrom16([16]byte(cv[colEp6].next(16)))
		default:
			e.addr = netip.Addr{}
		}
		e.cc = Country(binary.LittleEndian.Uint16(cv[colEpCC].at(i, 2)))
		e.as = binary.LittleEndian.Uint32(cv[colEpAS].at(i, 4))
	}
}

// buildClasses decodes the class dictionary, as records with only the
// class fields set, from its loaded columns.
func (d *blockDecoder) buildClasses() error {
	cv := &d.cv
	C := d.nClasses
	d.classes = slices.Grow(d.classes[:0], C)[:C]
	d.swapped = slices.Grow(d.swapped[:0], C)[:C]
	for i := range d.classes {
		t := &d.classes[i]
		*t = Record{}
		k := cv[colClKinds].at(i, 1)[0]
		switch k & clNhMask {
		case addrV4:
			t.NhIP = netip.AddrFrom4([4]byte(cv[colClNh4].next(4)))
		case addrV6:
			t.NhIP = netip.AddrFrom16([16]byte(cv[colClNh6].next(16)))
		}
		d.swapped[i] = k&clSwapped != 0
		t.Proto = cv[colClProto].at(i, 1)[0]
		t.Flags = cv[colClFlags].at(i, 1)[0]
		t.InitFlags = cv[colClInitFlags].at(i, 1)[0]
		t.SessionFlags = cv[colClSessionFlags].at(i, 1)[0]
		t.Attributes = cv[colClAttributes].at(i, 1)[0]
		t.TOS = cv[colClTOS].at(i, 1)[0]
		t.Type = FlowType(cv[colClType].at(i, 1)[0])
		t.Sensor = binary.LittleEndian.Uint16(cv[colClSensor].at(i, 2))
		t.Application = binary.LittleEndian.Uint16(cv[colClApplication].at(i, 2))
	}
	for _, f := range [...]struct {
		col int
		set func(*Record, uint64)
	}{
		{colClIn, func(r *Record, v uint64) { r.In = uint32(v) }},
		{colClOut, func(r *Record, v uint64) { r.Out = uint32(v) }},
		{colClSampling, func(r *Record, v uint64) { r.SamplingRate = uint32(v) }},
	} {
		c := &cv[f.col]
		for base := 0; base < C; base += decodeChunk {
			v := d.vals[:min(decodeChunk, C-base)]
			if err := c.uvarints(v); err != nil {
				return fmt.Errorf("column %d: %w", f.col, err)
			}
			for i, x := range v {
				if x > 1<<32-1 {
					return fmt.Errorf("column %d: value %d out of range", f.col, x)
				}
				f.set(&d.classes[base+i], x)
			}
		}
		if !c.konst && c.pos != len(c.b) {
			return fmt.Errorf("column %d: %w", f.col, errColumns)
		}
	}
	return nil
}

// run decodes the next records of the prepared block into recs: it goes
// past at most len(recs) stored records and returns the selected ones
// among them, which may be none. Fields run was not asked for (want) are
// zero. At the end of the block it checks that every column it read was
// used up.
func (d *blockDecoder) run(recs []Record) (int, error) {
	return d.runRows(recs, nil)
}

// runRows is run that also sets rows[k] to the stored index of the record
// recs[k] (when rows is not nil).
func (d *blockDecoder) runRows(recs []Record, rows []int32) (int, error) {
	cv := &d.cv
	g := fieldGroups(d.fields)
	out := 0
	for out < len(recs) && d.done < d.n {
		base := d.done
		m := min(decodeChunk, d.n-base, len(recs)-out)
		// the chunk's selected records
		idx := d.rows[:0]
		if d.sel == nil {
			idx = d.rows[:m]
			for i := range idx {
				idx[i] = int32(i)
			}
		} else {
			for i := 0; i < m; {
				r := base + i
				w := d.sel[r>>6] >> (r & 63)
				if w == 0 { // no selected record left in this word
					i += 64 - r&63
					continue
				}
				i += bits.TrailingZeros64(w)
				if i < m {
					idx = append(idx, int32(i))
				}
				i++
			}
		}
		rs := recs[out : out+len(idx)]
		if d.sel == nil {
			if err := d.dense(rs, base, g); err != nil {
				return 0, err
			}
			if rows != nil {
				for k := range rs {
					rows[out+k] = int32(base + k)
				}
			}
			d.done += m
			out += m
			continue
		}
		if rows != nil {
			for k, i := range idx {
				rows[out+k] = int32(base) + i
			}
		}
		v, w, x := d.vals[:m], d.vals2[:m], d.vals3[:m]
		if g&gClass != 0 {
			C := uint64(d.nClasses)
			planes(cv, colClass0, 2, v, base)
			for k, i := range idx {
				ci := v[i]
				if ci >= C {
					return 0, fmt.Errorf("record %d: class %d out of range", base+int(i), ci)
				}
				rs[k] = d.classes[ci]
			}
			if g&gPorts != 0 {
				planes(cv, colLo0, 2, w, base)
				planes(cv, colHi0, 2, x, base)
				for k, i := range idx {
					if w[i] > 0xFFFF || x[i] > 0xFFFF {
						return 0, fmt.Errorf("record %d: port out of range", base+int(i))
					}
					l, h := uint16(w[i]), uint16(x[i])
					if d.swapped[v[i]] {
						l, h = h, l
					}
					rs[k].SPort, rs[k].DPort = l, h
				}
			}
		} else {
			clear(rs)
		}
		if g&(gSrc|gDst) != 0 {
			E := uint64(d.nEps)
			eps := d.eps
			if g&gSrc != 0 {
				planes(cv, colSrc0, 3, v, base)
				for k, i := range idx {
					if v[i] >= E {
						return 0, fmt.Errorf("record %d: endpoint out of range", base+int(i))
					}
					s := &eps[v[i]]
					r := &rs[k]
					r.SIP, r.SCC, r.SrcAS = s.addr, s.cc, s.as
				}
			}
			if g&gDst != 0 {
				planes(cv, colDst0, 3, w, base)
				for k, i := range idx {
					if w[i] >= E {
						return 0, fmt.Errorf("record %d: endpoint out of range", base+int(i))
					}
					t := &eps[w[i]]
					r := &rs[k]
					r.DIP, r.DCC, r.DstAS = t.addr, t.cc, t.as
				}
			}
		}
		if g&gTimes != 0 {
			if err := cv[colSTime].uvarints(v); err != nil {
				return 0, fmt.Errorf("sTime column: %w", err)
			}
			if err := cv[colDur].uvarints(w); err != nil {
				return 0, fmt.Errorf("duration column: %w", err)
			}
			prev := d.prev
			for i := range v {
				prev += unzigzag(v[i])
				v[i] = uint64(prev)
			}
			d.prev = prev
			for k, i := range idx {
				s := int64(v[i])
				rs[k].STime = s
				rs[k].ETime = s + unzigzag(w[i])
			}
		}
		if g&gPackets != 0 {
			if err := cv[colPackets].uvarints(v); err != nil {
				return 0, fmt.Errorf("packets column: %w", err)
			}
			for k, i := range idx {
				rs[k].Packets = v[i]
			}
		}
		if g&gBytes != 0 {
			if err := cv[colBytes].uvarints(w); err != nil {
				return 0, fmt.Errorf("bytes column: %w", err)
			}
			for k, i := range idx {
				rs[k].Bytes = w[i]
			}
		}
		d.done += m
		out += len(idx)
	}
	if d.done == d.n {
		for j := colSTime; j <= colBytes; j++ {
			if c := &cv[j]; c.loaded && !c.konst && c.pos != len(c.b) {
				return 0, fmt.Errorf("column %d: %w", j, errColumns)
			}
		}
	}
	return out, nil
}

// dense decodes the len(rs) records from base of a block without a
// selection: runRows without the indirection through the selected rows,
// for the common case.
func (d *blockDecoder) dense(rs []Record, base int, g groups) error {
	cv := &d.cv
	m := len(rs)
	v, w := d.vals[:m], d.vals2[:m]
	if m == 0 {
		return nil
	}
	// The byte planes are read where they lie, a byte per record each.
	if g&gClass != 0 {
		C := uint32(d.nClasses)
		classes, swapped := d.classes, d.swapped
		c0, c1 := d.plane(colClass0, base, m), d.plane(colClass1, base, m)
		if g&gPorts != 0 {
			l0, l1 := d.plane(colLo0, base, m), d.plane(colLo1, base, m)
			h0, h1 := d.plane(colHi0, base, m), d.plane(colHi1, base, m)
			for i := range rs {
				ci := uint32(c0[i]) | uint32(c1[i])<<8
				if ci >= C {
					return fmt.Errorf("record %d: class %d out of range", base+i, ci)
				}
				r := &rs[i]
				*r = classes[ci]
				l, h := uint16(l0[i])|uint16(l1[i])<<8, uint16(h0[i])|uint16(h1[i])<<8
				if swapped[ci] {
					l, h = h, l
				}
				r.SPort, r.DPort = l, h
			}
		} else {
			for i := range rs {
				ci := uint32(c0[i]) | uint32(c1[i])<<8
				if ci >= C {
					return fmt.Errorf("record %d: class %d out of range", base+i, ci)
				}
				rs[i] = classes[ci]
			}
		}
	} else {
		clear(rs)
	}
	if g&(gSrc|gDst) != 0 {
		E := uint32(d.nEps)
		eps := d.eps
		if g&gSrc != 0 {
			p0, p1, p2 := d.plane(colSrc0, base, m), d.plane(colSrc1, base, m), d.plane(colSrc2, base, m)
			for i := range rs {
				e := uint32(p0[i]) | uint32(p1[i])<<8 | uint32(p2[i])<<16
				if e >= E {
					return fmt.Errorf("record %d: endpoint out of range", base+i)
				}
				s := &eps[e]
				r := &rs[i]
				r.SIP, r.SCC, r.SrcAS = s.addr, s.cc, s.as
			}
		}
		if g&gDst != 0 {
			p0, p1, p2 := d.plane(colDst0, base, m), d.plane(colDst1, base, m), d.plane(colDst2, base, m)
			for i := range rs {
				e := uint32(p0[i]) | uint32(p1[i])<<8 | uint32(p2[i])<<16
				if e >= E {
					return fmt.Errorf("record %d: endpoint out of range", base+i)
				}
				t := &eps[e]
				r := &rs[i]
				r.DIP, r.DCC, r.DstAS = t.addr, t.cc, t.as
			}
		}
	}
	if g&gTimes != 0 {
		if err := cv[colSTime].uvarints(v); err != nil {
			return fmt.Errorf("sTime column: %w", err)
		}
		if err := cv[colDur].uvarints(w); err != nil {
			return fmt.Errorf("duration column: %w", err)
		}
		prev := d.prev
		for i := range rs {
			prev += unzigzag(v[i])
			rs[i].STime = prev
			rs[i].ETime = prev + unzigzag(w[i])
		}
		d.prev = prev
	}
	if g&gPackets != 0 {
		if err := cv[colPackets].uvarints(v); err != nil {
			return fmt.Errorf("packets column: %w", err)
		}
		for i := range rs {
			rs[i].Packets = v[i]
		}
	}
	if g&gBytes != 0 {
		if err := cv[colBytes].uvarints(w); err != nil {
			return fmt.Errorf("bytes column: %w", err)
		}
		for i := range rs {
			rs[i].Bytes = w[i]
		}
	}
	return nil
}

// plane returns bytes base..base+m of byte-plane column j; a constant
// plane is spread over a chunk-long buffer first.
func (d *blockDecoder) plane(j, base, m int) []byte {
	c := &d.cv[j]
	if !c.konst {
		return c.b[base : base+m : base+m]
	}
	f := &d.fill[j]
	if f[0] != c.b[0] { // f holds one byte throughout: zeros at first
		for i := range f {
			f[i] = c.b[0]
		}
	}
	return f[:m:m]
}

// selectRows shows test every selected record of the prepared block,
// built with the fields of need only, and returns the bitmap of those it
// accepts (reusing *out) and their number. It leaves the block ready for
// run from its start, with the fields run built before.
func (d *blockDecoder) selectRows(need Fields, test func(*Record) bool, out *[]uint64) (int, error) {
	if d.done != 0 {
		return 0, errors.New("flowfile: selection in the middle of a block")
	}
	fields := d.fields
	if err := d.want(need); err != nil {
		return 0, err
	}
	words := selectionWords(d.n)
	*out = slices.Grow((*out)[:0], words)[:words]
	sel := *out
	clear(sel)
	if d.scratch == nil {
		d.scratch = make([]Record, decodeChunk)
	}
	var rows [decodeChunk]int32
	count := 0
	for d.done < d.n {
		k, err := d.runRows(d.scratch, rows[:])
		if err != nil {
			return 0, err
		}
		for j := range k {
			if test(&d.scratch[j]) {
				r := rows[j]
				sel[r>>6] |= 1 << (r & 63)
				count++
			}
		}
	}
	// rewind for run
	d.done, d.prev = 0, d.minSTime
	for j := colSTime; j <= colBytes; j++ {
		d.cv[j].pos = 0
	}
	d.fields = fields
	return count, nil
}

// remaining returns how many stored records of the prepared block run
// has not gone past yet.
func (d *blockDecoder) remaining() int { return d.n - d.done }

// reset drops the prepared block (after an error).
func (d *blockDecoder) reset() { d.n, d.done = 0, 0 }
