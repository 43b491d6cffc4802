package netflow

import (
	"encoding/binary"
	"net/netip"

	"github.com/gflow/gflow/pkg/flowfile"
)

// scratch collects the values of one data record that need more than a
// straight copy into the flow record: alternatives, times, NAT, sampling.
type scratch struct {
	bytes, packets           uint64
	bytesTotal, packetsTotal uint64
	haveBytes, havePackets   bool

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
// records are appended to dst; options records update the domain. It
// returns the bytes used, or -1 when the record runs past b.
func (m *msg) record(dst []flowfile.Record, t *template, b []byte) ([]flowfile.Record, int) {
	var s scratch
	var r *flowfile.Record
	var opt flowfile.Record
	if t.flow {
		dst = append(dst, flowfile.Record{})
		r = &dst[len(dst)-1]
	} else {
		r = &opt
	}
	off := 0
	for i := range t.fields {
		f := &t.fields[i]
		n := int(f.length)
		if f.length == varLen {
			if off >= len(b) {
				return drop(dst, t), -1
			}
			n = int(b[off])
			off++
			if n == 255 {
				if off+2 > len(b) {
					return drop(dst, t), -1
				}
				n = int(binary.BigEndian.Uint16(b[off:]))
				off += 2
			}
		}
		if off+n > len(b) {
			return drop(dst, t), -1
		}
		if f.op != opSkip {
			s.set(r, f.op, b[off:off+n])
		}
		off += n
	}
	m.units++
	if !t.flow {
		m.optionsRecord(t, &s)
		return dst, off
	}
	if !m.finish(r, &s) {
		return dst[:len(dst)-1], off
	}
	return dst, off
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
		s.bytes, s.haveBytes = be(v), true
	case opPackets:
		s.packets, s.havePackets = be(v), true
	case opBytesTotal:
		s.bytesTotal = be(v)
	case opPacketsTotal:
		s.packetsTotal = be(v)
	case opIn:
		r.In = uint32(be(v))
	case opOut:
		r.Out = uint32(be(v))
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

// rate works out a sampling rate from the sampling fields of a record; 0
// when they give none.
func (s *scratch) rate() uint32 {
	var r uint64
	switch {
	case s.interval > 0:
		r = s.interval
	case s.packetInterval > 0:
		// n packets selected, then space packets skipped: 1 in (n+space)/n
		r = (s.packetInterval + s.packetSpace) / s.packetInterval
	case s.samplingSize > 0 && s.samplingPopul > 0:
		r = s.samplingPopul / s.samplingSize
	}
	if r > 0xffffffff {
		r = 0xffffffff
	}
	return uint32(r)
}

// optionsRecord takes what the collector needs from options data: sampling
// rates per sampler and the exporter's system init time.
func (m *msg) optionsRecord(t *template, s *scratch) {
	if s.sysInitMs != 0 {
		m.dom.sysInitMs = s.sysInitMs
	}
	if !t.sampling {
		return
	}
	rate := s.rate()
	if rate == 0 {
		return
	}
	m.dom.setSampler(s.samplerID, rate)
}

// setSampler remembers a sampler's rate, within MaxSamplersPerDomain.
func (dom *domain) setSampler(id uint64, rate uint32) {
	if _, ok := dom.samplers[id]; !ok && len(dom.samplers) >= MaxSamplersPerDomain {
		return
	}
	dom.samplers[id] = rate
}

// samplingRate resolves the rate of a flow record (see the package
// documentation for the order) and reports whether the exporter said it
// samples but no rate is known.
func (m *msg) samplingRate(s *scratch) (rate uint32, missing bool) {
	if rate = s.rate(); rate > 0 {
		return rate, false
	}
	dom := m.dom
	if s.samplerID != 0 {
		if rate = dom.samplers[s.samplerID]; rate > 0 {
			return rate, false
		}
		missing = true
	}
	if len(dom.samplers) > 0 {
		if rate = dom.samplers[0]; rate > 0 {
			return rate, false
		}
		if len(dom.samplers) == 1 {
			for _, r := range dom.samplers {
				return r, false
			}
		}
	}
	if dom.samplingAnnounced {
		missing = true
	}
	if rate = m.defaultSamplingRate(); rate > 0 {
		return rate, false
	}
	return 0, missing
}

// finish completes a flow record from the collected values. It reports
// false for a record that cannot be a flow: source and destination of
// different address families.
func (m *msg) finish(r *flowfile.Record, s *scratch) bool {
	if r.SIP.Is4() != r.DIP.Is4() {
		m.fail(ErrRecord, 0, "flow from %v to %v: address families differ", r.SIP, r.DIP)
		return false
	}
	if s.haveBytes {
		r.Bytes = s.bytes
	} else {
		r.Bytes = s.bytesTotal
	}
	if s.havePackets {
		r.Packets = s.packets
	} else {
		r.Packets = s.packetsTotal
	}
	switch {
	case s.nextHop.IsValid() && !s.nextHop.IsUnspecified():
		r.NhIP = s.nextHop
	case s.bgpNextHop.IsValid() && !s.bgpNextHop.IsUnspecified():
		r.NhIP = s.bgpNextHop
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
		applyNAT(r, s, m.d.opts.NATInside)
	}
	m.times(r, s)
	rate, missing := m.samplingRate(s)
	if missing {
		m.exp.st.samplingMissing++
	}
	applySampling(r, rate)
	m.countFlow(r)
	return true
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
func applyNAT(r *flowfile.Record, s *scratch, inside bool) {
	if post := s.natDst; post.IsValid() && !post.IsUnspecified() && post != r.DIP && post.Is4() == r.DIP.Is4() {
		usePost := inside
		if pp, pr := isInside(post), isInside(r.DIP); pp != pr {
			usePost = pp == inside
		}
		if usePost {
			r.NhIP, r.DIP = r.DIP, post
			if s.natDPort != 0 && !r.IsICMP() {
				r.DPort = s.natDPort
			}
		} else {
			r.NhIP = post
		}
	}
	if post := s.natSrc; post.IsValid() && !post.IsUnspecified() && post != r.SIP && post.Is4() == r.SIP.Is4() {
		usePost := !inside
		if pp, pr := isInside(post), isInside(r.SIP); pp != pr {
			usePost = pp == inside
		}
		if usePost {
			r.NhIP, r.SIP = r.SIP, post
			if s.natSPort != 0 && !r.IsICMP() {
				r.SPort = s.natSPort
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
