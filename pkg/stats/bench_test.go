package stats

import (
	"net/netip"
	"runtime"
	"sync"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

var benchRecs []flowfile.Record

func benchFlows(b *testing.B) []flowfile.Record {
	if benchRecs == nil {
		benchRecs = make([]flowfile.Record, 1<<20)
		flowgen.New(7, flowgen.Options{Hosts: 50000, NoIPv6: true}).Fill(benchRecs)
	}
	return benchRecs
}

// benchAgg aggregates the synthetic flows in 4096-record blocks (the size
// of a flow file block) and selects the top 20.
func benchAgg(b *testing.B, keySpec string, workers int) {
	recs := benchFlows(b)
	spec := Spec{Keys: keys(b, keySpec), Values: values(b, "bytes"), Limit: LimitCount, Count: 20, Policy: fields.PolicyMix}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a, err := NewAggregator(spec, workers)
		if err != nil {
			b.Fatal(err)
		}
		feed(a, recs, max(workers, 1))
		res := a.Finish()
		if sel := res.Select(); sel.Len() != 20 {
			b.Fatalf("%d rows", sel.Len())
		}
		a.Release()
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// feed hands 2048-record runs (flowfile.RunRecords) to workers goroutines.
func feed(a *Aggregator, recs []flowfile.Record, workers int) {
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * 2048; i < len(recs); i += workers * 2048 {
				a.AddRun(w, recs[i:min(i+2048, len(recs))])
			}
		}()
	}
	wg.Wait()
}

func BenchmarkAggregateSIP(b *testing.B)        { benchAgg(b, "sip", runtime.GOMAXPROCS(0)) }
func BenchmarkAggregateSIP1Worker(b *testing.B) { benchAgg(b, "sip", 1) }
func BenchmarkAggregate5Tuple(b *testing.B) {
	benchAgg(b, "sip,dip,sport,dport,protocol", runtime.GOMAXPROCS(0))
}
func BenchmarkAggregateSIPSport(b *testing.B) { benchAgg(b, "sip,sport", runtime.GOMAXPROCS(0)) }

// BenchmarkHighCardinality bins 1 M records into 1 M distinct sip,sport
// bins, the shape of the 6.5 M-bin memory target.
func BenchmarkHighCardinality(b *testing.B) {
	recs := make([]flowfile.Record, 1<<20)
	for i := range recs {
		recs[i] = flowfile.Record{SIP: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}),
			SPort: uint16(i * 7), Bytes: uint64(i%5000 + 40), Packets: 1}
	}
	spec := Spec{Keys: keys(b, "sip,sport"), Values: values(b, "bytes"), Limit: LimitCount, Count: 5, Policy: fields.PolicyMix}
	b.ReportAllocs()
	for b.Loop() {
		a, _ := NewAggregator(spec, runtime.GOMAXPROCS(0))
		feed(a, recs, runtime.GOMAXPROCS(0))
		res := a.Finish()
		if res.Bins != uint64(len(recs)) {
			b.Fatalf("%d bins", res.Bins)
		}
		res.Select()
		a.Release()
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}
