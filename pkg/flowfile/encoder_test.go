package flowfile_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Blocks encoded apart by BlockEncoders and copied in by WriteRaw read
// back as the records that went in, in order, between records the
// Writer encoded itself.
func TestBlockEncoder(t *testing.T) {
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2})
	if err != nil {
		t.Fatal(err)
	}
	var want [][]flowfile.Record
	for i, codec := range []flowfile.Codec{flowfile.CodecS2, flowfile.CodecZstd, flowfile.CodecNone} {
		e := flowfile.NewBlockEncoder(codec)
		recs := blockRecords(i, 500+i)
		blk, err := e.AppendBlock(nil, recs)
		if err != nil {
			t.Fatal(err)
		}
		e.Close()
		if err := w.WriteRaw(blk); err != nil {
			t.Fatalf("codec %v: %v", codec, err)
		}
		want = append(want, recs)
		own := blockRecords(10+i, 20)
		if err := w.WriteBlock(own); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		want = append(want, own)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := flowfile.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, recs := range want {
		got, err := r.NextBlock()
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		if len(got) != len(recs) {
			t.Fatalf("block %d: %d records, want %d", i, len(got), len(recs))
		}
		for j := range recs {
			if got[j] != recs[j] {
				t.Fatalf("block %d record %d: got %+v, want %+v", i, j, got[j], recs[j])
			}
		}
	}
	if _, err := r.NextBlock(); err == nil {
		t.Error("records after the last block")
	}
	e := flowfile.NewBlockEncoder(flowfile.CodecS2)
	defer e.Close()
	if _, err := e.AppendBlock(nil, nil); err == nil {
		t.Error("an empty block was encoded")
	}
}

// NextBlockOrRaw hands over the stored bytes of the blocks the caller
// accepts, without decoding them, and the records of the others.
func TestNextBlockOrRaw(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "iw-S3_20151009.00")
	writeBlocks(t, src, 4, 300)
	r, err := flowfile.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dst := filepath.Join(dir, "stream.gf")
	w, err := flowfile.Create(dst, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2})
	if err != nil {
		t.Fatal(err)
	}
	odd := func(s *flowfile.BlockSummary) bool { return s.Index%2 == 1 }
	for i := range 4 {
		recs, raw, err := r.NextBlockOrRaw(odd)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if len(recs) != 0 || raw == nil {
				t.Fatalf("block %d: %d records and %d raw bytes, want the raw block", i, len(recs), len(raw))
			}
			if r.Summary().Index != i || r.Summary().Records != 300 {
				t.Fatalf("block %d: summary %+v", i, r.Summary())
			}
			err = w.WriteRaw(raw)
		} else {
			if raw != nil {
				t.Fatalf("block %d: raw bytes for a block to decode", i)
			}
			checkBlock(t, recs, i, 300)
			err = w.WriteBlock(recs)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := r.NextBlockOrRaw(odd); err == nil {
		t.Error("a fifth block")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	blocks, errs := readBlocks(t, dst)
	if len(errs) != 0 || len(blocks) != 4 {
		t.Fatalf("%d blocks, errors %v", len(blocks), errs)
	}
	for i := range blocks {
		checkBlock(t, blocks[i], i, 300)
	}
}

// VisitBlock shows each record of a block, in order, as NextBlock returns
// them, and hands over the blocks raw accepts undecoded.
func TestVisitBlock(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "iw-S3_20151009.00")
	writeBlocks(t, src, 4, 300)
	r, err := flowfile.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []flowfile.Record
	visit := func(rec *flowfile.Record) { got = append(got, *rec) }
	third := func(s *flowfile.BlockSummary) bool { return s.Index == 2 }
	for i := range 4 {
		got = got[:0]
		raw, err := r.VisitBlock(third, visit)
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if raw == nil || len(got) != 0 {
				t.Fatalf("block 2: %d raw bytes, %d records visited; want the raw block", len(raw), len(got))
			}
			continue
		}
		if raw != nil {
			t.Fatalf("block %d: raw bytes for a block to visit", i)
		}
		checkBlock(t, got, i, 300)
	}
	if _, err := r.VisitBlock(nil, visit); err == nil {
		t.Error("a fifth block")
	}
}

// VisitBlockWhere shows test the fields it asks for and visit the whole
// records test accepts, the same records as a filter over NextBlock.
func TestVisitBlockWhere(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "iw-S3_20151009.00")
	writeBlocks(t, src, 3, 400)
	all, _ := readBlocks(t, src)
	for _, c := range []struct {
		need flowfile.Fields
		keep func(*flowfile.Record) bool
	}{
		{flowfile.FieldPorts, func(r *flowfile.Record) bool { return r.DPort%3 == 0 }},
		{flowfile.FieldClass | flowfile.FieldTimes, func(r *flowfile.Record) bool { return r.Proto == 6 && r.STime%2 == 0 }},
		{flowfile.FieldEndpoints | flowfile.FieldCounts, func(r *flowfile.Record) bool { return r.SIP.Is4() && r.Bytes > 1000 }},
	} {
		r, err := flowfile.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []flowfile.Record
		for _, blk := range all {
			for _, rec := range blk {
				if c.keep(&rec) {
					want = append(want, rec)
				}
			}
		}
		for {
			_, err := r.VisitBlockWhere(nil, c.need, c.keep, func(rec *flowfile.Record) { got = append(got, *rec) })
			if err != nil {
				break
			}
		}
		r.Close()
		if len(want) == 0 || len(got) != len(want) {
			t.Fatalf("fields %b: %d records visited, want %d", c.need, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("fields %b: record %d differs", c.need, i)
			}
		}
	}
}
