package collector

import (
	"net/netip"

	"github.com/gflow/gflow/pkg/netflow"
)

// decoderExporter is what the decoder counts for one exporter.
type decoderExporter struct {
	addr                          netip.Addr                    // zero: the exporters /metrics does not name, summed
	packets                       uint64                        // export packets the decoder saw
	errors                        [netflow.NumErrorKinds]uint64 // malformed packets and parts, by kind
	noTemplate, held, released    uint64                        // data without template (lost), held, released
	heldNow                       int                           // data sets held now
	lost, nonConformant           uint64
	jumps, restarts               uint64
	flowPackets, flowBytes        uint64
	samplingMissing               uint64
	events, noAddress             uint64
	timeUnanchored, farFromExport uint64
}

// decoderCounts are the decoder's counters, summed and per exporter.
type decoderCounts struct {
	errors, noTemplate, lost uint64
	kinds                    [netflow.NumErrorKinds]uint64
	events, noAddress, jumps uint64
	refused                  uint64 // packets refused: the exporter table was full
	heldSets, heldBytes      int
	waiting                  []netflow.Waiting // templates that held data waits for
	exporters                []decoderExporter
}

func (c *collector) decoderCounts() decoderCounts {
	st := c.dec.Stats()
	dc := decoderCounts{refused: st.RefusedPackets, heldBytes: st.HeldBytes, waiting: st.Waiting}
	for i := range st.Exporters {
		e := &st.Exporters[i]
		de := decoderExporter{
			addr:            e.Exporter,
			packets:         e.Packets,
			errors:          e.Errors,
			noTemplate:      e.DataWithoutTemplate,
			held:            e.Held,
			released:        e.Released,
			heldNow:         e.HeldSets,
			lost:            e.LostExports,
			nonConformant:   e.NonConformantSequence,
			jumps:           e.SequenceJumps,
			restarts:        e.Restarts,
			flowPackets:     e.FlowPackets,
			flowBytes:       e.FlowBytes,
			samplingMissing: e.SamplingRateMissing,
			events:          e.Events,
			noAddress:       e.NoAddressRecords,
			timeUnanchored:  e.TimeUnanchored,
			farFromExport:   e.FarFromExportTime,
		}
		dc.errors += e.TotalErrors()
		for k, n := range e.Errors {
			dc.kinds[k] += n
		}
		// One definition of "data without template" everywhere: data sets
		// never decoded for want of their template (netflow.ExporterStats).
		dc.noTemplate += e.DataWithoutTemplate
		dc.lost += e.LostExports
		dc.events += e.Events
		dc.noAddress += e.NoAddressRecords
		dc.jumps += e.SequenceJumps
		dc.heldSets += e.HeldSets
		dc.exporters = append(dc.exporters, de)
	}
	return dc
}
