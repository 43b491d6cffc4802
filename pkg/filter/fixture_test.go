package filter

import (
	"testing"

	"github.com/gflow/gflow/pkg/filter/internal/fixture"
	"github.com/gflow/gflow/pkg/flowfile"
)

func loadFlows(t testing.TB) []flowfile.Record { return fixture.Load(t, "testdata/flows.txt") }

// The expected counts were worked out from flows.txt with awk, one
// condition per case (shown in the comment), independently of this code.
func TestSwitchesOnFixture(t *testing.T) {
	recs := loadFlows(t)
	cases := []struct {
		args [][2]string
		want int
	}{
		{[][2]string{{"protocol", "6"}}, 126},                                   // $5==6
		{[][2]string{{"protocol", "1,58"}}, 25},                                 // ICMP + ICMPv6
		{[][2]string{{"protocol", "17-50"}}, 49},                                // only 17 and 50 occur
		{[][2]string{{"protocol", "0-255"}}, 200},                               // everything
		{[][2]string{{"dport", "443"}}, 20},                                     // $4==443
		{[][2]string{{"sport", "0-1023"}}, 80},                                  // $3<=1023
		{[][2]string{{"sport", "1024-"}}, 120},                                  // the rest
		{[][2]string{{"aport", "53"}}, 13},                                      // $3==53||$4==53
		{[][2]string{{"protocol", "6"}, {"dport", "443"}}, 15},                  // the benchmark query
		{[][2]string{{"icmp-type", "8"}}, 3},                                    // dPort 2048 on proto 1
		{[][2]string{{"icmp-type", "3"}, {"icmp-code", "3"}}, 2},                // 771
		{[][2]string{{"bytes", "1000-2000"}}, 12},                               //
		{[][2]string{{"packets", "1"}}, 7},                                      //
		{[][2]string{{"bytes-per-packet", "1000-"}}, 47},                        // $7/$6>=1000
		{[][2]string{{"duration", "0"}}, 49},                                    // duration 0.000
		{[][2]string{{"duration", "100-"}}, 67},                                 // >= 100 s
		{[][2]string{{"stime", "2015/10/09:00-2015/10/09:00"}}, 90},             // hour 00
		{[][2]string{{"stime", "2015/10/09:01"}}, 1},                            // exactly 01:00:00.000
		{[][2]string{{"stime", "1444348800-1444352399"}}, 90},                   // hour 00 in epoch seconds
		{[][2]string{{"etime", "2015/10/09:00:30-2015/10/09:00:30"}}, 1},        // end in 00:30:xx
		{[][2]string{{"active-time", "2015/10/09:00:30-2015/10/09T00:30"}}, 10}, // active in that minute
		{[][2]string{{"saddress", "10.1.0.x"}}, 75},                             //
		{[][2]string{{"saddress", "10.1.0.1-20"}}, 35},                          //
		{[][2]string{{"saddress", "10.1.0.1-10,11-20"}}, 35},                    // same set as a list
		{[][2]string{{"saddress", "10.1.0.0/27"}}, 54},                          // 10.1.0.0-31
		{[][2]string{{"not-saddress", "10.1.0.x"}}, 125},                        //
		{[][2]string{{"any-address", "198.51.100.24"}}, 5},                      //
		{[][2]string{{"next-hop-id", "203.0.113.254"}}, 67},                     //
		{[][2]string{{"next-hop-id", "0.0.0.0"}}, 18},                           // "none" prints as 0.0.0.0
		{[][2]string{{"nhcidr", "10.1.255.1"}}, 72},                             //
		{[][2]string{{"saddress", "2001:db8:1::x"}}, 21},                        // IPv6 wildcard
		{[][2]string{{"saddress", "2001:db8:1:0:0:0:0:0-ffff"}}, 21},            // same, written out
		{[][2]string{{"saddress", "2001:db8:1::/48"}}, 21},                      // IPv6 CIDR
		{[][2]string{{"any-cidr", "2001:db8::/32"}}, 43},                        //
		{[][2]string{{"scidr", "10.1.0.0/24,203.0.113.18"}}, 76},                //
		{[][2]string{{"not-any-cidr", "10.0.0.0/8"}}, 48},                       //
		{[][2]string{{"flags-all", "S/SA"}}, 26},                                // SYN without ACK
		{[][2]string{{"flags-all", "S/S,A/A"}}, 126},                            // SYN or ACK
		{[][2]string{{"flags-all", "S/S"}, {"flags-all", "A/A"}}, 126},          // repeated switch = list
		{[][2]string{{"syn-flag", "1"}, {"ack-flag", "0"}}, 26},                 // = S/SA
		{[][2]string{{"flags-initial", "S/S"}}, 50},                             //
		{[][2]string{{"flags-session", "/F"}}, 169},                             // FIN clear
		{[][2]string{{"tcp-flags", "R"}}, 27},                                   // any RST
		{[][2]string{{"attributes", "T/T"}}, 21},                                //
		{[][2]string{{"application", "53,80,443"}}, 20},                         //
		{[][2]string{{"ip-version", "6"}}, 43},                                  //
		{[][2]string{{"ip-version", "4"}}, 157},                                 //
		{[][2]string{{"ip-version", "4,6"}}, 200},                               //
		{[][2]string{{"input-index", "1"}}, 104},                                //
		{[][2]string{{"output-index", "65534"}}, 1},                             //
		{[][2]string{{"any-index", "0"}}, 8},                                    //
		{[][2]string{{"scc", "us"}}, 40},                                        // 198.51.100/24 sources
		{[][2]string{{"any-cc", "CH"}}, 62},                                     // case-insensitive
		{[][2]string{{"dcc", "--"}}, 109},                                       // internal destinations
		{[][2]string{{"protocol", "6"}, {"flags-all", "S/SA"}}, 26},             //
		{[][2]string{{"icmp-type", "0-255"}, {"protocol", "0-255"}}, 25},        // ICMP only
	}
	for _, c := range cases {
		f, err := Compile(c.args...)
		if err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		n := 0
		for i := range recs {
			if f.Match(&recs[i]) {
				n++
			}
		}
		if n != c.want {
			t.Errorf("%v: %d records pass, want %d", c.args, n, c.want)
		}
	}
}

func TestFileModeTypeAndSensor(t *testing.T) {
	recs := loadFlows(t)
	b := NewBuilder()
	b.SetTypes([]flowfile.FlowType{flowfile.TypeIn, flowfile.TypeInWeb})
	f, _ := b.Build()
	if n := count(f, recs); n != 94 {
		t.Errorf("--type=in,inweb: %d, want 94", n)
	}
	b = NewBuilder()
	b.SetTypes([]flowfile.FlowType{flowfile.TypeIn})
	b.SetSensors([]uint16{0})
	f, _ = b.Build()
	if n := count(f, recs); n != 31 {
		t.Errorf("--type=in --sensors=S0: %d, want 31", n)
	}
}

func count(f *Filter, recs []flowfile.Record) int {
	n := 0
	for i := range recs {
		if f.Match(&recs[i]) {
			n++
		}
	}
	return n
}
