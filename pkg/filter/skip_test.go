package filter

import (
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

func TestKeepBlock(t *testing.T) {
	day := ms("2015-10-09 00:00:00.000")
	var tcpOnly flowfile.BlockSummary
	tcpOnly.Protocols[0] = 1 << 6
	tcpOnly.HasIPv4 = true
	tcpOnly.Types = 1 << flowfile.TypeInWeb
	tcpOnly.MinSTime, tcpOnly.MaxSTime, tcpOnly.MaxETime = day, day+3600000-1, day+3700000
	cases := []struct {
		args [][2]string
		keep bool
	}{
		{[][2]string{{"protocol", "6"}}, true},
		{[][2]string{{"protocol", "17"}}, false},
		{[][2]string{{"icmp-type", "8"}}, false},
		{[][2]string{{"stime", "2015/10/09:01-2015/10/09:02"}}, false},
		{[][2]string{{"stime", "2015/10/09:00:59-2015/10/09:02"}}, true},
		{[][2]string{{"etime", "2015/10/09:01-2015/10/09:02"}}, true},
		{[][2]string{{"etime", "2015/10/09:02-2015/10/09:03"}}, false},
		{[][2]string{{"active-time", "2015/10/08-2015/10/08"}}, false},
		{[][2]string{{"ip-version", "6"}}, false},
		{[][2]string{{"ip-version", "4,6"}}, true},
		{[][2]string{{"duration", "4000-"}}, false},
		{[][2]string{{"not-saddress", "10.x.x.x"}}, true},
		{[][2]string{{"dport", "443"}}, true},
	}
	for _, c := range cases {
		f, err := Compile(c.args...)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.KeepBlock(&tcpOnly); got != c.keep {
			t.Errorf("%v: KeepBlock = %v, want %v", c.args, got, c.keep)
		}
	}
	b := NewBuilder()
	b.SetTypes([]flowfile.FlowType{flowfile.TypeIn})
	f, _ := b.Build()
	if f.KeepBlock(&tcpOnly) {
		t.Error("--type=in kept an inweb-only block")
	}
	b = NewBuilder()
	b.SetSensors([]uint16{3, 200})
	f, _ = b.Build()
	tcpOnly.MinSensor, tcpOnly.MaxSensor = 4, 199
	if f.KeepBlock(&tcpOnly) {
		t.Error("--sensors=3,200 kept a block of sensors 4..199")
	}
	tcpOnly.MaxSensor = 200
	if !f.KeepBlock(&tcpOnly) {
		t.Error("--sensors=3,200 skipped a block holding sensor 200")
	}
}
