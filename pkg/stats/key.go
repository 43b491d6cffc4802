package stats

import (
	"net/netip"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// A bin's key is the chosen fields packed most-significant-first into a
// fixed number of uint64 words, so comparing words in order compares the
// fields in --fields order. IPv4 and IPv6 flows use two layouts: in the
// IPv4 one an address takes 32 bits (sip,sport is one word), in the IPv6
// one 128 bits. A flow's family picks its layout and its tables; bins of
// the two families never mix.

type family uint8

const (
	fam4 family = iota
	fam6
)

const (
	timeS = 1 << iota
	timeD
	timeE
	timeAll = timeS | timeD | timeE
)

// layout is the key packing for one family.
type layout struct {
	comps []fields.ID // fields stored in the key (a time field may be implied)
	bits  []uint8
	words int
}

func fieldBits(id fields.ID, f family) uint8 {
	switch id {
	case fields.SIP, fields.DIP, fields.NhIP:
		if f == fam6 {
			return 128
		}
		return 32
	case fields.SPort, fields.DPort, fields.Sensor, fields.Application,
		fields.SCC, fields.DCC:
		return 16
	case fields.Protocol, fields.Flags, fields.InitFlags, fields.SessionFlags,
		fields.Attributes, fields.Class, fields.Type, fields.IType, fields.ICode:
		return 8
	case fields.In, fields.Out, fields.Duration,
		fields.SAS, fields.DAS, fields.SASName, fields.DASName:
		return 32
	case fields.STime, fields.ETime:
		return 48
	}
	return 64 // packets, bytes
}

func newLayout(comps []fields.ID, f family) layout {
	l := layout{comps: comps}
	total := 0
	for _, id := range comps {
		b := fieldBits(id, f)
		l.bits = append(l.bits, b)
		total += int(b)
	}
	l.words = max(1, (total+63)/64)
	return l
}

// keyer turns records into packed keys: it knows the key fields, the time
// binning and both layouts.
type keyer struct {
	comps    []fields.ID
	hasIP    bool
	hasDPort bool
	hasProto bool
	timeKey  int // time fields stored in the key
	timeReq  int // time fields requested
	binTime  int64
	binMsec  bool
	lay      [2]layout
}

func newKeyer(keys []fields.ID, binTime int64) *keyer {
	k := &keyer{binTime: binTime, binMsec: binTime > 0 && binTime%1000 != 0}
	last := fields.ID(0)
	for _, id := range keys {
		switch id {
		case fields.STime:
			k.timeReq |= timeS
			last = id
		case fields.Duration:
			k.timeReq |= timeD
			last = id
		case fields.ETime:
			k.timeReq |= timeE
			last = id
		case fields.SIP, fields.DIP, fields.NhIP:
			k.hasIP = true
		case fields.DPort:
			k.hasDPort = true
		case fields.Protocol:
			k.hasProto = true
		}
	}
	for _, id := range keys {
		// with all three time fields, the last one given follows from the
		// other two and is left out of the key, as rwstats does
		if k.timeReq == timeAll && id == last {
			continue
		}
		k.comps = append(k.comps, id)
		switch id {
		case fields.STime:
			k.timeKey |= timeS
		case fields.Duration:
			k.timeKey |= timeD
		case fields.ETime:
			k.timeKey |= timeE
		}
	}
	if k.binTime > 1 && (k.timeReq == 0 || k.timeReq == timeD) {
		k.binTime = 0
	}
	k.lay[fam4] = newLayout(k.comps, fam4)
	k.lay[fam6] = newLayout(k.comps, fam6)
	return k
}

// familyOf is the layout a record uses.
func (k *keyer) familyOf(r *flowfile.Record) family {
	if k.hasIP && r.IsIPv6() {
		return fam6
	}
	return fam4
}

// times returns sTime and elapsed (ms) after --bin-time, as rwstats'
// adjustTimeFields does.
func (k *keyer) times(r *flowfile.Record) (st, el int64) {
	st, el = r.STime, r.ETime-r.STime
	if el < 0 {
		el = 0
	}
	b := k.binTime
	if b <= 1 {
		return
	}
	switch k.timeReq {
	case timeS, timeS | timeD:
		st -= st % b
	case timeAll, timeS | timeE:
		mod := st % b
		el = el + mod - (st+el)%b
		st -= mod
	case timeE, timeE | timeD:
		st -= (st + el) % b
	}
	return
}

type bitWriter struct {
	out []uint64
	pos uint
}

func (w *bitWriter) put(v uint64, n uint8) {
	for n > 0 {
		wi, off := w.pos>>6, w.pos&63
		room := 64 - off
		if uint(n) <= room {
			w.out[wi] |= v << (room - uint(n))
			w.pos += uint(n)
			return
		}
		k := uint(n) - room
		w.out[wi] |= v >> k
		v &= (1 << k) - 1
		n = uint8(k)
		w.pos += room
	}
}

type bitReader struct {
	in  []uint64
	pos uint
}

func (r *bitReader) get(n uint8) uint64 {
	var v uint64
	for n > 0 {
		wi, off := r.pos>>6, r.pos&63
		room := 64 - off
		take := min(uint(n), room)
		chunk := r.in[wi] << off >> (64 - take)
		v = v<<take | chunk
		r.pos += take
		n -= uint8(take)
	}
	return v
}

func addr4(a netip.Addr) uint64 {
	if !a.IsValid() {
		return 0
	}
	a = a.Unmap()
	if !a.Is4() {
		return 0
	}
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

func addr16(a netip.Addr) (hi, lo uint64) {
	if !a.IsValid() {
		return 0, 0
	}
	b := a.As16()
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return
}

func clamp(v int64, bits uint8) uint64 {
	if v < 0 {
		return 0
	}
	if lim := int64(1)<<bits - 1; v > lim {
		return uint64(lim)
	}
	return uint64(v)
}

// pack writes r's key in family f into out (len = layout words), which
// must be zeroed.
func (k *keyer) pack(r *flowfile.Record, f family, out []uint64) {
	w := bitWriter{out: out}
	var st, el int64
	if k.timeKey != 0 {
		st, el = k.times(r)
	}
	for _, id := range k.comps {
		putField(&w, k, id, r, f, st, el)
	}
}

func putField(w *bitWriter, k *keyer, id fields.ID, r *flowfile.Record, f family, st, el int64) {
	switch id {
	case fields.SIP, fields.DIP, fields.NhIP:
		a := r.SIP
		if id == fields.DIP {
			a = r.DIP
		} else if id == fields.NhIP {
			a = r.NhIP
		}
		if f == fam6 {
			hi, lo := addr16(a)
			w.put(hi, 64)
			w.put(lo, 64)
		} else {
			w.put(addr4(a), 32)
		}
	case fields.SPort:
		w.put(uint64(r.SPort), 16)
	case fields.DPort:
		w.put(uint64(r.DPort), 16)
	case fields.Protocol:
		w.put(uint64(r.Proto), 8)
	case fields.Packets:
		w.put(r.Packets, 64)
	case fields.Bytes:
		w.put(r.Bytes, 64)
	case fields.Flags:
		w.put(uint64(r.Flags), 8)
	case fields.InitFlags:
		w.put(uint64(r.InitFlags), 8)
	case fields.SessionFlags:
		w.put(uint64(r.SessionFlags), 8)
	case fields.Attributes:
		w.put(uint64(r.Attributes), 8)
	case fields.Class, fields.Type:
		w.put(uint64(r.Type), 8)
	case fields.IType:
		w.put(uint64(r.ICMPType()), 8)
	case fields.ICode:
		w.put(uint64(r.ICMPCode()), 8)
	case fields.Sensor:
		w.put(uint64(r.Sensor), 16)
	case fields.Application:
		w.put(uint64(r.Application), 16)
	case fields.SCC:
		w.put(uint64(r.SCC), 16)
	case fields.DCC:
		w.put(uint64(r.DCC), 16)
	case fields.In:
		w.put(uint64(r.In), 32)
	case fields.Out:
		w.put(uint64(r.Out), 32)
	case fields.SAS, fields.SASName:
		w.put(uint64(r.SrcAS), 32)
	case fields.DAS, fields.DASName:
		w.put(uint64(r.DstAS), 32)
	case fields.STime:
		w.put(clamp(k.scaleTime(st), 48), 48)
	case fields.Duration:
		w.put(clamp(k.scaleTime(el), 32), 32)
	case fields.ETime:
		w.put(clamp(k.scaleTime(st+el), 48), 48)
	}
}

// scaleTime is a key time: seconds, or ms when --bin-time has a fraction.
func (k *keyer) scaleTime(ms int64) int64 {
	if k.binMsec {
		return ms
	}
	if ms < 0 {
		return 0
	}
	return ms / 1000
}

func (k *keyer) unscaleTime(v uint64) int64 {
	if k.binMsec {
		return int64(v)
	}
	return int64(v) * 1000
}

// unpack rebuilds a record from a key for printing, the way rwstats does:
// the protocol is ICMP unless it is a key (so iType/iCode print), dPort wins
// over ICMP type/code, and a time field that is not in the key follows from
// the others.
func (k *keyer) unpack(key []uint64, f family) flowfile.Record {
	var r flowfile.Record
	r.Proto = 1
	rd := bitReader{in: key}
	var st, el, et int64
	var dport uint16
	var itype, icode uint8
	for _, id := range k.comps {
		switch id {
		case fields.SIP, fields.DIP, fields.NhIP:
			var a netip.Addr
			if f == fam6 {
				hi := rd.get(64)
				lo := rd.get(64)
				var b [16]byte
				for i := 0; i < 8; i++ {
					b[i] = byte(hi >> (56 - 8*i))
					b[8+i] = byte(lo >> (56 - 8*i))
				}
				a = netip.AddrFrom16(b)
			} else {
				v := rd.get(32)
				a = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
			}
			switch id {
			case fields.SIP:
				r.SIP = a
			case fields.DIP:
				r.DIP = a
			default:
				r.NhIP = a
			}
		case fields.SPort:
			r.SPort = uint16(rd.get(16))
		case fields.DPort:
			dport = uint16(rd.get(16))
		case fields.Protocol:
			r.Proto = uint8(rd.get(8))
		case fields.Packets:
			r.Packets = rd.get(64)
		case fields.Bytes:
			r.Bytes = rd.get(64)
		case fields.Flags:
			r.Flags = uint8(rd.get(8))
		case fields.InitFlags:
			r.InitFlags = uint8(rd.get(8))
		case fields.SessionFlags:
			r.SessionFlags = uint8(rd.get(8))
		case fields.Attributes:
			r.Attributes = uint8(rd.get(8))
		case fields.Class, fields.Type:
			r.Type = flowfile.FlowType(rd.get(8))
		case fields.IType:
			itype = uint8(rd.get(8))
		case fields.ICode:
			icode = uint8(rd.get(8))
		case fields.Sensor:
			r.Sensor = uint16(rd.get(16))
		case fields.Application:
			r.Application = uint16(rd.get(16))
		case fields.SCC:
			r.SCC = flowfile.Country(rd.get(16))
		case fields.DCC:
			r.DCC = flowfile.Country(rd.get(16))
		case fields.In:
			r.In = uint32(rd.get(32))
		case fields.Out:
			r.Out = uint32(rd.get(32))
		case fields.SAS, fields.SASName:
			r.SrcAS = uint32(rd.get(32))
		case fields.DAS, fields.DASName:
			r.DstAS = uint32(rd.get(32))
		case fields.STime:
			st = k.unscaleTime(rd.get(48))
		case fields.Duration:
			el = k.unscaleTime(rd.get(32))
		case fields.ETime:
			et = k.unscaleTime(rd.get(48))
		}
	}
	r.DPort = uint16(itype)<<8 | uint16(icode)
	if k.hasDPort {
		r.DPort = dport
	}
	switch k.timeKey {
	case timeE:
		st = et
	case timeE | timeD:
		st = et - el
	case timeS | timeE:
		el = et - st
	}
	r.STime, r.ETime = st, st+el
	return r
}
