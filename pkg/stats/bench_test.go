package stats

import (
	"bytes"
	"net/netip"
	"runtime"
	"sync"
	"syscall"
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

// benchStream is benchFlows written as a flow stream, as gfilter passes
// it to gstats (zstd blocks as stored in a repository).
var benchStream []byte

func benchStreamBytes(b *testing.B) []byte {
	if benchStream == nil {
		var buf bytes.Buffer
		w, err := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
		if err != nil {
			b.Fatal(err)
		}
		recs := benchFlows(b)
		for i := range recs {
			if err := w.Write(&recs[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		benchStream = buf.Bytes()
	}
	return benchStream
}

// BenchmarkTopNStream is gstats' whole work after reading its input, for
// a top 20 by a source and by a destination field: decoding the stream
// and binning by record (records) or by the blocks' endpoint sums
// (endpoints, what gstats does for such keys).
func BenchmarkTopNStream(b *testing.B) {
	stream := benchStreamBytes(b)
	workers := runtime.GOMAXPROCS(0)
	for _, key := range []string{"sip", "dip", "scc"} {
		spec := Spec{Keys: keys(b, key), Values: values(b, "bytes"), Limit: LimitCount, Count: 20, Policy: fields.PolicyMix}
		for _, path := range []string{"records", "endpoints"} {
			b.Run(key+"/"+path, func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := cpuTime()
				for b.Loop() {
					a, err := NewAggregator(spec, workers)
					if err != nil {
						b.Fatal(err)
					}
					r, err := flowfile.NewReader(bytes.NewReader(stream))
					if err != nil {
						b.Fatal(err)
					}
					if path == "records" {
						r.SetFields(spec.Needs())
						err = flowfile.Process(r, workers, func(w int, run []flowfile.Record) error {
							a.AddRun(w, run)
							return nil
						}, nil)
					} else {
						dst, _ := spec.EndpointSide()
						err = flowfile.ProcessEndpoints(r, workers, dst, flowfile.FieldBytes, func(w int, sums []flowfile.EndpointSum) error {
							a.AddSums(w, sums, dst)
							return nil
						}, nil)
					}
					if err != nil {
						b.Fatal(err)
					}
					if sel := a.Finish().Select(); sel.Len() == 0 {
						b.Fatal("no rows")
					}
					a.Release()
				}
				flows := float64(len(benchFlows(b))) * float64(b.N)
				b.ReportMetric(flows/b.Elapsed().Seconds(), "flows/s")
				// CPU time is the figure to compare on a busy machine
				b.ReportMetric(float64(cpuTime()-cpu0)/flows, "cpu-ns/flow")
			})
		}
	}
}

// cpuTime is the process's user and system time so far, in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
