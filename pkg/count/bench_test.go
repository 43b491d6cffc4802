package count

import (
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

var benchRecs []flowfile.Record

func benchFlows() []flowfile.Record {
	if benchRecs == nil {
		benchRecs = make([]flowfile.Record, 1<<20)
		flowgen.New(7, flowgen.Options{Hosts: 50000}).Fill(benchRecs)
	}
	return benchRecs
}

// benchCount bins a million synthetic flows (an hour at the generator's
// 10 M flows/hour spacing is 6 minutes) in 4096-record blocks.
func benchCount(b *testing.B, size int64, scheme Scheme) {
	recs := benchFlows()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c := NewCounter(Spec{Size: size, Scheme: scheme, Start: NoStart, End: NoEnd})
		for i := 0; i < len(recs); i += 4096 {
			c.AddBlock(recs[i:min(i+4096, len(recs))])
		}
		if len(c.Rows(false)) == 0 {
			b.Fatal("no rows")
		}
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkCountTimeProportional30s(b *testing.B) { benchCount(b, 30000, TimeProportional) }
func BenchmarkCountTimeProportional1s(b *testing.B)  { benchCount(b, 1000, TimeProportional) }
func BenchmarkCountStartSpike30s(b *testing.B)       { benchCount(b, 30000, StartSpike) }
func BenchmarkCountBinUniform30s(b *testing.B)       { benchCount(b, 30000, BinUniform) }
