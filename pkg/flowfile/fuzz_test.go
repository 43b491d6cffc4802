package flowfile_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// FuzzReader feeds arbitrary bytes to the file reader: it must never
// panic, must end, and reports damage as errors.
func FuzzReader(f *testing.F) {
	recs := randomRecords(rand.New(rand.NewSource(5)), 300)
	for _, codec := range []flowfile.Codec{flowfile.CodecNone, flowfile.CodecZstd, flowfile.CodecS2} {
		var buf bytes.Buffer
		w, _ := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: codec})
		w.SetBlockRecords(100)
		w.WriteBlock(recs)
		w.Close()
		f.Add(buf.Bytes())
		b := buf.Bytes()
		f.Add(b[:len(b)/2])
		damaged := bytes.Clone(b)
		damaged[len(b)/3] ^= 0x40
		f.Add(damaged)
	}
	f.Add([]byte("GFLW"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := flowfile.NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		defer r.Close()
		// Every call consumes at least one byte or ends, so len(data)+2
		// calls are enough.
		for range len(data) + 2 {
			blk, err := r.NextBlock()
			var be *flowfile.BlockError
			switch {
			case errors.Is(err, io.EOF):
				return
			case errors.As(err, &be):
				continue
			case err != nil:
				t.Fatalf("unexpected error type: %v", err)
			}
			if len(blk) == 0 || len(blk) > flowfile.MaxBlockRecords {
				t.Fatalf("block of %d records", len(blk))
			}
		}
		t.Fatal("reader did not end")
	})
}
