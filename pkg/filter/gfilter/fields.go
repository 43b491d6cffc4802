package gfilter

import (
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
)

// switchFields lists the record fields each partitioning switch's test
// reads, so the reader builds only those before the test and the rest
// only for the records that are kept (flowfile.Reader.VisitBlockWhere).
// A switch missing here makes every field needed.
var switchFields = map[string]flowfile.Fields{
	"stime":            flowfile.FieldTimes,
	"etime":            flowfile.FieldTimes,
	"active-time":      flowfile.FieldTimes,
	"duration":         flowfile.FieldTimes,
	"sport":            flowfile.FieldPorts,
	"dport":            flowfile.FieldPorts,
	"aport":            flowfile.FieldPorts,
	"protocol":         flowfile.FieldClass,
	"icmp-type":        flowfile.FieldClass | flowfile.FieldPorts, // in DPort, for ICMP only
	"icmp-code":        flowfile.FieldClass | flowfile.FieldPorts,
	"bytes":            flowfile.FieldCounts,
	"packets":          flowfile.FieldCounts,
	"bytes-per-packet": flowfile.FieldCounts,
	"scidr":            flowfile.FieldEndpoints,
	"dcidr":            flowfile.FieldEndpoints,
	"any-cidr":         flowfile.FieldEndpoints,
	"saddress":         flowfile.FieldEndpoints,
	"daddress":         flowfile.FieldEndpoints,
	"any-address":      flowfile.FieldEndpoints,
	// the next hop is a class field, but a missing one counts as 0.0.0.0
	// or :: by the flow's own family
	"nhcidr":        flowfile.FieldClass | flowfile.FieldEndpoints,
	"next-hop-id":   flowfile.FieldClass | flowfile.FieldEndpoints,
	"input-index":   flowfile.FieldClass,
	"output-index":  flowfile.FieldClass,
	"any-index":     flowfile.FieldClass,
	"tcp-flags":     flowfile.FieldClass,
	"flags-all":     flowfile.FieldClass,
	"flags-initial": flowfile.FieldClass,
	"flags-session": flowfile.FieldClass,
	"attributes":    flowfile.FieldClass,
	"application":   flowfile.FieldClass,
	"ip-version":    flowfile.FieldEndpoints,
	"scc":           flowfile.FieldEndpoints,
	"dcc":           flowfile.FieldEndpoints,
	"any-cc":        flowfile.FieldEndpoints,
	"sas":           flowfile.FieldEndpoints,
	"das":           flowfile.FieldEndpoints,
	"any-as":        flowfile.FieldEndpoints,
}

// testFields returns the fields the tests given read: the switches in
// tests, and flow type and sensor when they are tests (files named on the
// command line).
func testFields(tests map[string]*[]string, typesOrSensors bool) flowfile.Fields {
	var need flowfile.Fields
	if typesOrSensors {
		need |= flowfile.FieldClass
	}
	for name, vals := range tests {
		if len(*vals) == 0 {
			continue
		}
		base := strings.TrimPrefix(name, "not-")
		if strings.HasSuffix(base, "-flag") {
			base = "tcp-flags"
		}
		f, ok := switchFields[base]
		if !ok {
			return flowfile.AllFields
		}
		need |= f
	}
	return need
}
