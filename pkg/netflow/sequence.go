package netflow

// seqState follows one domain's sequence numbers.
//
// The unit differs by version: v5 numbers flows (the header carries the
// number of the first flow in the packet), v9 numbers export packets, IPFIX
// numbers data records sent before the message (RFC 7011 §3.1).
type seqState struct {
	started    bool
	last       uint32 // number of the last packet in order
	lastUnits  uint32 // units in that packet
	unitsKnown bool   // false when the last packet held data of unknown length
	lastUptime uint32 // v5/v9 header uptime of that packet

	// softflowd 1.1.0 numbers each IPFIX message with the flow records up
	// to and including it; once seen, loss is counted by that rule.
	offByOne bool

	lost          uint64
	reordered     uint64
	restarts      uint64
	nonConformant uint64 // messages that fit only the off-by-one numbering
}

// Windows for telling reordering and restarts from loss.
const (
	reorderWindowPackets = 1 << 10 // v9: a packet this many behind is late, not a restart
	reorderWindowRecords = 1 << 16 // v5 and IPFIX
	maxGap               = 1 << 30 // a forward jump beyond this is a restart
	uptimeBackMs         = 60_000  // v5/v9: the uptime going back this far is a restart
)

// checkSequence accounts the packet's sequence number; units and flows
// of the message are in m.
func (m *msg) checkSequence(seq uint32) {
	s := &m.dom.seq
	units, known := m.units, !m.held
	if m.version == 9 {
		units, known = 1, true
	}
	hasUptime := m.version != 10
	defer func() {
		if hasUptime {
			s.lastUptime = m.uptime
		}
	}()
	if !s.started || !s.unitsKnown {
		s.started = true
		s.last, s.lastUnits, s.unitsKnown = seq, units, known
		return
	}
	expected := s.last + s.lastUnits
	if seq == expected {
		s.last, s.lastUnits, s.unitsKnown = seq, units, known
		return
	}
	if m.version == 10 && known && m.flows > 0 && (seq == s.last+m.flows || seq == s.last+units) {
		// softflowd: this message's own records are already in its number.
		s.offByOne = true
		s.nonConformant++
		s.last, s.lastUnits, s.unitsKnown = seq, units, known
		return
	}
	if s.offByOne {
		expected = s.last + units
	}
	window := int32(reorderWindowRecords)
	if m.version == 9 {
		window = reorderWindowPackets
	}
	diff := int32(seq - expected)
	uptimeBack := hasUptime && m.uptime+uptimeBackMs < s.lastUptime
	switch {
	case uptimeBack && (diff < 0 || seq < units+1):
		// the exporter started again: the uptime went back and the numbers
		// either went back or started from scratch
		s.restarts++
	case diff > 0 && diff < maxGap:
		s.lost += uint64(diff)
	case diff < 0 && diff > -window:
		// a late packet: it is not lost after all
		s.reordered++
		s.lost -= min(s.lost, uint64(units))
		return // keep following the packets in order
	default:
		s.restarts++
	}
	s.last, s.lastUnits, s.unitsKnown = seq, units, known
}
