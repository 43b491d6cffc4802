package gfilter

import (
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

func protoSummary(protos ...uint8) *flowfile.BlockSummary {
	s := &flowfile.BlockSummary{Records: 10, MinSTime: 1000, MaxSTime: 2000, MinSensor: 3, MaxSensor: 5}
	for _, p := range protos {
		s.Protocols[p>>6] |= 1 << (p & 63)
	}
	return s
}

func TestAllPassProof(t *testing.T) {
	tests := func(kv ...string) map[string]*[]string {
		m := map[string]*[]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			v := append(*orEmpty(m[kv[i]]), kv[i+1])
			m[kv[i]] = &v
		}
		return m
	}
	cases := []struct {
		name    string
		tests   map[string]*[]string
		sensors []uint16
		sum     *flowfile.BlockSummary
		want    bool
	}{
		{"tcp block, tcp wanted", tests("protocol", "6"), nil, protoSummary(6), true},
		{"tcp and udp block, tcp wanted", tests("protocol", "6"), nil, protoSummary(6, 17), false},
		{"every protocol", tests("protocol", "0-255"), nil, protoSummary(1, 6, 17, 200), true},
		{"window covers the block", tests("stime", "1970/01/01:00:00:00-1970/01/01:00:00:02"), nil, protoSummary(6), true},
		{"window ends inside the block", tests("stime", "1970/01/01:00:00:00-1970/01/01:00:00:01.500"), nil, protoSummary(6), false},
		{"protocol and window", tests("protocol", "6,17", "stime", "1970/01/01:00:00:01-1970/01/01:00:00:03"), nil, protoSummary(17), true},
		{"sensors 3 to 5 wanted", tests(), []uint16{3, 4, 5, 9}, protoSummary(6), true},
		{"sensor 4 missing", tests(), []uint16{3, 5}, protoSummary(6), false},
		{"empty sensor list", tests("protocol", "6"), []uint16{}, protoSummary(6), false},
	}
	for _, c := range cases {
		p := newAllPass(c.tests, nil, c.sensors)
		if p == nil {
			t.Errorf("%s: no proof", c.name)
			continue
		}
		if got := p(c.sum); got != c.want {
			t.Errorf("%s: proof says %v, want %v", c.name, got, c.want)
		}
	}
	// a test on a field the summary does not describe, or on the flow
	// type (whose bitmap stops at 15): no proof
	for _, m := range []map[string]*[]string{tests("protocol", "6", "dport", "443"), tests("saddress", "10.0.0.1")} {
		if newAllPass(m, nil, nil) != nil {
			t.Errorf("%v: a proof for a test the summary cannot decide", m)
		}
	}
	if newAllPass(tests("protocol", "6"), []flowfile.FlowType{flowfile.FlowType(0)}, nil) != nil {
		t.Error("a proof for a flow type test")
	}
}

func orEmpty(p *[]string) *[]string {
	if p == nil {
		return new([]string)
	}
	return p
}
