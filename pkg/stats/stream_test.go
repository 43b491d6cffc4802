package stats

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"runtime"
	"testing"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// manyBins aggregates n records, each a bin of its own (by sIP).
func manyBins(t testing.TB, n int, spec Spec) *Result {
	a, err := NewAggregator(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]flowfile.Record, 0, 4096)
	for i := range n {
		recs = append(recs, flowfile.Record{SIP: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}),
			Bytes: uint64(i%1000 + 1), Packets: 1})
		if len(recs) == cap(recs) || i == n-1 {
			a.Add(recs)
			recs = recs[:0]
		}
	}
	return a.Finish()
}

// Printing every bin (--count=0) holds a small entry per bin, not a
// whole row: 4.9 million bins took 1.9 GB where a top-N took 279 MB.
func TestAllBinsAreStreamed(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts (not with -short or -race)")
	}
	const n = 200_000
	spec := Spec{Keys: keys(t, "sip"), Values: values(t, "bytes,packets"), Limit: LimitCount, Count: 0, Policy: fields.PolicyMix}
	res := manyBins(t, n, spec)
	defer res.agg.Release()
	fm := fields.NewFormatter(fields.Options{Policy: spec.Policy})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sel := res.Select()
	var out countWriter
	if err := WriteText(&out, res, sel, fm, Layout{}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if sel.Len() != n || out.lines != n+3 {
		t.Fatalf("%d rows, %d lines printed; want %d rows", sel.Len(), out.lines, n)
	}
	perBin := float64(after.TotalAlloc-before.TotalAlloc) / n
	t.Logf("%.0f bytes allocated per bin", perBin)
	if perBin > 64 {
		t.Errorf("selecting and printing every bin allocates %.0f bytes per bin; want the entry and the sort key only (≤ 64)", perBin)
	}
}

type countWriter struct{ lines int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// WriteJSON writes its document a row at a time, byte for byte what
// encoding/json prints for the whole document.
func TestJSONStreamedAsEncoded(t *testing.T) {
	for _, c := range []struct {
		spec       Spec
		noPercents bool
	}{
		{Spec{Limit: LimitCount, Count: 0}, false},
		{Spec{Limit: LimitCount, Count: 3, Bottom: true}, true},
		{Spec{Limit: LimitThreshold, Threshold: 990}, false},
		{Spec{Limit: LimitThreshold, Threshold: 1e9}, false}, // no rows
		{Spec{Limit: LimitPercentage, Percentage: 0.1}, false},
	} {
		spec := c.spec
		spec.Keys, spec.Values, spec.Policy = keys(t, "sip"), values(t, "bytes,records"), fields.PolicyMix
		res := manyBins(t, 50, spec)
		sel := res.Select()
		fm := fields.NewFormatter(fields.Options{Policy: spec.Policy})
		var got bytes.Buffer
		if err := WriteJSON(&got, res, sel, fm, c.noPercents); err != nil {
			t.Fatal(err)
		}
		// the whole document, built as it was before streaming
		doc := jsonDoc{Input: jsonInput{Records: res.Records, Bins: res.Bins, Total: res.Total, TotalOf: "Bytes"},
			Output: jsonOutput{Direction: "top", Count: sel.Count, Rows: sel.Len()}, Rows: []jsonRow{},
			Fields: []string{"sIP"}, Values: []string{"Bytes", "Records"}}
		if spec.Bottom {
			doc.Output.Direction = "bottom"
		}
		switch spec.Limit {
		case LimitCount:
			doc.Output.Limit = "count"
		case LimitThreshold:
			doc.Output.Limit, doc.Output.Threshold = "threshold", &sel.Threshold
		case LimitPercentage:
			doc.Output.Limit, doc.Output.Threshold, doc.Output.Percentage = "percentage", &sel.Threshold, &spec.Percentage
		}
		cumul := 0.0
		row := &Row{}
		for i := range sel.Len() {
			sel.Row(i, row)
			jr := jsonRow{Key: map[string]string{"sIP": string(fm.AppendValue(nil, spec.Keys[0], &row.Key))},
				Values: map[string]uint64{"Bytes": row.Values[0], "Records": row.Values[1]}}
			if !c.noPercents {
				p := 100 * float64(row.Values[0]) / float64(res.Total)
				cumul += p
				cu := cumul
				jr.Percent, jr.Cumulative = &p, &cu
			}
			doc.Rows = append(doc.Rows, jr)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.Encode(&doc)
		if got.String() != want.String() {
			t.Errorf("%+v:\ngot\n%s\nwant\n%s", c.spec, got.String(), want.String())
		}
		res.agg.Release()
	}
}
