package filter

import "github.com/gflow/gflow/pkg/flowfile"

// KeepBlock reports whether some record of a block with summary s might
// pass. It returns false only when the summary proves that no record can:
// then the reader skips the block without decompressing it (see
// flowfile.Reader.SetBlockFilter). Negated tests never skip.
func (f *Filter) KeepBlock(s *flowfile.BlockSummary) bool {
	for _, t := range f.order {
		switch t {
		case tProto:
			if f.proto[0]&s.Protocols[0] == 0 && f.proto[1]&s.Protocols[1] == 0 &&
				f.proto[2]&s.Protocols[2] == 0 && f.proto[3]&s.Protocols[3] == 0 {
				return false
			}
		case tICMPType, tICMPCode:
			if !s.HasProto(1) && !s.HasProto(58) {
				return false
			}
		case tSTime:
			if s.MaxSTime < f.stime.Min || s.MinSTime > f.stime.Max {
				return false
			}
		case tETime:
			// ETime >= STime, so no record ends before the block's first start
			if s.MaxETime < f.etime.Min || s.MinSTime > f.etime.Max {
				return false
			}
		case tActive:
			if s.MinSTime > f.active.Max || s.MaxETime < f.active.Min {
				return false
			}
		case tDuration:
			if s.MaxETime-s.MinSTime < f.durMin {
				return false
			}
		case tIPVersion:
			if !(f.ipv4 && s.HasIPv4 || f.ipv6 && s.HasIPv6) {
				return false
			}
		case tType:
			any := false
			for ty := range flowfile.NumTypes {
				if f.types[ty] && s.HasType(flowfile.FlowType(ty)) {
					any = true
					break
				}
			}
			if !any {
				return false
			}
		case tSensor:
			if !f.sensors.anyIn(uint32(s.MinSensor), uint32(s.MaxSensor)) {
				return false
			}
		}
	}
	return true
}

// anyIn reports whether some value in lo..hi is in the set.
func (b Bitmap) anyIn(lo, hi uint32) bool {
	for v := uint64(lo); v <= uint64(hi); v++ {
		if v&63 == 0 && v+63 <= uint64(hi) {
			if int(v>>6) >= len(b) {
				return false
			}
			if b[v>>6] != 0 {
				return true
			}
			v += 63
			continue
		}
		if b.Has(uint32(v)) {
			return true
		}
	}
	return false
}

// CanSkipBlock is the negation of KeepBlock, for readers that think in
// skips.
func (f *Filter) CanSkipBlock(s *flowfile.BlockSummary) bool { return !f.KeepBlock(s) }
