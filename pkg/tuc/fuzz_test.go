package tuc

import (
	"bufio"
	"os"
	"testing"

	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/flowfile"
)

// FuzzParseLine feeds arbitrary lines to the parser in three layouts: the
// fixture's title line, gcut's --all-fields columns and nfdump's CSV. A line either
// parses into a consistent record or is refused; it never panics.
func FuzzParseLine(f *testing.F) {
	file, err := os.Open("testdata/flows.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Scan()
	title := append([]byte(nil), sc.Bytes()...)
	for n := 0; sc.Scan() && n < 40; n++ {
		f.Add(append([]byte(nil), sc.Bytes()...))
	}
	f.Add([]byte("2001:db8::1|10.0.0.1|0|0|58|1|1|||||0|1444348860.5|4294967.295|S1|all|in|1|2|::"))
	f.Add([]byte("ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|ff|"))
	f.Add([]byte("10/09/2015 00:01:02.999|99999999999999999999999999999999999999999|T C F S"))

	fixture, err := NewParser(Options{Now: 1444348800000})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := fixture.Start(title); err != nil {
		f.Fatal(err)
	}
	all, err := NewParser(Options{Fields: cut.AllFields, NoTitles: true, Now: 1444348800000})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := all.Start([]byte("x")); err != nil {
		f.Fatal(err)
	}
	nfdump, err := NewParser(Options{Now: 1444348800000})
	if err != nil {
		f.Fatal(err)
	}
	header := []byte("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb")
	if _, err := nfdump.Start(header); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("2023-11-14 22:13:21,2023-11-14 22:14:50,89.118,198.51.100.20,203.0.113.84,31699,3306,UDP,...AP...,0,0,26,15626,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0"))
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range []*Parser{fixture, all, nfdump} {
			if p.Done() {
				p.Start(header) // a "Summary" line ended nfdump's flows: begin again
			}
			var r flowfile.Record
			if err := p.ParseLine(line, &r); err != nil {
				if _, ok := err.(*LineError); !ok {
					t.Fatalf("error of type %T", err)
				}
				continue
			}
			if r.ETime < r.STime || r.ETime-r.STime > maxDurationMs || r.Packets == 0 || r.Bytes == 0 {
				t.Fatalf("inconsistent record %+v from %q", r, line)
			}
			if r.SIP.Is4() != r.DIP.Is4() || r.NhIP.IsValid() && r.NhIP.Is4() != r.SIP.Is4() {
				t.Fatalf("mixed address families %+v from %q", r, line)
			}
		}
	})
}
