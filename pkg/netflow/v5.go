package netflow

import (
	"encoding/binary"
	"math"
	"math/bits"
	"net/netip"

	"github.com/gflow/gflow/pkg/flowfile"
)

// NetFlow v5 layout (Cisco's "NetFlow Export Datagram Format").
const (
	v5HeaderLen = 24
	v5RecordLen = 48
)

// decodeV5 decodes a v5 packet: a 24-byte header, then count 48-byte records
// (Decode looks at what follows them).
//
//	header: version(2) count(2) sysUptime(4) unix_secs(4) unix_nsecs(4)
//	        flow_sequence(4) engine_type(1) engine_id(1) sampling_interval(2)
//	record: srcaddr(4) dstaddr(4) nexthop(4) input(2) output(2) dPkts(4)
//	        dOctets(4) First(4) Last(4) srcport(2) dstport(2) pad(1)
//	        tcp_flags(1) prot(1) tos(1) src_as(2) dst_as(2) src_mask(1)
//	        dst_mask(1) pad(2)
func (m *msg) decodeV5(dst []flowfile.Record, pkt []byte) []flowfile.Record {
	if len(pkt) < v5HeaderLen {
		m.fail(ErrShort, 0, "v5 header needs %d bytes, have %d", v5HeaderLen, len(pkt))
		return dst
	}
	count := int(binary.BigEndian.Uint16(pkt[2:4]))
	m.uptime = binary.BigEndian.Uint32(pkt[4:8])
	m.exportMs = int64(binary.BigEndian.Uint32(pkt[8:12]))*1000 + int64(binary.BigEndian.Uint32(pkt[12:16])%1e9)/1e6
	seq := binary.BigEndian.Uint32(pkt[16:20])
	engine := uint32(binary.BigEndian.Uint16(pkt[20:22]))
	sampling := binary.BigEndian.Uint16(pkt[22:24])
	rate := uint32(sampling & 0x3fff) // top 2 bits: sampling mode; v5 rates are whole
	need := v5HeaderLen + count*v5RecordLen
	if need > len(pkt) {
		m.fail(ErrLength, 2, "v5 count %d needs %d bytes, have %d", count, need, len(pkt))
		return dst
	}
	dom := m.domain(engine)
	if dom == nil {
		return dst
	}
	m.dom = dom
	missing := false
	if rate == 0 {
		rate = m.defaultSamplingRate()
		// A mode without an interval is an exporter that says it samples
		// but not how much.
		missing = rate == 0 && sampling>>14 != 0
	}
	var pkts, byts, far uint64
	for i := range count {
		b := pkt[v5HeaderLen+i*v5RecordLen : v5HeaderLen+(i+1)*v5RecordLen]
		dst = append(dst, flowfile.Record{})
		r := &dst[len(dst)-1]
		r.SIP = netip.AddrFrom4([4]byte(b[0:4]))
		r.DIP = netip.AddrFrom4([4]byte(b[4:8]))
		if nh := netip.AddrFrom4([4]byte(b[8:12])); !nh.IsUnspecified() {
			r.NhIP = nh
		}
		r.In = uint32(binary.BigEndian.Uint16(b[12:14]))
		r.Out = uint32(binary.BigEndian.Uint16(b[14:16]))
		r.Packets = uint64(binary.BigEndian.Uint32(b[16:20]))
		r.Bytes = uint64(binary.BigEndian.Uint32(b[20:24]))
		first := binary.BigEndian.Uint32(b[24:28])
		last := binary.BigEndian.Uint32(b[28:32])
		r.SPort = binary.BigEndian.Uint16(b[32:34])
		r.DPort = binary.BigEndian.Uint16(b[34:36])
		r.Flags = b[37]
		r.Proto = b[38]
		r.TOS = b[39]
		r.SrcAS = uint32(binary.BigEndian.Uint16(b[40:42]))
		r.DstAS = uint32(binary.BigEndian.Uint16(b[42:44]))
		r.STime = m.uptimeToMs(first)
		r.ETime = m.uptimeToMs(last)
		if r.ETime < r.STime {
			r.ETime = r.STime
		}
		if r.IsICMP() {
			fixICMPPorts(r)
		}
		if missing {
			m.exp.st.samplingMissing++
		}
		applySampling(r, rate)
		// counted here and added once per packet (countFlow, inlined)
		pkts += r.Packets
		byts += r.Bytes
		if d := r.ETime - m.exportMs; d > farFromExportMs || d < -farFromExportMs {
			far++
		}
	}
	st := &m.exp.st
	st.flows += uint64(count)
	st.flowPackets += pkts
	st.flowBytes += byts
	st.farFromExport += far
	m.flows += uint32(count)
	m.units = uint32(count)
	m.checkSequence(seq)
	return dst
}

// v5Len is the length of the v5 packet at the start of b, as its header
// says, at most len(b).
func v5Len(b []byte) int {
	if len(b) < v5HeaderLen {
		return len(b)
	}
	return min(len(b), v5HeaderLen+int(binary.BigEndian.Uint16(b[2:4]))*v5RecordLen)
}

// moreV5 decodes the whole v5 packets that follow the first in a datagram;
// anything else after it is counted as trailing bytes.
func (m *msg) moreV5(dst []flowfile.Record, rest []byte, off int) []flowfile.Record {
	if !isV5(rest) {
		m.note(ErrTrailing, off, len(rest))
		return dst
	}
	for ; len(rest) > 0 && m.err == nil; rest = rest[v5Len(rest):] {
		m.units, m.flows = 0, 0
		dst = m.decodeV5(dst, rest)
	}
	return dst
}

// isV5 reports whether b holds whole v5 packets: a datagram that carries
// several back to back (as captured with nc -k and sent on) is read
// packet by packet.
func isV5(b []byte) bool {
	for len(b) > 0 {
		if len(b) < v5HeaderLen || binary.BigEndian.Uint16(b) != 5 {
			return false
		}
		count := int(binary.BigEndian.Uint16(b[2:4]))
		need := v5HeaderLen + count*v5RecordLen
		if count == 0 || need > len(b) {
			return false
		}
		b = b[need:]
	}
	return true
}

// uptimeToMs turns a sysUptime value of a flow into ms since the epoch,
// anchored at the header's uptime and export time. The subtraction is done
// in 32 bits so an uptime that wrapped between the flow and the export
// still gives the right distance; a flow time slightly after the header's
// uptime gives a small negative distance.
func (m *msg) uptimeToMs(t uint32) int64 {
	return m.exportMs - int64(int32(m.uptime-t))
}

// fixICMPPorts moves an ICMP type/code that an exporter put in the ports
// into SiLK's place: DPort = type<<8|code, SPort 0. Cisco's convention is
// the destination port; some exporters use the source port.
func fixICMPPorts(r *flowfile.Record) {
	if r.DPort == 0 && r.SPort != 0 {
		r.DPort = r.SPort
	}
	r.SPort = 0
}

// rate is a sampling rate as a fraction: num packets passed for every den
// sampled (1 in 100 is 100/1; 2222 packets taken, then 1111 skipped is
// 3333/2222). The zero rate means none is known.
type rate struct{ num, den uint32 }

// ratio reduces num/den to a rate; below 1 (more sampled than passed) or
// with a zero term it is no rate.
func ratio(num, den uint64) rate {
	if num == 0 || den == 0 || num < den {
		return rate{}
	}
	if g := gcd(num, den); g > 1 {
		num, den = num/g, den/g
	}
	for num > math.MaxUint32 || den > math.MaxUint32 {
		num, den = num>>1, max(den>>1, 1)
	}
	return rate{uint32(num), uint32(den)}
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// whole is the rate rounded to a whole number, as Record.SamplingRate keeps it.
func (rt rate) whole() uint32 {
	if rt.den <= 1 {
		return rt.num
	}
	return uint32((uint64(rt.num) + uint64(rt.den)/2) / uint64(rt.den))
}

// applySampling scales the counters by a whole rate above 1 and keeps the
// rate in the record (applyFraction takes the others).
func applySampling(r *flowfile.Record, rate uint32) {
	r.SamplingRate = rate
	if rate > 1 {
		r.Packets = satMul(r.Packets, uint64(rate))
		r.Bytes = satMul(r.Bytes, uint64(rate))
	}
}

// applyFraction scales by a rate that is not a whole number.
func applyFraction(r *flowfile.Record, rt rate) {
	r.SamplingRate = rt.whole()
	r.Packets = scale(r.Packets, rt)
	r.Bytes = scale(r.Bytes, rt)
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return ^uint64(0)
	}
	return lo
}

// scale multiplies v by a fractional rate, rounding to the nearest whole
// number and saturating.
func scale(v uint64, rt rate) uint64 {
	hi, lo := bits.Mul64(v, uint64(rt.num))
	den := uint64(rt.den)
	if hi >= den {
		return ^uint64(0)
	}
	q, rem := bits.Div64(hi, lo, den)
	if rem >= den-rem && q < ^uint64(0) {
		q++
	}
	return q
}

// countFlow adds a decoded flow to the exporter's counters.
func (m *msg) countFlow(r *flowfile.Record) {
	m.exp.st.flows++
	m.exp.st.flowPackets = flowfile.AddCount(m.exp.st.flowPackets, r.Packets)
	m.exp.st.flowBytes = flowfile.AddCount(m.exp.st.flowBytes, r.Bytes)
	if d := r.ETime - m.exportMs; d > farFromExportMs || d < -farFromExportMs {
		m.exp.st.farFromExport++
	}
	m.flows++
}

// farFromExportMs is how far a flow's end may be from its packet's export
// time before it is counted as suspicious (one day).
const farFromExportMs = 24 * 3600 * 1000
