package flowfile

import (
	"fmt"
	"net/netip"
	"runtime"
	"slices"
)

// EndpointSum is what the records of one block that share an endpoint
// (their source, or their destination) add up to. IPv6 tells the records'
// family, which Record.IsIPv6 takes from the source address: for sums by
// destination, the records of one destination whose sources differ in
// family are summed apart.
type EndpointSum struct {
	Addr    netip.Addr
	CC      Country
	AS      uint32
	IPv6    bool
	Records uint64
	Packets uint64 // when asked for (FieldPackets)
	Bytes   uint64 // when asked for (FieldBytes)
}

// ProcessEndpoints is Process for an aggregation whose key is made of one
// side's endpoint fields only (SIP, SCC and SrcAS; or DIP, DCC and DstAS):
// instead of building each record, a worker sums every block's selected
// records by their endpoint-dictionary entry and calls fn(worker, sums)
// once per block with the entries that have records. The records are not
// decoded, only the dictionary codes, the packets and bytes columns (as
// counts asks: FieldPackets, FieldBytes), so a top-N by address or
// country costs an add per record and a hash look-up per distinct
// endpoint of a block. Sums saturate as AddCount does. A foreign file's
// blocks are decoded and summed by record.
func ProcessEndpoints(r *Reader, workers int, dst bool, counts Fields, fn func(worker int, sums []EndpointSum) error, onBad func(*BlockError)) error {
	need := FieldFamily | counts&FieldCounts
	if dst {
		need |= FieldDst
	} else {
		need |= FieldSrc
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	r.SetFields(need)
	if r.foreign != nil {
		sums := make([][]EndpointSum, workers)
		return processForeign(r, workers, func(w int, run []Record) error {
			sums[w] = sumRecords(run, dst, sums[w][:0])
			return fn(w, sums[w])
		}, onBad)
	}
	return processBlocks(r, workers, func(w int, d *blockDecoder, bad func(error)) error {
		sums, err := d.endpointSums(dst, counts)
		if err != nil {
			d.reset()
			bad(err)
			return nil
		}
		return fn(w, sums)
	}, onBad)
}

// sumRecords appends the records of run, one sum each: foreign files'
// records come whole, with no dictionary to sum by.
func sumRecords(run []Record, dst bool, out []EndpointSum) []EndpointSum {
	for i := range run {
		r := &run[i]
		s := EndpointSum{Addr: r.SIP, CC: r.SCC, AS: r.SrcAS, IPv6: r.IsIPv6(), Records: 1,
			Packets: r.Packets, Bytes: r.Bytes}
		if dst {
			s.Addr, s.CC, s.AS = r.DIP, r.DCC, r.DstAS
		}
		out = append(out, s)
	}
	return out
}

// endpointSums sums the prepared block's selected records by source (or
// destination) endpoint. The block's columns must be loaded for the
// fields ProcessEndpoints asks. It goes through the whole block and checks
// what run checks: codes in range, counts columns used up.
func (d *blockDecoder) endpointSums(dst bool, counts Fields) ([]EndpointSum, error) {
	E := d.nEps
	// by family of the source only when families mix and the source is
	// not the key: slot 2e is IPv4, 2e+1 IPv6
	split := dst && d.hasIPv6
	nslots := E
	if split {
		nslots = 2 * E
	}
	d.acc = slices.Grow(d.acc[:0], nslots)[:nslots]
	clear(d.acc)
	acc := d.acc
	key, other := colSrc0, colDst0
	if dst {
		key, other = colDst0, colSrc0
	}
	cv := &d.cv
	pk, by := counts&FieldPackets != 0, counts&FieldBytes != 0
	for d.done < d.n {
		base := d.done
		m := min(decodeChunk, d.n-base)
		p0, p1, p2 := d.plane(key, base, m), d.plane(key+1, base, m), d.plane(key+2, base, m)
		codes := d.rows[:m]
		for i := range codes {
			e := int32(p0[i]) | int32(p1[i])<<8 | int32(p2[i])<<16
			if int(e) >= E {
				return nil, fmt.Errorf("record %d: endpoint out of range", base+i)
			}
			codes[i] = e
		}
		if split {
			q0, q1, q2 := d.plane(other, base, m), d.plane(other+1, base, m), d.plane(other+2, base, m)
			for i := range codes {
				e := int(q0[i]) | int(q1[i])<<8 | int(q2[i])<<16
				if e >= E {
					return nil, fmt.Errorf("record %d: endpoint out of range", base+i)
				}
				a := d.eps[e].addr
				v6 := int32(0)
				if a.Is6() && !a.Is4In6() {
					v6 = 1
				}
				codes[i] = 2*codes[i] + v6
			}
		}
		v, w := d.vals[:m], d.vals2[:m]
		if pk {
			if err := cv[colPackets].uvarints(v); err != nil {
				return nil, fmt.Errorf("packets column: %w", err)
			}
		}
		if by {
			if err := cv[colBytes].uvarints(w); err != nil {
				return nil, fmt.Errorf("bytes column: %w", err)
			}
		}
		for i, e := range codes {
			if d.sel != nil && d.sel[(base+i)>>6]&(1<<((base+i)&63)) == 0 {
				continue
			}
			a := &acc[e]
			a.records++
			if pk {
				a.packets = AddCount(a.packets, v[i])
			}
			if by {
				a.bytes = AddCount(a.bytes, w[i])
			}
		}
		d.done += m
	}
	for _, j := range [...]int{colPackets, colBytes} {
		if c := &cv[j]; c.loaded && !c.konst && c.pos != len(c.b) {
			return nil, fmt.Errorf("column %d: %w", j, errColumns)
		}
	}
	out := d.sums[:0]
	for i := range acc {
		if acc[i].records == 0 {
			continue
		}
		s := EndpointSum{Records: acc[i].records, Packets: acc[i].packets, Bytes: acc[i].bytes}
		e := i
		if split {
			e, s.IPv6 = i/2, i%2 == 1
		}
		ep := &d.eps[e]
		s.Addr, s.CC, s.AS = ep.addr, ep.cc, ep.as
		if !split {
			s.IPv6 = !dst && ep.addr.Is6() && !ep.addr.Is4In6()
		}
		out = append(out, s)
	}
	d.sums = out
	return out, nil
}

// endpointAcc is an endpoint's running sums in endpointSums: small, so
// that a block's accumulators stay in the CPU's cache.
type endpointAcc struct{ records, packets, bytes uint64 }
