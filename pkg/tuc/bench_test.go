package tuc

import (
	"bytes"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// benchLines prints synthetic flows (15% IPv6) as gcut does with the
// given fields, for the parser to read back.
func benchLines(b *testing.B, ids []fields.ID) [][]byte {
	recs := make([]flowfile.Record, 1<<16)
	flowgen.New(7, flowgen.Options{Hosts: 50000}).Fill(recs)
	p := cut.NewPrinter(fields.NewFormatter(fields.Options{Policy: fields.PolicyMix, Msec: true}), ids, cut.Layout{})
	lines := make([][]byte, len(recs))
	for i := range recs {
		lines[i] = bytes.TrimSuffix(p.AppendRow(nil, &recs[i]), []byte("\n"))
	}
	return lines
}

func benchParse(b *testing.B, ids []fields.ID) {
	lines := benchLines(b, ids)
	p, err := NewParser(Options{Fields: ids, NoTitles: true, Now: 1444348800000})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Start(lines[0]); err != nil {
		b.Fatal(err)
	}
	var r flowfile.Record
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if err := p.ParseLine(lines[n%len(lines)], &r); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkParseLineDefault parses gcut's default columns (1-12).
func BenchmarkParseLineDefault(b *testing.B) { benchParse(b, fields.CutDefault) }

// BenchmarkParseLineAll parses gcut --all-fields lines.
func BenchmarkParseLineAll(b *testing.B) { benchParse(b, cut.AllFields) }
