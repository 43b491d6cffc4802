package filter

import (
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

func benchFlows() []flowfile.Record {
	recs := make([]flowfile.Record, 1<<16)
	flowgen.New(7, flowgen.Options{}).Fill(recs)
	return recs
}

func benchFilter(b *testing.B, pairs ...[2]string) {
	f, err := Compile(pairs...)
	if err != nil {
		b.Fatal(err)
	}
	recs := benchFlows()
	b.ReportAllocs()
	b.ResetTimer()
	pass := 0
	for b.Loop() {
		for i := range recs {
			if f.Match(&recs[i]) {
				pass++
			}
		}
	}
	n := float64(b.N) * float64(len(recs))
	b.ReportMetric(b.Elapsed().Seconds()*1e9/n, "ns/record")
	b.ReportMetric(n/b.Elapsed().Seconds()/1e6, "Mrecords/s")
	_ = pass
}

func BenchmarkMatchProtoDport(b *testing.B) {
	benchFilter(b, [2]string{"protocol", "6"}, [2]string{"dport", "443"})
}

func BenchmarkMatchWildcard(b *testing.B) {
	benchFilter(b, [2]string{"saddress", "10.x.x.x"}, [2]string{"not-dcidr", "192.168.0.0/16,2001:db8::/32"})
}

func BenchmarkMatchMixed(b *testing.B) {
	benchFilter(b, [2]string{"protocol", "6,17"}, [2]string{"bytes", "1000-"},
		[2]string{"flags-all", "S/SA,A/A"}, [2]string{"any-cc", "ch,de"},
		[2]string{"stime", "2015/10/09-2015/10/09"})
}
