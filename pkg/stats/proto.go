package stats

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// Protocol statistics (--overall-stats, --detail-proto-stats): for bytes,
// packets and bytes per packet, the minimum, maximum, quartiles estimated
// from ten interval counts, and the interval table, over all records and
// per chosen protocol. The intervals are SiLK's (intervalstats.c): TCP's
// for all protocols and for protocol 6, UDP's for every other protocol.

const numIntervals = 10

var (
	tcpByteIntervals = [numIntervals]uint32{40, 60, 100, 150, 256, 1000, 10000, 100000, 1000000, 0xFFFFFFFF}
	udpByteIntervals = [numIntervals]uint32{20, 40, 80, 130, 256, 1000, 10000, 100000, 1000000, 0xFFFFFFFF}
	tcpPktIntervals  = [numIntervals]uint32{3, 4, 10, 20, 50, 100, 500, 1000, 10000, 0xFFFFFFFF}
	udpPktIntervals  = [numIntervals]uint32{3, 4, 10, 20, 50, 100, 500, 1000, 10000, 0xFFFFFFFF}
	tcpBppIntervals  = [numIntervals]uint32{40, 44, 60, 100, 200, 400, 600, 800, 1500, 0xFFFFFFFF}
	udpBppIntervals  = [numIntervals]uint32{20, 24, 40, 100, 200, 400, 600, 800, 1500, 0xFFFFFFFF}
)

type protoStat struct {
	count  uint64
	min    [3]uint32
	max    [3]uint32
	bounds [3]*[numIntervals]uint32
	counts [3][numIntervals]uint32
}

func newProtoStat(tcp bool) *protoStat {
	s := &protoStat{}
	for i := range s.min {
		s.min[i] = math.MaxInt32 // SiLK starts the minima at INT_MAX
	}
	if tcp {
		s.bounds = [3]*[numIntervals]uint32{&tcpByteIntervals, &tcpPktIntervals, &tcpBppIntervals}
	} else {
		s.bounds = [3]*[numIntervals]uint32{&udpByteIntervals, &udpPktIntervals, &udpBppIntervals}
	}
	return s
}

// sat32 is SiLK's 32-bit view of a 64-bit count.
func sat32(v uint64) uint32 {
	if v > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(v)
}

func (s *protoStat) add(r *flowfile.Record) {
	s.count++
	pk := sat32(r.Packets)
	by := sat32(r.Bytes)
	bpp := uint32(0)
	if pk != 0 {
		bpp = by / pk
	}
	v := [3]uint32{by, pk, bpp}
	for i, x := range v {
		// SiLK's update: a new minimum also sets a still-zero maximum
		if x < s.min[i] {
			s.min[i] = x
			if s.max[i] == 0 {
				s.max[i] = x
			}
		} else if x > s.max[i] {
			s.max[i] = x
		}
		for j, b := range s.bounds[i] {
			if x <= b {
				s.counts[i][j]++
				break
			}
		}
	}
}

// ProtoStats accumulates protocol statistics.
type ProtoStats struct {
	overall *protoStat
	protos  []uint8 // in ascending order
	per     [256]*protoStat
	policy  fields.Policy
}

// NewProtoStats prepares statistics for the given protocols (may be empty
// for --overall-stats alone).
func NewProtoStats(protos []uint8, policy fields.Policy) *ProtoStats {
	p := &ProtoStats{overall: newProtoStat(true), policy: policy}
	for _, pr := range protos {
		if p.per[pr] == nil {
			p.per[pr] = newProtoStat(pr == 6)
		}
	}
	for i := range p.per {
		if p.per[i] != nil {
			p.protos = append(p.protos, uint8(i))
		}
	}
	return p
}

// Add counts a block of records.
func (p *ProtoStats) Add(recs []flowfile.Record) {
	for i := range recs {
		r := &recs[i]
		if !p.policy.Keep(r.IsIPv6()) {
			continue
		}
		p.overall.add(r)
		if s := p.per[r.Proto]; s != nil {
			s.add(r)
		}
	}
}

// quartiles estimates the quartiles from interval counts as SiLK does:
// linear interpolation inside the interval that holds each quartile.
func quartiles(counts *[numIntervals]uint32, bounds *[numIntervals]uint32) [3]float64 {
	var cum [numIntervals]uint32
	cum[0] = counts[0]
	for i := 1; i < numIntervals; i++ {
		cum[i] = cum[i-1] + counts[i]
	}
	total := cum[numIntervals-1]
	q := [3]uint32{total >> 2, total >> 1, 3 * (total >> 2)}
	var out [3]float64
	for k, vq := range q {
		idx := 0
		for i := 0; i < numIntervals; i++ {
			if vq <= cum[i] {
				idx = i
				break
			}
		}
		var blo, vlo uint32
		if idx > 0 {
			blo, vlo = bounds[idx-1], cum[idx-1]
		}
		bhi, vhi := bounds[idx], cum[idx]
		out[k] = float64(blo) + float64(vq-vlo)/float64(vhi-vlo)*float64(bhi-blo)
	}
	return out
}

// appendF5 is printf's %.5f with glibc's "-nan".
func appendF5(dst []byte, v float64) []byte {
	if math.IsNaN(v) {
		return append(dst, "-nan"...)
	}
	if math.IsInf(v, 1) {
		return append(dst, "inf"...)
	}
	if math.IsInf(v, -1) {
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, v, 'f', 5, 64)
}

// WriteProtoStats prints the statistics in rwstats' layout.
func (p *ProtoStats) WriteProtoStats(out io.Writer, lo Layout) error {
	w := bufio.NewWriter(out)
	delim := lo.Delim
	if delim == 0 && !lo.NULDelim {
		delim = '|'
	}
	final := ""
	if !lo.NoFinalDelim {
		final = string(delim)
	}
	wKey, wIntvl, wPct := 15, 10, 10
	if lo.NoColumns {
		wKey, wIntvl, wPct = 0, 0, 0
	}
	all := p.overall.count
	printAll := true
	if all > 0 {
		for _, pr := range p.protos {
			if p.per[pr].count == all {
				printAll = false // identical to that protocol's block
			}
		}
	}
	block := func(s *protoStat, perProto bool, colTitle string) {
		fmt.Fprintf(w, "%d", s.count)
		if perProto {
			fmt.Fprintf(w, "/%d", all)
		}
		fmt.Fprint(w, " records\n")
		if s.count == 0 {
			return
		}
		names := [3]string{"BYTES", "PACKETS", "BYTES/PACKET"}
		var buf []byte
		for i := range names {
			fmt.Fprintf(w, "*%s min %d; max %d\n", names[i], s.min[i], s.max[i])
			q := quartiles(&s.counts[i], s.bounds[i])
			buf = append(buf[:0], "  quartiles LQ "...)
			buf = appendF5(buf, q[0])
			buf = append(buf, " Med "...)
			buf = appendF5(buf, q[1])
			buf = append(buf, " UQ "...)
			buf = appendF5(buf, q[2])
			buf = append(buf, " UQ-LQ "...)
			buf = appendF5(buf, q[2]-q[0])
			buf = append(buf, '\n')
			w.Write(buf)
			if !lo.NoTitles {
				buf = fields.AppendTitle(buf[:0], "interval_max", wKey)
				buf = append(buf, delim)
				buf = fields.AppendTitle(buf, "count<=max", wIntvl)
				buf = append(buf, delim)
				buf = fields.AppendTitle(buf, colTitle, wPct)
				buf = append(buf, delim)
				buf = fields.AppendTitle(buf, "cumul_%", wPct)
				buf = append(buf, final...)
				buf = append(buf, '\n')
				w.Write(buf)
			}
			cumul := 0.0
			for j := 0; j < numIntervals; j++ {
				pct := 100.0 * float64(s.counts[i][j]) / float64(s.count)
				cumul += pct
				buf = buf[:0]
				st := len(buf)
				buf = strconv.AppendUint(buf, uint64(s.bounds[i][j]), 10)
				buf = fields.PadLeft(buf, st, wKey)
				buf = append(buf, delim)
				st = len(buf)
				buf = strconv.AppendUint(buf, uint64(s.counts[i][j]), 10)
				buf = fields.PadLeft(buf, st, wIntvl)
				buf = append(buf, delim)
				buf = appendPct(buf, pct, 6, wPct)
				buf = append(buf, delim)
				buf = appendPct(buf, cumul, 6, wPct)
				buf = append(buf, final...)
				buf = append(buf, '\n')
				w.Write(buf)
			}
		}
	}
	if printAll {
		fmt.Fprint(w, "FLOW STATISTICS--ALL PROTOCOLS:  ")
		block(p.overall, false, "%_of_input")
	}
	if all > 0 {
		for _, pr := range p.protos {
			fmt.Fprintf(w, "\nFLOW STATISTICS--PROTOCOL %d:  ", pr)
			block(p.per[pr], true, "%_of_proto")
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
