package flowfile

import "fmt"

// visitScratch holds one chunk of a block's decoded column values for
// visit.
type visitScratch struct {
	cls, lo, hi, src, dst       [decodeChunk]uint64
	stime, dur, packets, nbytes [decodeChunk]uint64
	rec                         Record
}

// Fields names groups of a Record's fields, as the block data stores
// them (FORMAT.md, "Block data"), for Reader.VisitBlockWhere.
type Fields uint8

const (
	// FieldClass: Proto, Flags, InitFlags, SessionFlags, Attributes, TOS,
	// Type, Sensor, Application, In, Out, SamplingRate and NhIP.
	FieldClass Fields = 1 << iota
	// FieldPorts: SPort and DPort.
	FieldPorts
	// FieldEndpoints: SIP, DIP, SCC, DCC, SrcAS and DstAS.
	FieldEndpoints
	// FieldTimes: STime and ETime.
	FieldTimes
	// FieldCounts: Packets and Bytes.
	FieldCounts

	// AllFields is every field of a Record.
	AllFields = FieldClass | FieldPorts | FieldEndpoints | FieldTimes | FieldCounts
)

// visit decodes the rest of the prepared block and calls fn with each
// record in order. Every record is built in the same scratch Record, so
// it stays in the CPU cache: a caller that keeps a few records (a
// filter) copies only those, instead of reading back a whole block of
// records written to memory first.
//
// With a test, each record is first built with the fields of need only
// (the others hold what an earlier record left) and shown to test; only
// a record test accepts is completed and shown to fn.
func (d *blockDecoder) visit(vs *visitScratch, need Fields, test func(*Record) bool, fn func(*Record)) error {
	cv := &d.cv
	prev := d.prev
	E, C := uint64(d.nEps), uint64(d.nClasses)
	eps, classes, swapped := d.eps, d.classes, d.swapped
	rec := &vs.rec
	for d.done < d.n {
		base := d.done
		m := min(decodeChunk, d.n-base)
		cls, lo, hi := vs.cls[:m], vs.lo[:m], vs.hi[:m]
		src, dst := vs.src[:m], vs.dst[:m]
		stime, dur, packets, nbytes := vs.stime[:m], vs.dur[:m], vs.packets[:m], vs.nbytes[:m]
		planes(cv, colClass0, 2, cls, base)
		planes(cv, colLo0, 2, lo, base)
		planes(cv, colHi0, 2, hi, base)
		planes(cv, colSrc0, 3, src, base)
		planes(cv, colDst0, 3, dst, base)
		if err := cv[colSTime].uvarints(stime); err != nil {
			return fmt.Errorf("sTime column: %w", err)
		}
		if err := cv[colDur].uvarints(dur); err != nil {
			return fmt.Errorf("duration column: %w", err)
		}
		if err := cv[colPackets].uvarints(packets); err != nil {
			return fmt.Errorf("packets column: %w", err)
		}
		if err := cv[colBytes].uvarints(nbytes); err != nil {
			return fmt.Errorf("bytes column: %w", err)
		}
		for i := range m {
			ci := cls[i]
			if ci >= C {
				return fmt.Errorf("record %d: class %d out of range", base+i, ci)
			}
			if lo[i] > 0xFFFF || hi[i] > 0xFFFF {
				return fmt.Errorf("record %d: port out of range", base+i)
			}
			if src[i] >= E || dst[i] >= E {
				return fmt.Errorf("record %d: endpoint out of range", base+i)
			}
			prev += unzigzag(stime[i])
			// phase 0 builds what test needs, phase 1 the whole record
			for phase := range 2 {
				f := AllFields
				if phase == 0 {
					if test == nil {
						continue
					}
					f = need
				}
				if f&FieldClass != 0 {
					*rec = classes[ci]
				}
				if f&FieldPorts != 0 {
					l, h := uint16(lo[i]), uint16(hi[i])
					if swapped[ci] {
						l, h = h, l
					}
					rec.SPort, rec.DPort = l, h
				}
				if f&FieldEndpoints != 0 {
					s, t := &eps[src[i]], &eps[dst[i]]
					rec.SIP, rec.SCC, rec.SrcAS = s.addr, s.cc, s.as
					rec.DIP, rec.DCC, rec.DstAS = t.addr, t.cc, t.as
				}
				if f&FieldTimes != 0 {
					rec.STime = prev
					rec.ETime = prev + unzigzag(dur[i])
				}
				if f&FieldCounts != 0 {
					rec.Packets, rec.Bytes = packets[i], nbytes[i]
				}
				if phase == 1 {
					fn(rec)
				} else if !test(rec) {
					break
				}
			}
		}
		d.done += m
		d.prev = prev
	}
	for j := range numCols {
		if colWidth[j] == 0 && !cv[j].konst && cv[j].pos != len(cv[j].b) {
			return fmt.Errorf("column %d: %w", j, errColumns)
		}
	}
	return nil
}
