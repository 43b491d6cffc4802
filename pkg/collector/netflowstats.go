package collector

import (
	"net/netip"

	"github.com/gflow/gflow/pkg/netflow"
)

// decoderExporter is what the decoder counts for one exporter.
type decoderExporter struct {
	addr                   netip.Addr
	errors                 [netflow.NumErrorKinds]uint64 // malformed packets and parts, by kind
	noTemplate, heldLost   uint64
	lost, nonConformant    uint64
	flowPackets, flowBytes uint64
	samplingMissing        uint64
}

// decoderCounts are the decoder's counters, summed and per exporter.
type decoderCounts struct {
	errors, noTemplate, lost uint64
	exporters                []decoderExporter
}

func (c *collector) decoderCounts() decoderCounts {
	var dc decoderCounts
	st := c.dec.Stats()
	for i := range st.Exporters {
		e := &st.Exporters[i]
		de := decoderExporter{
			addr:            e.Exporter,
			errors:          e.Errors,
			noTemplate:      e.DataWithoutTemplate,
			heldLost:        e.HeldDropped,
			lost:            e.LostExports,
			nonConformant:   e.NonConformantSequence,
			flowPackets:     e.FlowPackets,
			flowBytes:       e.FlowBytes,
			samplingMissing: e.SamplingRateMissing,
		}
		dc.errors += e.TotalErrors()
		// Data without template that was held and decoded later is not a
		// loss; what expired or did not fit is.
		dc.noTemplate += e.HeldDropped + (e.DataWithoutTemplate - min(e.DataWithoutTemplate, e.Held))
		dc.lost += e.LostExports
		dc.exporters = append(dc.exporters, de)
	}
	return dc
}
