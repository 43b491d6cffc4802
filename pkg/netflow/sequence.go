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
	lastExport int64  // header export time of that packet, ms
	lastRecs   uint32 // data records in that packet (v9: to recognise numbering by records)

	// softflowd 1.1.0 numbers each IPFIX message with the flow records up
	// to and including it; once seen, loss is counted by that rule.
	offByOne bool
	// byRecords is set for a v9 exporter seen to number data records
	// rather than export packets.
	byRecords bool

	lost          uint64
	reordered     uint64
	restarts      uint64
	jumps         uint64 // numbers that moved further than the exporter could have sent in the time
	nonConformant uint64 // messages that fit only another numbering (off by one, v9 by records)
}

// Windows for telling reordering and restarts from loss.
const (
	reorderWindowPackets = 1 << 10 // v9: a packet this many behind is late, not a restart
	reorderWindowRecords = 1 << 16 // v5 and IPFIX
	maxGap               = 1 << 30 // a forward jump beyond this is a restart
	uptimeBackMs         = 60_000  // v5/v9: the uptime going back this far is a restart

	// The most an exporter is taken to send in a second: a forward gap
	// larger than this over the time between two packets (by the
	// exporter's own clock, at least a second) is not loss but numbering
	// that started again or counts something else (H3C jumps by 60
	// million in 24 s; nfdump counts such a gap as one sequence failure,
	// not as millions of lost packets).
	maxPacketsPerSecond = 100_000   // v9
	maxRecordsPerSecond = 5_000_000 // v5 and IPFIX
)

// checkSequence accounts the packet's sequence number; units and flows
// of the message are in m.
func (m *msg) checkSequence(seq uint32) {
	s := &m.dom.seq
	units, known := m.units, !m.held
	if m.version == 9 && !s.byRecords {
		units, known = 1, true
	}
	if s.started && s.unitsKnown && seq == s.last+s.lastUnits {
		s.last, s.lastUnits, s.unitsKnown, s.lastRecs = seq, units, known, m.units
	} else {
		m.sequenceGap(s, seq, units, known)
	}
	s.lastUptime, s.lastExport = m.uptime, m.exportMs
}

// sequenceGap accounts a number that is not the one expected: the first
// one, a loss, a late packet, a restart, a jump, another numbering.
func (m *msg) sequenceGap(s *seqState, seq, units uint32, known bool) {
	recs := m.units
	if !s.started || !s.unitsKnown {
		s.started = true
		s.last, s.lastUnits, s.unitsKnown, s.lastRecs = seq, units, known, recs
		return
	}
	expected := s.last + s.lastUnits
	switch {
	case m.version == 10 && known && m.flows > 0 && (seq == s.last+m.flows || seq == s.last+units):
		// softflowd: this message's own records are already in its number.
		s.offByOne = true
		s.nonConformant++
		s.last, s.lastUnits, s.unitsKnown, s.lastRecs = seq, units, known, recs
		return
	case m.version == 9 && !s.byRecords && !m.held && s.lastRecs > 1 && seq == s.last+s.lastRecs:
		// a v9 exporter that numbers records, as IPFIX does
		s.byRecords = true
		s.nonConformant++
		s.last, s.lastUnits, s.unitsKnown, s.lastRecs = seq, recs, known, recs
		return
	}
	if s.offByOne {
		expected = s.last + units
	}
	window := int32(reorderWindowRecords)
	perSecond := int64(maxRecordsPerSecond)
	if m.version == 9 && !s.byRecords {
		window, perSecond = reorderWindowPackets, maxPacketsPerSecond
	}
	hasUptime := m.version != 10
	diff := int32(seq - expected)
	uptimeBack := hasUptime && m.uptime+uptimeBackMs < s.lastUptime
	elapsedMs := m.exportMs - s.lastExport // by the exporter's clock
	if hasUptime {
		elapsedMs = int64(int32(m.uptime - s.lastUptime))
	}
	plausible := perSecond * (max(elapsedMs, 0)/1000 + 1)
	switch {
	case uptimeBack && (diff < 0 || seq < units+1):
		// the exporter started again: the uptime went back and the numbers
		// either went back or started from scratch
		s.restarts++
	case diff > 0 && int64(diff) <= plausible && diff < maxGap:
		s.lost += uint64(diff)
	case diff > 0:
		s.jumps++
	case diff > -window:
		// a late packet: it is not lost after all
		s.reordered++
		s.lost -= min(s.lost, uint64(units))
		return // keep following the packets in order
	default:
		s.restarts++
	}
	s.last, s.lastUnits, s.unitsKnown, s.lastRecs = seq, units, known, recs
}
