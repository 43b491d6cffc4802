package flowfile_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"slices"
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

// FuzzLanes reads arbitrary bytes as gfilter's lanes do, n readers of one
// input each keeping the blocks whose number is k modulo n (a block
// filter), and checks that together they read exactly the blocks one
// reader reads, under the same numbers, and report the same damage: the
// lanes must agree on where every block starts whatever the damage.
func FuzzLanes(f *testing.F) {
	recs := randomRecords(rand.New(rand.NewSource(8)), 400)
	for _, codec := range []flowfile.Codec{flowfile.CodecNone, flowfile.CodecZstd} {
		b := encodeStream(f, recs, codec, 40)
		f.Add(b, uint8(2))
		// zero a region across the boundary of two blocks, and one
		// spanning three
		for _, span := range [][2]int{{len(b) / 2, 120}, {len(b) / 3, len(b) / 4}} {
			d := bytes.Clone(b)
			clear(d[span[0] : span[0]+span[1]])
			f.Add(d, uint8(3))
		}
		f.Add(b[:len(b)-7], uint8(4))
	}
	type block struct {
		recs []flowfile.Record
		err  string
	}
	read := func(t *testing.T, data []byte, keep func(int) bool) map[int]block {
		r, err := flowfile.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil
		}
		defer r.Close()
		if keep != nil {
			r.SetBlockFilter(func(s *flowfile.BlockSummary) bool { return keep(s.Index) })
		}
		got := map[int]block{}
		for range len(data) + 2 {
			blk, err := r.NextBlock()
			var be *flowfile.BlockError
			switch {
			case errors.Is(err, io.EOF):
				return got
			case errors.As(err, &be):
				if keep == nil || keep(be.Block) {
					got[be.Block] = block{err: be.Error()}
				}
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			default:
				got[r.Summary().Index] = block{recs: slices.Clone(blk)}
			}
		}
		t.Fatal("reader did not end")
		return nil
	}
	f.Fuzz(func(t *testing.T, data []byte, lanes uint8) {
		n := 2 + int(lanes%3)
		want := read(t, data, nil)
		if want == nil {
			return
		}
		got := map[int]block{}
		for k := range n {
			for i, b := range read(t, data, func(i int) bool { return i%n == k }) {
				got[i] = b
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d lanes found %d blocks and errors, one reader %d", n, len(got), len(want))
		}
		for i, w := range want {
			g, ok := got[i]
			if !ok || g.err != w.err || len(g.recs) != len(w.recs) {
				t.Fatalf("block %d: lanes %d records, error %q; one reader %d records, error %q", i, len(g.recs), g.err, len(w.recs), w.err)
			}
			for j := range w.recs {
				if g.recs[j] != w.recs[j] {
					t.Fatalf("block %d record %d differs", i, j)
				}
			}
		}
	})
}
