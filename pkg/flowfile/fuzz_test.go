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
	// blocks with selections (Writer.WriteSelected)
	sel := selectStream(f, encodeStream(f, recs, flowfile.CodecS2, 100), flowfile.FieldPorts,
		func(r *flowfile.Record) bool { return r.DPort%3 == 0 })
	f.Add(sel)
	f.Add(sel[:len(sel)-5])
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

// FuzzVisitBlock feeds arbitrary bytes to VisitBlock: it must never
// panic, must end, and must visit an intact block's records as NextBlock
// returns them.
func FuzzVisitBlock(f *testing.F) {
	recs := randomRecords(rand.New(rand.NewSource(6)), 200)
	for _, codec := range []flowfile.Codec{flowfile.CodecNone, flowfile.CodecZstd, flowfile.CodecS2} {
		var buf bytes.Buffer
		w, _ := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: codec})
		w.SetBlockRecords(70)
		w.WriteBlock(recs)
		w.Close()
		b := buf.Bytes()
		f.Add(b)
		damaged := bytes.Clone(b)
		damaged[len(b)/2] ^= 0x08
		f.Add(damaged)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r1, err := flowfile.NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		defer r1.Close()
		r2, _ := flowfile.NewReader(bytes.NewReader(data))
		defer r2.Close()
		var got []flowfile.Record
		visit := func(rec *flowfile.Record) { got = append(got, *rec) }
		for range len(data) + 2 {
			got = got[:0]
			_, err1 := r1.VisitBlock(nil, visit)
			want, err2 := r2.NextBlock()
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("VisitBlock: %v, NextBlock: %v", err1, err2)
			}
			if errors.Is(err1, io.EOF) {
				return
			}
			if err1 != nil {
				continue
			}
			if len(got) != len(want) {
				t.Fatalf("visited %d records, NextBlock returned %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("record %d differs", i)
				}
			}
		}
		t.Fatal("reader did not end")
	})
}

// FuzzSelectBlock feeds arbitrary bytes to SelectBlock and passes what it
// selects on with WriteSelected: reading the result back must give
// exactly the records of the intact blocks that the test accepts, as
// NextBlock returns them from the input.
func FuzzSelectBlock(f *testing.F) {
	recs := randomRecords(rand.New(rand.NewSource(7)), 200)
	for _, codec := range []flowfile.Codec{flowfile.CodecNone, flowfile.CodecZstd, flowfile.CodecS2} {
		f.Add(encodeStream(f, recs, codec, 70))
	}
	test := func(r *flowfile.Record) bool { return r.DPort%3 != 0 && r.Proto != 17 }
	f.Fuzz(func(t *testing.T, data []byte) {
		sel, err := flowfile.NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		defer sel.Close()
		all, _ := flowfile.NewReader(bytes.NewReader(data))
		defer all.Close()
		var out bytes.Buffer
		w, err := flowfile.NewWriter(&out, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2})
		if err != nil {
			t.Fatal(err)
		}
		var want []flowfile.Record
		for range len(data) + 2 {
			bits, n, err1 := sel.SelectBlock(nil, flowfile.FieldClass|flowfile.FieldPorts, test)
			blk, err2 := all.NextBlock()
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("SelectBlock: %v, NextBlock: %v", err1, err2)
			}
			if errors.Is(err1, io.EOF) {
				break
			}
			if err1 != nil {
				continue
			}
			for i := range blk {
				if test(&blk[i]) {
					want = append(want, blk[i])
				}
			}
			if err := w.WriteSelected(sel.RawBlock(), bits, n); err != nil {
				t.Fatalf("WriteSelected: %v", err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		sameSel(t, "read back", readAllNext(t, out.Bytes(), flowfile.AllFields), want)
	})
}
