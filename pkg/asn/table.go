package asn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/iptable"
)

// The built-in database is a compact table, not an mmdb: the package's
// 33 MB of CSV become about 5 MB of varints, and 1.5 MB once compressed
// with zstd. Layout after decompression (integers are unsigned LEB128
// varints, 128-bit ones too; strings are a varint length and the bytes):
//
//	magic        "gflow-asn 1\n"
//	source       package (string), version (string), build date (days since 1970-01-01)
//	counts       names, AS numbers, IPv4 ranges, IPv6 ranges
//	names        each distinct organisation name once, sorted bytewise
//	AS numbers   ascending, each as the difference to the one before;
//	             then, for each, the index of its name
//	IPv4 ranges  in address order: for each, its first address minus the
//	             address after the previous range (the gap); then for each,
//	             its last address minus its first; then for each, the index
//	             of its AS number
//	IPv6 ranges  the same with 128-bit addresses
//
// Each column on its own keeps like values together, which is what lets
// zstd squeeze the table.
const tableMagic = "gflow-asn 1\n"

// Range is one row of the source data: addresses First to Last inclusive
// (IPv4 ranges as IPv4-mapped addresses) belong to AS, whose organisation
// is Name.
type Range struct {
	First, Last iptable.U128
	AS          uint32
	Name        string
}

// Source says where a built-in table comes from.
type Source struct {
	Package, Version string
	Built            time.Time
}

// EncodeTable writes the table layout above (uncompressed) for ranges in
// address order without overlaps: IPv4 ones (in v4) and IPv6 ones (in
// v6). internal/genasn uses it; the tests use it for small tables.
func EncodeTable(src Source, v4, v6 []Range) ([]byte, error) {
	names := map[uint32]string{}
	for _, set := range [][]Range{v4, v6} {
		for _, r := range set {
			if r.AS == 0 {
				return nil, fmt.Errorf("range %s-%s has AS 0", r.First.Addr(), r.Last.Addr())
			}
			if _, ok := names[r.AS]; !ok {
				names[r.AS] = r.Name
			}
		}
	}
	asns := make([]uint32, 0, len(names))
	for a := range names {
		asns = append(asns, a)
	}
	slices.Sort(asns)
	distinct := make([]string, 0, len(asns))
	for _, a := range asns {
		distinct = append(distinct, names[a])
	}
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)

	var b []byte
	b = append(b, tableMagic...)
	b = appendString(b, src.Package)
	b = appendString(b, src.Version)
	b = binary.AppendUvarint(b, uint64(src.Built.Unix()/86400))
	for _, n := range []int{len(distinct), len(asns), len(v4), len(v6)} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	for _, s := range distinct {
		b = appendString(b, s)
	}
	prev := uint32(0)
	for _, a := range asns {
		b = binary.AppendUvarint(b, uint64(a-prev))
		prev = a
	}
	for _, a := range asns {
		i, _ := slices.BinarySearch(distinct, names[a])
		b = binary.AppendUvarint(b, uint64(i))
	}
	for fam, set := range [][]Range{v4, v6} {
		for _, r := range set {
			if r.Last.Less(r.First) {
				return nil, fmt.Errorf("range %s-%s ends before it starts", r.First.Addr(), r.Last.Addr())
			}
			b = appendU128(b, r.Last.Sub(r.First))
		}
		next, wrapped := familyBase(fam), false
		for _, r := range set {
			if r.First.Less(next) || wrapped {
				return nil, fmt.Errorf("range %s-%s is out of order or overlaps the one before", r.First.Addr(), r.Last.Addr())
			}
			if fam == 0 && (!r.First.Addr().Is4In6() || !r.Last.Addr().Is4In6()) {
				return nil, fmt.Errorf("range %s-%s is not IPv4", r.First.Addr(), r.Last.Addr())
			}
			b = appendU128(b, r.First.Sub(next))
			next, wrapped = r.Last.Next()
		}
		for _, r := range set {
			i, _ := slices.BinarySearch(asns, r.AS)
			b = binary.AppendUvarint(b, uint64(i))
		}
	}
	return b, nil
}

// familyBase is where a family's ranges start: ::ffff:0.0.0.0 for IPv4
// (as mapped addresses), :: for IPv6.
func familyBase(fam int) iptable.U128 {
	if fam == 0 {
		return iptable.U128{Hi: 0, Lo: 0xffff << 32}
	}
	return iptable.U128{}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendU128(b []byte, u iptable.U128) []byte {
	for u.Hi != 0 || u.Lo >= 0x80 {
		b = append(b, byte(u.Lo)|0x80)
		u.Lo = u.Lo>>7 | u.Hi<<57
		u.Hi >>= 7
	}
	return append(b, byte(u.Lo))
}

// tableReader reads the layout; the first error sticks.
type tableReader struct {
	b   []byte
	err error
}

var errShort = errors.New("table ends early")

func (r *tableReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a count that must fit in what is left (each item takes at
// least min bytes), so a damaged count cannot ask for a huge allocation.
func (r *tableReader) count(min int) int {
	v := r.uvarint()
	if r.err == nil && v > uint64(len(r.b)/min) {
		r.err = fmt.Errorf("count %d is larger than the table", v)
		return 0
	}
	return int(v)
}

func (r *tableReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errShort
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *tableReader) str() string { return string(r.bytes()) }

func (r *tableReader) u128() iptable.U128 {
	var u iptable.U128
	for shift := uint(0); ; shift += 7 {
		if r.err != nil {
			return u
		}
		if len(r.b) == 0 {
			r.err = errShort
			return u
		}
		if shift >= 128 {
			r.err = errors.New("128-bit value too long")
			return u
		}
		c := r.b[0]
		r.b = r.b[1:]
		v := uint64(c & 0x7f)
		if shift < 64 {
			u.Lo |= v << shift
			if shift > 57 {
				u.Hi |= v >> (64 - shift)
			}
		} else {
			u.Hi |= v << (shift - 64)
		}
		if c < 0x80 {
			return u
		}
	}
}

// decodeTable reads an uncompressed table into a DB.
func decodeTable(b []byte) (*DB, Source, error) {
	var src Source
	if !bytes.HasPrefix(b, []byte(tableMagic)) {
		return nil, src, errors.New("not a gflow AS table")
	}
	r := &tableReader{b: b[len(tableMagic):]}
	src.Package = r.str()
	src.Version = r.str()
	src.Built = time.Unix(int64(r.uvarint())*86400, 0).UTC()
	nNames, nAS := r.count(1), r.count(2)
	n4, n6 := r.count(3), r.count(3)
	// the names share one string, so the whole list is one allocation
	lens := make([]int, nNames)
	var all strings.Builder
	for i := range nNames {
		s := r.bytes()
		lens[i] = len(s)
		all.Write(s)
	}
	blob := all.String()
	names := make([]string, nNames)
	off := 0
	for i, n := range lens {
		names[i] = blob[off : off+n]
		off += n
	}
	asns := make([]uint32, nAS)
	prev := uint64(0)
	for i := range asns {
		v := prev + r.uvarint()
		if v > 1<<32-1 || (i > 0 && v == prev) || v == 0 {
			return nil, src, fmt.Errorf("AS number %d out of order", v)
		}
		asns[i], prev = uint32(v), v
	}
	nameOf := make([]uint32, nAS)
	for i := range nameOf {
		k := r.uvarint()
		if k >= uint64(nNames) {
			return nil, src, fmt.Errorf("name index %d of %d", k, nNames)
		}
		nameOf[i] = uint32(k)
	}
	tb := iptable.NewBuilder[uint32](0)
	tb.Grow(2*n4+1, 2*n6+1)
	if err := r.ranges4(tb, n4, asns); err != nil {
		return nil, src, err
	}
	if err := r.ranges6(tb, n6, asns); err != nil {
		return nil, src, err
	}
	if r.err != nil {
		return nil, src, r.err
	}
	if len(r.b) != 0 {
		return nil, src, fmt.Errorf("%d bytes after the table", len(r.b))
	}
	db := &DB{t: tb.Table(), asns: asns, nameOf: nameOf, names: names}
	db.nameWidth = widest(names)
	return db, src, nil
}

// columns returns readers of the three columns of n ranges (sizes, gaps,
// AS indexes), read side by side, and moves r past them.
func (r *tableReader) columns(n int) (sizes, gaps, ases *tableReader, err error) {
	cols := [3]*tableReader{}
	rest := r.b
	for c := range cols {
		cols[c] = &tableReader{b: rest}
		if rest, err = skipVarints(rest, n); err != nil {
			return nil, nil, nil, err
		}
	}
	r.b = rest
	return cols[0], cols[1], cols[2], nil
}

// skipVarints returns b after its first n varints.
func skipVarints(b []byte, n int) ([]byte, error) {
	for range n {
		i := 0
		for i < len(b) && b[i] >= 0x80 {
			i++
		}
		if i == len(b) {
			return nil, errShort
		}
		b = b[i+1:]
	}
	return b, nil
}

// asOf reads an AS index and returns its number.
func (r *tableReader) asOf(asns []uint32) uint32 {
	k := r.uvarint()
	if k >= uint64(len(asns)) {
		if r.err == nil {
			r.err = fmt.Errorf("AS index %d of %d", k, len(asns))
		}
		return 0
	}
	return asns[k]
}

// ranges4 adds the n IPv4 ranges, and "no AS" in the gaps between them.
// IPv4 values fit in 64 bits, where the 128-bit varints are plain ones.
func (r *tableReader) ranges4(tb *iptable.Builder[uint32], n int, asns []uint32) error {
	sizes, gaps, ases, err := r.columns(n)
	if err != nil {
		return err
	}
	next := uint64(0) // the address after the previous range
	for range n {
		size, gap, as := sizes.uvarint(), gaps.uvarint(), ases.asOf(asns)
		first := next + gap
		if gap > 1<<32 || size >= 1<<32 || first+size >= 1<<32 {
			return errors.New("IPv4 range outside the IPv4 space")
		}
		if gap > 0 {
			tb.Add4(uint32(next), 0)
		}
		tb.Add4(uint32(first), as)
		next = first + size + 1
	}
	if err := errors.Join(sizes.err, gaps.err, ases.err); err != nil {
		return err
	}
	if next < 1<<32 {
		tb.Add4(uint32(next), 0)
	}
	return nil
}

// ranges6 adds the n IPv6 ranges, and "no AS" in the gaps between them.
func (r *tableReader) ranges6(tb *iptable.Builder[uint32], n int, asns []uint32) error {
	sizes, gaps, ases, err := r.columns(n)
	if err != nil {
		return err
	}
	var next iptable.U128
	wrapped := false
	for range n {
		size, gap, as := sizes.u128(), gaps.u128(), ases.asOf(asns)
		first := next.Add(gap)
		last := first.Add(size)
		if wrapped || first.Less(next) || last.Less(first) {
			return errors.New("IPv6 ranges overlap or wrap")
		}
		if gap != (iptable.U128{}) {
			tb.Add6(next, 0)
		}
		tb.Add6(first, as)
		next, wrapped = last.Next()
	}
	if err := errors.Join(sizes.err, gaps.err, ases.err); err != nil {
		return err
	}
	if !wrapped {
		tb.Add6(next, 0)
	}
	return nil
}
