package flowfile

import (
	"encoding/binary"
	"net/netip"
)

// endpointDict is the block's endpoint dictionary. Nearly every endpoint
// is an IPv4 address with an AS number below 65536, which packs into one
// word with its country code; those are kept in a table of their own
// whose entries hold the packed key, its slot and its count, so that a
// host seen before costs one cache miss instead of three (table, key,
// count). With thousands of hosts per block and a dictionary per open
// file, those misses were most of the cost of writing a record. Other
// endpoints go through the generic dictionary; both number the same slots.
type endpointDict struct {
	dictionary[endpoint] // keys, counts, order and rank of every slot; the table for unpacked keys
	packed               []packedSlot
	npacked              int
	shift                uint8 // 64 - log2(len(packed))
}

type packedSlot struct {
	key   uint64
	slot  uint32 // slot+1; 0 marks an empty entry
	count uint32
}

// slot returns the slot of the endpoint (a, as, cc). The packed key is
// made from the address's bytes in registers: building the endpoint
// struct first, for every record, cost more than the table look-up
// (small stores read back as one wide load stall the CPU).
func (d *endpointDict) slot(a netip.Addr, as uint32, cc Country) uint32 {
	if !a.Is4() || as > 0xFFFF {
		return d.dictionary.slot(endpoint{addr: addrBytes(a), as: as, cc: cc, kind: addrKind(a)})
	}
	if 4*d.npacked >= 3*len(d.packed) {
		d.growPacked()
	}
	a4 := a.As4()
	k := uint64(binary.LittleEndian.Uint32(a4[:]))<<32 | uint64(cc)<<16 | uint64(as)
	mask := uint64(len(d.packed) - 1)
	for i := (k * 0x9E3779B97F4A7C15) >> d.shift; ; i = (i + 1) & mask {
		p := &d.packed[i]
		if p.slot == 0 {
			s := uint32(len(d.keys))
			e := endpoint{as: as, cc: cc, kind: addrV4}
			copy(e.addr[:4], a4[:])
			d.keys = append(d.keys, e)
			d.counts = append(d.counts, 0) // buildOrder takes it from the table
			*p = packedSlot{key: k, slot: s + 1, count: 1}
			d.npacked++
			return s
		}
		if p.key == k {
			p.count++
			return p.slot - 1
		}
	}
}

func (d *endpointDict) growPacked() {
	old := d.packed
	n := max(1024, 2*len(old))
	d.packed = make([]packedSlot, n)
	d.shift = uint8(64 - log2(n))
	mask := uint64(n - 1)
	for _, p := range old {
		if p.slot == 0 {
			continue
		}
		i := (p.key * 0x9E3779B97F4A7C15) >> d.shift
		for d.packed[i].slot != 0 {
			i = (i + 1) & mask
		}
		d.packed[i] = p
	}
}

func log2(n int) int {
	b := 0
	for n > 1 {
		n >>= 1
		b++
	}
	return b
}

func (d *endpointDict) reset() {
	d.dictionary.reset()
	clear(d.packed)
	d.npacked = 0
}

func (d *endpointDict) buildOrder() {
	for i := range d.packed {
		if p := &d.packed[i]; p.slot != 0 {
			d.counts[p.slot-1] = p.count
		}
	}
	d.dictionary.buildOrder()
}
