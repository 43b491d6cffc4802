package gfilter

import (
	"github.com/gflow/gflow/pkg/filter"
	"github.com/gflow/gflow/pkg/flowfile"
)

// allPass reports whether a block's summary proves that every record of
// the block passes the filter, so that the block can be copied to the
// pass destinations as it is stored, without decoding it.
type allPass func(*flowfile.BlockSummary) bool

// maxSensorSpan bounds the sensor ids a proof looks at in one block.
const maxSensorSpan = 4096

// newAllPass returns the proof for the tests the user gave, or nil when
// some test looks at a field the block summary does not describe
// (ports, addresses, counters …). The filter is a conjunction of one test
// per switch, so each switch is compiled on its own and proven apart;
// the proofs ask the compiled tests themselves, with probe records, so
// they cannot disagree with Filter.Match:
//
//   - --protocol: every protocol in the block's bitmap passes;
//   - --stime: the block's first and last start pass (a window is an
//     interval, so every start between them passes too);
//   - --sensors on files named on the command line: every sensor id in
//     the block's range passes.
//
// A switch that does not compile on its own (the full filter reports its
// errors) gets no proof either.
func newAllPass(tests map[string]*[]string, types []flowfile.FlowType, sensors []uint16) allPass {
	var proofs []allPass
	for name, vals := range tests {
		if len(*vals) == 0 {
			continue
		}
		b := filter.NewBuilder()
		for _, v := range *vals {
			if err := b.Set(name, v); err != nil {
				return nil
			}
		}
		f, err := b.Build()
		if err != nil {
			return nil
		}
		switch name {
		case "protocol":
			var ok [4]uint64
			for p := range 256 {
				if f.Match(&flowfile.Record{Proto: uint8(p)}) {
					ok[p>>6] |= 1 << (p & 63)
				}
			}
			proofs = append(proofs, func(s *flowfile.BlockSummary) bool {
				return s.Protocols[0]&^ok[0] == 0 && s.Protocols[1]&^ok[1] == 0 &&
					s.Protocols[2]&^ok[2] == 0 && s.Protocols[3]&^ok[3] == 0
			})
		case "stime":
			proofs = append(proofs, func(s *flowfile.BlockSummary) bool {
				return f.Match(&flowfile.Record{STime: s.MinSTime}) && f.Match(&flowfile.Record{STime: s.MaxSTime})
			})
		default:
			return nil
		}
	}
	if types != nil {
		// The summary's type bitmap has no bit for a type above 15, so it
		// cannot prove that no such record is in the block.
		return nil
	}
	if sensors != nil {
		b := filter.NewBuilder()
		b.SetSensors(sensors)
		f, err := b.Build()
		if err != nil {
			return nil
		}
		proofs = append(proofs, func(s *flowfile.BlockSummary) bool {
			if int(s.MaxSensor)-int(s.MinSensor) >= maxSensorSpan {
				return false
			}
			for id := int(s.MinSensor); id <= int(s.MaxSensor); id++ {
				if !f.Match(&flowfile.Record{Sensor: uint16(id)}) {
					return false
				}
			}
			return true
		})
	}
	if len(proofs) == 0 {
		return nil // no tests at all: gfilter refuses that before it reads
	}
	return func(s *flowfile.BlockSummary) bool {
		for _, p := range proofs {
			if !p(s) {
				return false
			}
		}
		return true
	}
}
