package netflow

import (
	"encoding/binary"
	"net/netip"

	"github.com/gflow/gflow/pkg/flowfile"
)

// scratch collects the values of one data record that need more than a
// straight copy into the flow record: alternatives, times, NAT, sampling,
// the reverse direction of a biflow.
type scratch struct {
	// Counters, with the rank of the element that gave them: 3 delta
	// (1, 2), 2 total (85, 86), 1 NSEL initiator (231, 298).
	bytes, packets      uint64
	bytesRank, pktsRank uint8

	nextHop, bgpNextHop netip.Addr

	icmp               uint16
	icmpType, icmpCode uint8
	haveICMP           uint8 // bit 0: type/code, bit 1: type, bit 2: code

	// times: absolute ms, or the raw relative values
	startMs, endMs           int64
	haveStart, haveEnd       bool
	firstUp, lastUp          uint32
	haveFirstUp, haveLastUp  bool
	startDeltaUs, endDeltaUs uint64
	haveStartDelta           bool
	haveEndDelta             bool
	durationMs               int64
	haveDuration             bool
	sysInitMs                int64

	natSrc, natDst     netip.Addr
	natSPort, natDPort uint16

	samplerID                   uint64
	interval                    uint64
	packetInterval, packetSpace uint64
	samplingSize, samplingPopul uint64

	// x holds the values of a special template's fields (template.special);
	// nil for the others, so that the common record is cleared quickly.
	x *extra
}

// extra are the values only special templates carry.
type extra struct {
	postBytes, postPkts  uint64 // 23, 24 (171, 172): egress records count here
	revBytes, revPackets uint64 // RFC 5103 reverse, NSEL responder
	haveRev              bool
	nsel                 bool // counters from NSEL's initiator/responder elements (Cisco ASA)

	physIn, physOut uint32 // IE 252/253: used where IE 10/14 are absent or 0

	revICMP      uint16
	haveRevICMP  bool
	revFlags     uint8
	haveRevFlags bool

	fwEvent     uint8 // NSEL firewallEvent: 1 created, 2 deleted, 3 denied, 4 alert, 5 update
	haveFwEvent bool

	frame   []byte // packet headers from IE 315/313, valid while the record is decoded
	frameIP bool   // the headers start at the IP header (IE 313)

	obsMs                    int64 // observation (NSEL event) time: the end when nothing else gives one
	haveObs                  bool
	revStartMs, revEndMs     int64
	haveRevStart, haveRevEnd bool
	revDeltaMs               int64
	haveRevDelta             bool

	// set by finish for a biflow with reverse traffic
	rev     bool
	back    flowfile.Record // the reverse direction
	rate    rate
	missing bool
}

// setBytes and setPackets keep the counter of the best-ranked element.
func (s *scratch) setBytes(v uint64, rank uint8) {
	if rank > s.bytesRank {
		s.bytes, s.bytesRank = v, rank
	}
}

func (s *scratch) setPackets(v uint64, rank uint8) {
	if rank > s.pktsRank {
		s.packets, s.pktsRank = v, rank
	}
}

// be reads a big-endian unsigned integer of 1 to 8 bytes.
func be(v []byte) uint64 {
	switch len(v) {
	case 1:
		return uint64(v[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(v))
	case 4:
		return uint64(binary.BigEndian.Uint32(v))
	case 8:
		return binary.BigEndian.Uint64(v)
	}
	var x uint64
	for _, c := range v {
		x = x<<8 | uint64(c)
	}
	return x
}

// ntpToMs converts a 64-bit NTP timestamp (seconds since 1900, fraction) to
// ms since the Unix epoch.
func ntpToMs(v uint64) int64 {
	const ntpToUnix = 2208988800
	sec := int64(v>>32) - ntpToUnix
	return sec*1000 + int64((v&0xffffffff)*1000>>32)
}

// record decodes one data record of template t from the start of b. Flow
// records are appended to dst (two for a biflow that carries both
// directions); options records update the domain. It returns the bytes
// used, or -1 when the record runs past b.
func (m *msg) record(dst []flowfile.Record, t *template, b []byte) ([]flowfile.Record, int) {
	var s scratch
	if t.special {
		m.d.x = extra{}
		s.x = &m.d.x
	}
	var r *flowfile.Record
	if t.flow {
		dst = append(dst, flowfile.Record{})
		r = &dst[len(dst)-1]
	} else {
		r = &m.d.opt // options data and records without addresses: values in s
		*r = flowfile.Record{}
	}
	off := 0
	if t.fixedLen > 0 {
		// dataSet hands over exactly fixedLen bytes: no field runs past them
		for i := range t.fields {
			f := &t.fields[i]
			n := int(f.length)
			if f.op != opSkip {
				s.set(r, f.op, b[off:off+n])
			}
			off += n
		}
	} else if off = s.variableFields(r, t, b); off < 0 {
		return drop(dst, t), -1
	}
	m.units++
	if !t.flow {
		m.notFlow(t, &s)
		return dst, off
	}
	if !m.finish(r, t, &s) {
		return dst[:len(dst)-1], off
	}
	if s.x != nil && s.x.rev {
		dst = append(dst, s.x.back)
		m.finishReverse(&dst[len(dst)-1], &s)
	}
	return dst, off
}

// variableFields reads the fields of a record with variable-length fields
// from the start of b; it returns the bytes used, or -1 when the record
// runs past b.
func (s *scratch) variableFields(r *flowfile.Record, t *template, b []byte) int {
	off := 0
	for i := range t.fields {
		f := &t.fields[i]
		n := int(f.length)
		if f.length == varLen {
			if off >= len(b) {
				return -1
			}
			n = int(b[off])
			off++
			if n == 255 {
				if off+2 > len(b) {
					return -1
				}
				n = int(binary.BigEndian.Uint16(b[off:]))
				off += 2
			}
		}
		if off+n > len(b) {
			return -1
		}
		if f.op != opSkip {
			s.set(r, f.op, b[off:off+n])
		}
		off += n
	}
	return off
}

// notFlow takes a data record that is not a flow: options data, or a record
// that counts traffic but names no addresses.
func (m *msg) notFlow(t *template, s *scratch) {
	switch {
	case t.options:
		m.optionsRecord(t, s)
	case t.noAddress:
		m.exp.st.noAddress++
		if !t.noticed {
			t.noticed = true
			m.d.notify(Notice{Kind: NoticeNoAddress, Exporter: m.from, Version: m.version, Domain: m.dom.key.id, TemplateID: t.id})
		}
	}
}

// drop removes the flow record that record appended for a bad record.
func drop(dst []flowfile.Record, t *template) []flowfile.Record {
	if t.flow {
		return dst[:len(dst)-1]
	}
	return dst
}

// set stores one field's value.
func (s *scratch) set(r *flowfile.Record, o op, v []byte) {
	switch o {
	case opSrc4:
		if a := netip.AddrFrom4([4]byte(v)); !r.SIP.IsValid() || !a.IsUnspecified() {
			r.SIP = a
		}
	case opDst4:
		if a := netip.AddrFrom4([4]byte(v)); !r.DIP.IsValid() || !a.IsUnspecified() {
			r.DIP = a
		}
	case opSrc6:
		if a := netip.AddrFrom16([16]byte(v)).Unmap(); !r.SIP.IsValid() || !a.IsUnspecified() {
			r.SIP = a
		}
	case opDst6:
		if a := netip.AddrFrom16([16]byte(v)).Unmap(); !r.DIP.IsValid() || !a.IsUnspecified() {
			r.DIP = a
		}
	case opNextHop4:
		s.nextHop = netip.AddrFrom4([4]byte(v))
	case opNextHop6:
		s.nextHop = netip.AddrFrom16([16]byte(v)).Unmap()
	case opBGPNextHop4:
		s.bgpNextHop = netip.AddrFrom4([4]byte(v))
	case opBGPNextHop6:
		s.bgpNextHop = netip.AddrFrom16([16]byte(v)).Unmap()
	case opSPort:
		r.SPort = uint16(be(v))
	case opDPort:
		r.DPort = uint16(be(v))
	case opProto:
		r.Proto = uint8(be(v))
	case opFlags:
		r.Flags = uint8(be(v)) // tcpControlBits is 16 bits in IPFIX: the classic flags are the low 8
	case opTOS:
		r.TOS = uint8(be(v))
	case opBytes:
		s.setBytes(be(v), 3)
	case opPackets:
		s.setPackets(be(v), 3)
	case opBytesTotal:
		s.setBytes(be(v), 2)
	case opPacketsTotal:
		s.setPackets(be(v), 2)
	case opBytesInit:
		s.setBytes(be(v), 1)
		s.x.nsel = true
	case opPacketsInit:
		s.setPackets(be(v), 1)
		s.x.nsel = true
	case opRespBytes:
		s.x.revBytes, s.x.haveRev, s.x.nsel = be(v), true, true
	case opRespPackets:
		s.x.revPackets, s.x.haveRev, s.x.nsel = be(v), true, true
	case opBytesPost:
		s.x.postBytes = be(v)
	case opPacketsPost:
		s.x.postPkts = be(v)
	case opRevBytes:
		s.x.revBytes, s.x.haveRev = be(v), true
	case opRevPackets:
		s.x.revPackets, s.x.haveRev = be(v), true
	case opRevFlags:
		s.x.revFlags, s.x.haveRevFlags = uint8(be(v)), true
	case opRevICMPTypeCode:
		s.x.revICMP, s.x.haveRevICMP = uint16(be(v)), true
	case opRevStartMs:
		s.x.revStartMs, s.x.haveRevStart = int64(be(v)), true
	case opRevEndMs:
		s.x.revEndMs, s.x.haveRevEnd = int64(be(v)), true
	case opRevStartNTP:
		s.x.revStartMs, s.x.haveRevStart = ntpToMs(be(v)), true
	case opRevEndNTP:
		s.x.revEndMs, s.x.haveRevEnd = ntpToMs(be(v)), true
	case opRevDeltaMs:
		s.x.revDeltaMs, s.x.haveRevDelta = int64(be(v)), true
	case opIn:
		r.In = uint32(be(v))
	case opOut:
		r.Out = uint32(be(v))
	case opInPhys:
		s.x.physIn = uint32(be(v))
	case opOutPhys:
		s.x.physOut = uint32(be(v))
	case opObsSec:
		s.x.obsMs, s.x.haveObs = int64(be(v))*1000, true
	case opObsMs:
		s.x.obsMs, s.x.haveObs = int64(be(v)), true
	case opObsUs, opObsNs:
		s.x.obsMs, s.x.haveObs = ntpToMs(be(v)), true
	case opFwEvent:
		s.x.fwEvent, s.x.haveFwEvent = uint8(be(v)), true
	case opDataLink:
		s.x.frame, s.x.frameIP = v, false
	case opIPHeader:
		if s.x.frame == nil {
			s.x.frame, s.x.frameIP = v, true
		}
	case opSrcAS:
		r.SrcAS = uint32(be(v))
	case opDstAS:
		r.DstAS = uint32(be(v))
	case opICMPTypeCode:
		s.icmp = uint16(be(v))
		s.haveICMP |= 1
	case opICMPType:
		s.icmpType = uint8(be(v))
		s.haveICMP |= 2
	case opICMPCode:
		s.icmpCode = uint8(be(v))
		s.haveICMP |= 4
	case opFirstUptime:
		s.firstUp, s.haveFirstUp = uint32(be(v)), true
	case opLastUptime:
		s.lastUp, s.haveLastUp = uint32(be(v)), true
	case opStartSec:
		s.startMs, s.haveStart = int64(be(v))*1000, true
	case opEndSec:
		s.endMs, s.haveEnd = int64(be(v))*1000, true
	case opStartMs:
		s.startMs, s.haveStart = int64(be(v)), true
	case opEndMs:
		s.endMs, s.haveEnd = int64(be(v)), true
	case opStartNTP:
		s.startMs, s.haveStart = ntpToMs(be(v)), true
	case opEndNTP:
		s.endMs, s.haveEnd = ntpToMs(be(v)), true
	case opStartDeltaUs:
		s.startDeltaUs, s.haveStartDelta = be(v), true
	case opEndDeltaUs:
		s.endDeltaUs, s.haveEndDelta = be(v), true
	case opDurationMs:
		s.durationMs, s.haveDuration = int64(be(v)), true
	case opDurationUs:
		s.durationMs, s.haveDuration = int64(be(v)/1000), true
	case opSysInitMs:
		s.sysInitMs = int64(be(v))
	case opNATSrc4:
		s.natSrc = netip.AddrFrom4([4]byte(v))
	case opNATDst4:
		s.natDst = netip.AddrFrom4([4]byte(v))
	case opNATSrc6:
		s.natSrc = netip.AddrFrom16([16]byte(v)).Unmap()
	case opNATDst6:
		s.natDst = netip.AddrFrom16([16]byte(v)).Unmap()
	case opNATSPort:
		s.natSPort = uint16(be(v))
	case opNATDPort:
		s.natDPort = uint16(be(v))
	case opSamplerID:
		s.samplerID = be(v)
	case opSamplingInterval:
		s.interval = be(v)
	case opPacketInterval:
		s.packetInterval = be(v)
	case opPacketSpace:
		s.packetSpace = be(v)
	case opSamplingSize:
		s.samplingSize = be(v)
	case opSamplingPopulace:
		s.samplingPopul = be(v)
	}
}

// rate works out a sampling rate from the sampling fields of a record; the
// zero rate when they give none.
func (s *scratch) rate() rate {
	switch {
	case s.interval > 0:
		return ratio(s.interval, 1)
	case s.packetInterval > 0:
		// n packets selected, then space packets skipped (RFC 5477;
		// MikroTik's sampling-interval and sampling-space)
		return ratio(s.packetInterval+s.packetSpace, s.packetInterval)
	case s.samplingSize > 0 && s.samplingPopul > 0:
		return ratio(s.samplingPopul, s.samplingSize)
	}
	return rate{}
}

// optionsRecord takes what the collector needs from options data: sampling
// rates per sampler and the exporter's system init time.
func (m *msg) optionsRecord(t *template, s *scratch) {
	if s.sysInitMs != 0 && s.sysInitMs != m.dom.sysInitMs {
		m.dom.sysInitMs = s.sysInitMs
		m.d.gen++
	}
	if !t.sampling {
		return
	}
	rt := s.rate()
	if rt.num == 0 {
		return
	}
	m.setSampler(s.samplerID, rt)
}

// setSampler remembers a sampler's rate, within MaxSamplersPerExporter and
// MaxSamplers.
func (m *msg) setSampler(id uint64, rt rate) {
	dom, e, d := m.dom, m.exp, m.d
	old, ok := dom.samplers[id]
	switch {
	case ok && old == rt:
		return
	case !ok && (e.samplers >= MaxSamplersPerExporter || (d.samplers >= MaxSamplers && !e.preferred)):
		return
	case !ok:
		e.samplers++
		d.samplers++
	}
	if dom.samplers == nil {
		dom.samplers = make(map[uint64]rate)
	}
	dom.samplers[id] = rt
	dom.domainRate = dom.samplers[0] // options data that named no sampler
	if len(dom.samplers) == 1 && dom.domainRate.num == 0 {
		for _, only := range dom.samplers { // the domain's only sampler
			dom.domainRate = only
		}
	}
	d.gen++
}

// samplingRate resolves the rate of a flow record (see the package
// documentation for the order) and reports whether the exporter said it
// samples but no rate is known.
func (m *msg) samplingRate(s *scratch) (rt rate, missing bool) {
	if s.interval|s.packetInterval|s.samplingSize != 0 {
		if rt = s.rate(); rt.num > 0 {
			return rt, false
		}
	}
	dom := m.dom
	if s.samplerID != 0 {
		if rt = dom.samplers[s.samplerID]; rt.num > 0 {
			return rt, false
		}
		missing = true
	}
	if dom.domainRate.num > 0 {
		return dom.domainRate, false
	}
	if dom.samplingAnnounced {
		missing = true
	}
	if n := m.defaultSamplingRate(); n > 0 {
		return rate{n, 1}, false
	}
	return rate{}, missing
}

// NSEL firewall events (IE 233): only a flow's teardown carries its totals.
const fwEventDeleted = 2

// finish completes the flow record r from the collected values. It
// reports false for a record that is not a flow: no traffic (an event), or
// source and destination of different address families. For a biflow it
// also builds the reverse direction in s.x.back (s.x.rev), which the caller
// adds after r; when only the reverse carried traffic, r becomes it.
func (m *msg) finish(r *flowfile.Record, t *template, s *scratch) bool {
	r.Bytes, r.Packets = s.bytes, s.packets
	if t.special && !m.special(r, s) {
		return false
	}
	if r.SIP.Is4() != r.DIP.Is4() {
		m.fail(ErrAddressFamily, 0, "flow from %v to %v: address families differ", r.SIP, r.DIP)
		return false
	}
	if r.Bytes == 0 && r.Packets == 0 && (s.x == nil || !s.x.rev) {
		// no traffic: a NAT or firewall event, not a flow
		m.exp.st.events++
		return false
	}
	switch {
	case s.nextHop.IsValid() && !s.nextHop.IsUnspecified():
		r.NhIP = s.nextHop
	case s.bgpNextHop.IsValid() && !s.bgpNextHop.IsUnspecified():
		r.NhIP = s.bgpNextHop
	}
	m.times(r, s)
	rt, missing := m.samplingRate(s)
	if s.x != nil && s.x.rev {
		s.x.back = reverse(r, s)
		s.x.rate, s.x.missing = rt, missing
		if r.Bytes == 0 && r.Packets == 0 {
			// only the reverse direction carried traffic
			*r, s.x.rev = s.x.back, false
			m.finishReverse(r, s)
			return true
		}
	}
	if r.IsICMP() {
		switch {
		case s.haveICMP&1 != 0 && (s.icmp != 0 || r.DPort == 0):
			r.SetICMP(uint8(s.icmp>>8), uint8(s.icmp))
		case s.haveICMP&6 != 0:
			r.SetICMP(s.icmpType, s.icmpCode)
		default:
			fixICMPPorts(r)
		}
	}
	if s.natSrc.IsValid() || s.natDst.IsValid() {
		applyNAT(r, m.d.opts.NATInside, s.natSrc, s.natDst, s.natSPort, s.natDPort)
	}
	if missing {
		m.exp.st.samplingMissing++
	}
	if rt.den > 1 {
		applyFraction(r, rt)
	} else {
		applySampling(r, rt.num)
	}
	m.countFlow(r)
	return true
}

// finishReverse completes the reverse direction of a biflow: NAT seen from
// the other side, the forward direction's sampling.
func (m *msg) finishReverse(r *flowfile.Record, s *scratch) {
	if s.natSrc.IsValid() || s.natDst.IsValid() {
		applyNAT(r, m.d.opts.NATInside, s.natDst, s.natSrc, s.natDPort, s.natSPort)
	}
	if s.x.missing {
		m.exp.st.samplingMissing++
	}
	if s.x.rate.den > 1 {
		applyFraction(r, s.x.rate)
	} else {
		applySampling(r, s.x.rate.num)
	}
	m.countFlow(r)
}

// special handles what only some templates have: packet headers instead of
// addresses, egress counters, physical interfaces, NSEL events. It reports
// false for a record that is not a flow (counted).
func (m *msg) special(r *flowfile.Record, s *scratch) bool {
	x := s.x
	if x.frame != nil && (!r.SIP.IsValid() || !r.DIP.IsValid()) {
		if ipLen, ok := parseFrame(r, x.frame, x.frameIP); ok && s.bytesRank == 0 && s.pktsRank == 0 {
			// a sampled packet (PSAMP): one packet of the IP length
			r.Bytes, r.Packets = ipLen, 1
		}
	}
	if !r.SIP.IsValid() || !r.DIP.IsValid() {
		// a frame that was not IP, or cut before its addresses
		m.exp.st.noAddress++
		return false
	}
	if r.Bytes == 0 && r.Packets == 0 {
		// an egress record counts in the post counters (IE 23/24)
		r.Bytes, r.Packets = x.postBytes, x.postPkts
	}
	// Cisco ASA's NSEL sends create, update, teardown and denied events
	// for a connection, counting in its initiator/responder elements; the
	// teardown carries the connection's totals, so it alone is stored (the
	// updates' deltas add up to the same bytes). Other firewalls (PAN-OS,
	// Barracuda) mark ordinary delta records with an event code: those are
	// flows.
	if x.nsel && x.haveFwEvent && x.fwEvent != fwEventDeleted {
		m.exp.st.events++
		return false
	}
	x.rev = x.haveRev && (x.revBytes > 0 || x.revPackets > 0)
	if r.In == 0 {
		r.In = x.physIn
	}
	if r.Out == 0 {
		r.Out = x.physOut
	}
	return true
}

// reverse builds the reverse direction of a biflow record (RFC 5103,
// NSEL's responder counters): the ends swapped, its own counters, flags
// and times where the exporter gave them.
func reverse(r *flowfile.Record, s *scratch) flowfile.Record {
	x := s.x
	v := *r
	v.SIP, v.DIP = r.DIP, r.SIP
	v.SPort, v.DPort = r.DPort, r.SPort
	v.In, v.Out = r.Out, r.In
	v.SrcAS, v.DstAS = r.DstAS, r.SrcAS
	v.NhIP = netip.Addr{} // the forward next hop says nothing of the way back
	v.Bytes, v.Packets = x.revBytes, x.revPackets
	if x.haveRevFlags {
		v.Flags = x.revFlags
	}
	if v.IsICMP() {
		v.SPort, v.DPort = 0, 0
		if x.haveRevICMP {
			v.SetICMP(uint8(x.revICMP>>8), uint8(x.revICMP))
		}
	}
	switch {
	case x.haveRevStart:
		v.STime = x.revStartMs
	case x.haveRevDelta:
		v.STime = r.STime + x.revDeltaMs
	}
	if x.haveRevEnd {
		v.ETime = x.revEndMs
	}
	if v.ETime < v.STime {
		v.ETime = v.STime
	}
	return v
}

// times sets STime and ETime from whichever encoding the record used.
func (m *msg) times(r *flowfile.Record, s *scratch) {
	start, end := s.startMs, s.endMs
	haveStart, haveEnd := s.haveStart, s.haveEnd
	exportSecMs := m.exportMs
	if !haveStart && s.haveStartDelta {
		start, haveStart = exportSecMs-int64(s.startDeltaUs/1000), true
	}
	if !haveEnd && s.haveEndDelta {
		end, haveEnd = exportSecMs-int64(s.endDeltaUs/1000), true
	}
	if (!haveStart && s.haveFirstUp) || (!haveEnd && s.haveLastUp) {
		switch init := m.sysInit(s); {
		case m.version != 10:
			// v9: relative to the header's sysUptime
			if !haveStart && s.haveFirstUp {
				start, haveStart = m.uptimeToMs(s.firstUp), true
			}
			if !haveEnd && s.haveLastUp {
				end, haveEnd = m.uptimeToMs(s.lastUp), true
			}
		case init != 0:
			if !haveStart && s.haveFirstUp {
				start, haveStart = m.sinceInit(init, s.firstUp), true
			}
			if !haveEnd && s.haveLastUp {
				end, haveEnd = m.sinceInit(init, s.lastUp), true
			}
		default:
			// IPFIX uptime without the exporter's init time: only the
			// distance between start and end is known. Put the end at the
			// export time, which is where a flow cache expiring a flow
			// puts it, and count the guess.
			m.exp.st.timeUnanchored++
			if s.haveFirstUp && s.haveLastUp && !haveStart && !haveEnd {
				end, haveEnd = m.exportMs, true
				start, haveStart = end-int64(int32(s.lastUp-s.firstUp)), true
			}
		}
	}
	if !haveEnd && s.x != nil && s.x.haveObs {
		end, haveEnd = s.x.obsMs, true
	}
	if s.haveDuration {
		switch {
		case haveStart && !haveEnd:
			end, haveEnd = start+s.durationMs, true
		case haveEnd && !haveStart:
			start, haveStart = end-s.durationMs, true
		}
	}
	switch {
	case haveStart && !haveEnd:
		end = start
	case haveEnd && !haveStart:
		start = end
	case !haveStart && !haveEnd:
		start, end = m.exportMs, m.exportMs
	}
	if end < start {
		end = start
	}
	r.STime, r.ETime = start, end
}

// sysInit returns the exporter's system init time (ms since the epoch) from
// the record or the domain's options data; 0 when unknown.
func (m *msg) sysInit(s *scratch) int64 {
	if s.sysInitMs != 0 {
		return s.sysInitMs
	}
	return m.dom.sysInitMs
}

// sinceInit turns an IPFIX sysUpTime value (ms since the exporter's init,
// 32 bits that wrap every 49.7 days) into ms since the epoch, taking the
// wrap nearest the export time.
func (m *msg) sinceInit(init int64, up uint32) int64 {
	t := init + int64(up)
	if behind := m.exportMs - t; behind > 1<<31 {
		t += ((behind + 1<<31) >> 32) << 32
	}
	return t
}

// applyNAT reduces a record with post-NAT fields to one view (see the
// package documentation). The address of the other view is kept in nhIP,
// so a translated flow still says which outside address (or, in the outside
// view, which inside host) it went through.
func applyNAT(r *flowfile.Record, inside bool, natSrc, natDst netip.Addr, natSPort, natDPort uint16) {
	if post := natDst; post.IsValid() && !post.IsUnspecified() && post != r.DIP && post.Is4() == r.DIP.Is4() {
		usePost := inside
		if pp, pr := isInside(post), isInside(r.DIP); pp != pr {
			usePost = pp == inside
		}
		if usePost {
			r.NhIP, r.DIP = r.DIP, post
			if natDPort != 0 && !r.IsICMP() {
				r.DPort = natDPort
			}
		} else {
			r.NhIP = post
		}
	}
	if post := natSrc; post.IsValid() && !post.IsUnspecified() && post != r.SIP && post.Is4() == r.SIP.Is4() {
		usePost := !inside
		if pp, pr := isInside(post), isInside(r.SIP); pp != pr {
			usePost = pp == inside
		}
		if usePost {
			r.NhIP, r.SIP = r.SIP, post
			if natSPort != 0 && !r.IsICMP() {
				r.SPort = natSPort
			}
		} else {
			r.NhIP = post
		}
	}
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// isInside reports whether a is an address that only makes sense inside a
// NATed network: RFC 1918, CGNAT, IPv6 unique-local, link-local.
func isInside(a netip.Addr) bool {
	return a.IsPrivate() || cgnat.Contains(a) || a.IsLinkLocalUnicast()
}
