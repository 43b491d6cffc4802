package flowfile

// classDict is the block's class dictionary. Unless its next hop is an
// IPv6 address, a class packs into four words built in registers from the
// record; those are kept in a table of their own whose entries hold the
// packed key, its slot and its count. Building a class struct per record
// and hashing it, by small stores read back as wide loads, stalled the CPU
// more than the look-up itself. Classes with an IPv6 next hop go through
// the generic dictionary; both number the same slots.
type classDict struct {
	dictionary[class] // keys, counts, order and rank of every slot; the table for unpacked classes
	packed            []packedClassSlot
	npacked           int
}

type packedClass struct{ w0, w1, w2, w3 uint64 }

type packedClassSlot struct {
	key   packedClass
	slot  uint32 // slot+1; 0 marks an empty entry
	count uint32
}

func (k *packedClass) hash() uint64 {
	return mix(k.w0, k.w1, k.w2^k.w3*0x9E3779B97F4A7C15)
}

// slot returns the slot of r's class; kinds is its kinds byte (next-hop
// kind and port order).
func (d *classDict) slot(r *Record, kinds uint8) uint32 {
	if kinds&clNhMask == addrV6 {
		return d.dictionary.slot(classOf(r, kinds))
	}
	if 4*d.npacked >= 3*len(d.packed) {
		d.growPacked()
	}
	var nh uint64
	if kinds&clNhMask == addrV4 {
		a := r.NhIP.As4()
		nh = uint64(a[0]) | uint64(a[1])<<8 | uint64(a[2])<<16 | uint64(a[3])<<24
	}
	k := packedClass{
		w0: nh | uint64(r.In)<<32,
		w1: uint64(r.Out) | uint64(r.SamplingRate)<<32,
		w2: uint64(r.Sensor) | uint64(r.Application)<<16 | uint64(kinds)<<32 | uint64(r.Proto)<<40 |
			uint64(r.Flags)<<48 | uint64(r.InitFlags)<<56,
		w3: uint64(r.SessionFlags) | uint64(r.Attributes)<<8 | uint64(r.TOS)<<16 | uint64(r.Type)<<24,
	}
	mask := uint64(len(d.packed) - 1)
	for i := k.hash() & mask; ; i = (i + 1) & mask {
		p := &d.packed[i]
		if p.slot == 0 {
			s := uint32(len(d.keys))
			d.keys = append(d.keys, classOf(r, kinds))
			d.counts = append(d.counts, 0) // buildOrder takes it from the table
			*p = packedClassSlot{key: k, slot: s + 1, count: 1}
			d.npacked++
			return s
		}
		if p.key == k {
			p.count++
			return p.slot - 1
		}
	}
}

func classOf(r *Record, kinds uint8) class {
	return class{
		nh: addrBytes(r.NhIP), in: r.In, out: r.Out, sampling: r.SamplingRate,
		sensor: r.Sensor, application: r.Application, kinds: kinds,
		proto: r.Proto, flags: r.Flags, initFlags: r.InitFlags, sessionFlags: r.SessionFlags,
		attrs: r.Attributes, tos: r.TOS, typ: r.Type,
	}
}

func (d *classDict) growPacked() {
	old := d.packed
	d.packed = make([]packedClassSlot, max(256, 2*len(old)))
	mask := uint64(len(d.packed) - 1)
	for _, p := range old {
		if p.slot == 0 {
			continue
		}
		i := p.key.hash() & mask
		for d.packed[i].slot != 0 {
			i = (i + 1) & mask
		}
		d.packed[i] = p
	}
}

func (d *classDict) reset() {
	d.dictionary.reset()
	clear(d.packed)
	d.npacked = 0
}

func (d *classDict) buildOrder() {
	for i := range d.packed {
		if p := &d.packed[i]; p.slot != 0 {
			d.counts[p.slot-1] = p.count
		}
	}
	d.dictionary.buildOrder()
}
