package netflow

import (
	"net/netip"
	"slices"
	"time"
)

// counters are one exporter's running counts.
type counters struct {
	packets, bytes                uint64
	flows, flowPackets, flowBytes uint64
	errors                        [NumErrorKinds]uint64
	held, released, releasedFlows uint64
	noTemplate                    uint64 // data sets lost for want of their template
	samplingMissing               uint64
	timeUnanchored                uint64
	farFromExport                 uint64
	events                        uint64
	noAddress                     uint64
}

// Stats is a snapshot of the decoder's counters.
type Stats struct {
	Exporters []ExporterStats // sorted by address
	// RefusedPackets counts packets dropped because the exporter table was
	// full and no exporter could give way.
	RefusedPackets uint64
	// Forgotten counts exporters dropped from the table: to make room, or
	// silent for long.
	Forgotten uint64
	// HeldBytes is the data currently held waiting for templates.
	HeldBytes int
	// TemplateFields are the fields of all templates kept (see
	// Options.MaxTemplateFields).
	TemplateFields int
	// Waiting lists the templates that held data waits for, most sets
	// first.
	Waiting []Waiting
}

// Waiting is a template that data sets are held for.
type Waiting struct {
	Exporter   netip.Addr
	Version    uint16
	Domain     uint32
	TemplateID uint16
	Sets       int
	Bytes      int
}

// ExporterStats are the counters of one exporter address since the decoder
// started. All counters only grow, except Templates and HeldBytes.
type ExporterStats struct {
	Exporter netip.Addr

	Packets uint64 // export packets received
	Bytes   uint64 // bytes of those packets (UDP payload)

	Flows       uint64 // flow records decoded, including released ones
	FlowPackets uint64 // sum of their packets, after sampling scaling
	FlowBytes   uint64 // sum of their bytes, after sampling scaling

	Errors [NumErrorKinds]uint64 // malformed packets and parts, by kind

	// Data sets that arrive before their template are held for it (see the
	// package documentation). One definition is used everywhere — these
	// counters, gflowcap's metrics and its summary line:
	// DataWithoutTemplate are the sets never decoded for want of their
	// template: dropped because the hold was full, or held longer than
	// Options.PendingTTL. Sets still held (HeldSets) and sets decoded once
	// their template came (Released) are not in it.
	Held                uint64 // data sets kept to wait for their template
	Released            uint64 // of those, sets decoded once their template came
	ReleasedFlows       uint64 // flows decoded from them
	DataWithoutTemplate uint64 // data sets lost for want of their template
	HeldSets            int    // data sets held now
	HeldBytes           int    // their bytes

	// Events are data records that carry no traffic: NAT and firewall
	// events, NSEL's create, update and denied events (a connection's
	// teardown carries its totals and is stored as flows), records whose
	// counters are all zero. They are counted, not stored.
	Events uint64
	// NoAddressRecords are data records that count traffic but name no
	// source and destination (Cisco WLC per-client records, a frame
	// section that holds no IP header): they cannot be flows.
	NoAddressRecords uint64

	SamplingRateMissing uint64 // flows left unscaled although the exporter said it samples
	TimeUnanchored      uint64 // IPFIX flows with uptime times but no system init time
	FarFromExportTime   uint64 // flows ending more than a day from their packet's export time

	// Sequence accounting, summed over the exporter's domains.
	LostExports           uint64 // in each version's unit: v5 flows, v9 packets, IPFIX records
	Reordered             uint64 // late packets (not counted as lost)
	Restarts              uint64 // exporter restarts seen in sequence numbers or uptime
	SequenceJumps         uint64 // numbers that moved further than the exporter could have sent: not counted as loss
	NonConformantSequence uint64 // messages numbered otherwise: IPFIX off by one (softflowd), v9 by records

	Templates      int           // templates held now
	TemplateFields int           // their fields
	Proven         bool          // it sent flows: its templates are saved, it gives way only when idle
	Preferred      bool          // the site names it
	LastSeen       time.Time     // its last packet
	Domains        []DomainStats // per version and source ID / observation domain
}

// DomainStats are the sequence and template figures of one domain.
type DomainStats struct {
	Version   uint16 // 5, 9 or 10
	ID        uint32 // v5: engine_type<<8|engine_id; v9: source ID; IPFIX: observation domain
	Templates int
	Samplers  map[uint64]float64 // sampler id → rate learnt from options data (0: unnamed): packets passed per packet sampled

	LostExports           uint64
	Reordered             uint64
	Restarts              uint64
	SequenceJumps         uint64
	NonConformantSequence uint64
	// NonConformant is set once the domain's numbering was seen to follow
	// softflowd's off-by-one rule instead of RFC 7011's.
	NonConformant bool
}

// TotalErrors is the sum of Errors.
func (e ExporterStats) TotalErrors() uint64 {
	var n uint64
	for _, v := range e.Errors {
		n += v
	}
	return n
}

// Stats returns a snapshot of the counters. It allocates; call it for
// metrics and summaries, not per packet.
func (d *Decoder) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := Stats{RefusedPackets: d.refused, Forgotten: d.forgotten, TemplateFields: d.fields}
	for _, e := range d.exporters {
		c := &e.st
		es := ExporterStats{
			Exporter:            e.addr,
			Packets:             c.packets,
			Bytes:               c.bytes,
			Flows:               c.flows,
			FlowPackets:         c.flowPackets,
			FlowBytes:           c.flowBytes,
			Errors:              c.errors,
			DataWithoutTemplate: c.noTemplate,
			Held:                c.held,
			Released:            c.released,
			ReleasedFlows:       c.releasedFlows,
			Events:              c.events,
			NoAddressRecords:    c.noAddress,
			SamplingRateMissing: c.samplingMissing,
			TimeUnanchored:      c.timeUnanchored,
			FarFromExportTime:   c.farFromExport,
			Templates:           e.nTemplates,
			TemplateFields:      e.fields,
			Proven:              e.proven,
			Preferred:           e.preferred,
			LastSeen:            time.Unix(e.lastSeen, 0).UTC(),
		}
		for _, dom := range e.domains {
			for _, h := range dom.pending {
				es.HeldSets++
				es.HeldBytes += len(h.data)
				st.HeldBytes += len(h.data)
				st.Waiting = addWaiting(st.Waiting, Waiting{Exporter: e.addr, Version: dom.key.version, Domain: dom.key.id, TemplateID: h.templateID}, len(h.data))
			}
			s := &dom.seq
			ds := DomainStats{
				Version:               dom.key.version,
				ID:                    dom.key.id,
				Templates:             len(dom.templates),
				LostExports:           s.lost,
				Reordered:             s.reordered,
				Restarts:              s.restarts,
				SequenceJumps:         s.jumps,
				NonConformantSequence: s.nonConformant,
				NonConformant:         s.offByOne,
			}
			if len(dom.samplers) > 0 {
				ds.Samplers = make(map[uint64]float64, len(dom.samplers))
				for k, v := range dom.samplers {
					ds.Samplers[k] = float64(v.num) / float64(v.den)
				}
			}
			es.LostExports += s.lost
			es.Reordered += s.reordered
			es.Restarts += s.restarts
			es.SequenceJumps += s.jumps
			es.NonConformantSequence += s.nonConformant
			es.Domains = append(es.Domains, ds)
		}
		slices.SortFunc(es.Domains, func(a, b DomainStats) int {
			if a.Version != b.Version {
				return int(a.Version) - int(b.Version)
			}
			return cmpU32(a.ID, b.ID)
		})
		st.Exporters = append(st.Exporters, es)
	}
	slices.SortFunc(st.Exporters, func(a, b ExporterStats) int { return a.Exporter.Compare(b.Exporter) })
	slices.SortFunc(st.Waiting, func(a, b Waiting) int {
		if a.Sets != b.Sets {
			return b.Sets - a.Sets
		}
		if c := a.Exporter.Compare(b.Exporter); c != 0 {
			return c
		}
		return int(a.TemplateID) - int(b.TemplateID)
	})
	return st
}

// addWaiting counts a held set of size bytes for template w.
func addWaiting(ws []Waiting, w Waiting, size int) []Waiting {
	for i := range ws {
		if x := &ws[i]; x.Exporter == w.Exporter && x.Version == w.Version && x.Domain == w.Domain && x.TemplateID == w.TemplateID {
			x.Sets++
			x.Bytes += size
			return ws
		}
	}
	w.Sets, w.Bytes = 1, size
	return append(ws, w)
}

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
