package parquetflow_test

import (
	"io"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/parquetflow"
)

// BenchmarkWriter is the cost of a flow in a Parquet file, beside
// BenchmarkGflowWriter, gflow's own stream, on the same flows.
func BenchmarkWriter(b *testing.B) {
	recs := benchFlows()
	b.ReportAllocs()
	for b.Loop() {
		w := parquetflow.NewWriter(io.Discard, parquetflow.Options{})
		if err := w.WriteBlock(recs); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "flows/s")
}

func BenchmarkGflowWriter(b *testing.B) {
	recs := benchFlows()
	b.ReportAllocs()
	for b.Loop() {
		w, err := flowfile.NewWriter(io.Discard, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.WriteBlock(recs); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "flows/s")
}

func benchFlows() []flowfile.Record {
	recs := make([]flowfile.Record, 200_000)
	flowgen.New(1, flowgen.Options{}).Fill(recs)
	return recs
}
