package flowfile_test

import (
	"bytes"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

// TestReadAllocations checks that reading allocates nothing per record
// and nothing per block once the Reader's buffers have grown.
func TestReadAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts (not with -short or -race)")
	}
	recs := make([]flowfile.Record, 4000)
	gen := flowgen.New(3, flowgen.Options{})
	for _, codec := range []flowfile.Codec{flowfile.CodecZstd, flowfile.CodecS2, flowfile.CodecNone} {
		var buf bytes.Buffer
		w, _ := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: codec})
		for range 60 {
			gen.Fill(recs)
			w.WriteBlock(recs)
			w.Flush()
		}
		w.Close()
		r, err := flowfile.NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for range 5 { // grow the buffers
			if _, err := r.NextBlock(); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(40, func() {
			for {
				run, err := r.NextRun()
				if err != nil {
					t.Fatal(err)
				}
				// a block of 4000 records is two runs; stop at its end
				if runEnds(r, run) {
					return
				}
			}
		})
		if allocs > 0 {
			t.Errorf("%s: %.1f allocations per block in steady state", codec, allocs)
		}
		r.Close()
	}
}

// runEnds reports whether run was the last of its block.
func runEnds(r *flowfile.Reader, run []flowfile.Record) bool {
	return len(run) < flowfile.RunRecords || r.Summary().Records == flowfile.RunRecords
}

// TestWriteAllocations checks that writing allocates nothing per block
// once the Writer's buffers have grown.
func TestWriteAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts (not with -short or -race)")
	}
	recs := make([]flowfile.Record, 4000)
	flowgen.New(4, flowgen.Options{}).Fill(recs)
	for _, codec := range []flowfile.Codec{flowfile.CodecZstd, flowfile.CodecS2, flowfile.CodecNone} {
		var cw countWriter
		w, _ := flowfile.NewWriter(&cw, flowfile.Header{Kind: flowfile.KindStream, Codec: codec})
		for range 5 {
			w.WriteBlock(recs)
			w.Flush()
		}
		allocs := testing.AllocsPerRun(20, func() {
			w.WriteBlock(recs)
			w.Flush()
		})
		if allocs > 0 {
			t.Errorf("%s: %.1f allocations per block in steady state", codec, allocs)
		}
		w.Close()
	}
}
