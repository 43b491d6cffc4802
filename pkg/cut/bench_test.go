package cut

import (
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

var benchRecs []flowfile.Record

// benchRows formats synthetic flows (15% IPv6) as gcut's hot loop does:
// one line per record appended to a reused buffer.
func benchRows(b *testing.B, ids []fields.ID, json bool) {
	if benchRecs == nil {
		benchRecs = make([]flowfile.Record, 1<<16)
		flowgen.New(7, flowgen.Options{Hosts: 50000}).Fill(benchRecs)
	}
	p := NewPrinter(fields.NewFormatter(fields.Options{Policy: fields.PolicyMix, Msec: true}), ids, Layout{})
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		r := &benchRecs[n%len(benchRecs)]
		if json {
			buf = p.AppendJSON(buf[:0], r)
		} else {
			buf = p.AppendRow(buf[:0], r)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkAppendRowDefault(b *testing.B) { benchRows(b, fields.CutDefault, false) }
func BenchmarkAppendRowAll(b *testing.B)     { benchRows(b, AllFields, false) }
func BenchmarkAppendJSONAll(b *testing.B)    { benchRows(b, AllFields, true) }
