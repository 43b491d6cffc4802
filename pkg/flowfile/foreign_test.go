package flowfile_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// toyMagic opens the files of a made-up foreign format: after the magic,
// blocks of a big-endian uint32 record count n and n uint64 byte counts.
// A count of badCount marks a corrupt block (no records follow).
const (
	toyMagic = "TOY!"
	badCount = 0xFFFFFFFF
)

func init() {
	flowfile.RegisterFormat(flowfile.Format{Name: "toy", Magic: toyMagic, Open: openToy})
}

type toySource struct {
	src   io.Reader
	off   int64
	index int
}

func openToy(src io.Reader) (flowfile.Source, error) {
	magic := make([]byte, len(toyMagic))
	if _, err := io.ReadFull(src, magic); err != nil {
		return nil, err
	}
	return &toySource{src: src, off: int64(len(magic))}, nil
}

func (t *toySource) NextBlock(dst []flowfile.Record, fields flowfile.Fields, sum *flowfile.BlockSummary, keep func(*flowfile.BlockSummary) bool) ([]flowfile.Record, error) {
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(t.src, hdr[:]); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			return nil, err
		}
		start, idx := t.off, t.index
		t.off += 4
		t.index++
		n := binary.BigEndian.Uint32(hdr[:])
		if n == badCount {
			return nil, &flowfile.BlockError{Offset: start, Block: idx, Err: errors.New("bad count")}
		}
		body := make([]byte, 8*n)
		if _, err := io.ReadFull(t.src, body); err != nil {
			return nil, err
		}
		t.off += int64(len(body))
		sum.Index, sum.Offset, sum.Records, sum.Stored = idx, start, int(n), int(n)
		if keep != nil && !keep(sum) {
			continue
		}
		dst = dst[:0]
		for i := range int(n) {
			dst = append(dst, flowfile.Record{Bytes: binary.BigEndian.Uint64(body[8*i:]), Packets: 1})
		}
		return dst, nil
	}
}

func (t *toySource) Close() error { return nil }

// toyFile returns a toy file with the given blocks of byte counts; a nil
// block is a corrupt one.
func toyFile(blocks ...[]uint64) []byte {
	b := []byte(toyMagic)
	for _, blk := range blocks {
		if blk == nil {
			b = binary.BigEndian.AppendUint32(b, badCount)
			continue
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(blk)))
		for _, v := range blk {
			b = binary.BigEndian.AppendUint64(b, v)
		}
	}
	return b
}

func seq(from, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(from + i)
	}
	return out
}

func TestForeignReadRecordByRecordAndByBlock(t *testing.T) {
	big := seq(100, flowfile.RunRecords+10) // more than one run
	data := toyFile(seq(1, 3), nil, big, seq(7, 2))
	want := append(append(seq(1, 3), big...), seq(7, 2)...)

	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	r.SetName("toy.bin")
	if r.FormatName() != "toy" || r.Foreign() == nil {
		t.Fatalf("FormatName %q, Foreign %v: not recognised by its magic", r.FormatName(), r.Foreign())
	}
	var got []uint64
	var bad []*flowfile.BlockError
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var be *flowfile.BlockError
		if errors.As(err, &be) {
			bad = append(bad, be)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.Bytes)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Next read %d records, want %d in order", len(got), len(want))
	}
	if len(bad) != 1 || bad[0].File != "toy.bin" || bad[0].Block != 1 || bad[0].Offset != 4+4+24 {
		t.Errorf("corrupt block reported as %v, want block 1 of toy.bin at offset 32", bad)
	}

	// NextBlock returns whole blocks and their summaries
	r, _ = flowfile.NewReader(bytes.NewReader(data))
	var sizes []int
	for {
		blk, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			continue
		}
		if r.Summary().Records != len(blk) {
			t.Errorf("block %d: summary says %d records, got %d", r.Summary().Index, r.Summary().Records, len(blk))
		}
		sizes = append(sizes, len(blk))
	}
	if !slices.Equal(sizes, []int{3, len(big), 2}) {
		t.Errorf("NextBlock sizes %v", sizes)
	}
	if r.RawBlock() != nil {
		t.Error("a foreign block has no stored gflow bytes, but RawBlock returned some")
	}
}

func TestForeignBlockFilterSkipsBlocks(t *testing.T) {
	data := toyFile(seq(1, 3), seq(10, 4), seq(20, 5))
	r, _ := flowfile.NewReader(bytes.NewReader(data))
	r.SetBlockFilter(func(s *flowfile.BlockSummary) bool {
		// a summary of a foreign block promises nothing: every test keeps it
		if !s.HasProto(6) || !s.HasIPv6 || !s.Overlaps(0, 1) {
			t.Errorf("block %d: the summary rules out records the block may hold", s.Index)
		}
		return s.Index != 1
	})
	var got []uint64
	for {
		blk, err := r.NextBlock()
		if err != nil {
			break
		}
		for _, rec := range blk {
			got = append(got, rec.Bytes)
		}
	}
	if want := append(seq(1, 3), seq(20, 5)...); !slices.Equal(got, want) {
		t.Errorf("with block 1 filtered out got %v, want %v", got, want)
	}
}

func TestForeignVisitSelectAndParallel(t *testing.T) {
	data := toyFile(seq(1, 10), nil, seq(11, 10))
	r, _ := flowfile.NewReader(bytes.NewReader(data))
	var visited []uint64
	for {
		raw, err := r.VisitBlockWhere(func(*flowfile.BlockSummary) bool {
			t.Error("raw asked about a foreign block")
			return true
		}, flowfile.FieldBytes, func(rec *flowfile.Record) bool { return rec.Bytes%2 == 0 },
			func(rec *flowfile.Record) { visited = append(visited, rec.Bytes) })
		if errors.Is(err, io.EOF) {
			break
		}
		if raw != nil {
			t.Error("VisitBlockWhere returned raw bytes of a foreign file")
		}
	}
	if want := []uint64{2, 4, 6, 8, 10, 12, 14, 16, 18, 20}; !slices.Equal(visited, want) {
		t.Errorf("visited %v, want %v", visited, want)
	}

	r, _ = flowfile.NewReader(bytes.NewReader(data))
	if _, _, err := r.SelectBlock(nil, flowfile.FieldBytes, func(*flowfile.Record) bool { return true }); !errors.Is(err, flowfile.ErrForeignBlocks) {
		t.Errorf("SelectBlock on a foreign file: err %v, want ErrForeignBlocks", err)
	}

	r, _ = flowfile.NewReader(bytes.NewReader(data))
	pr := flowfile.NewParallelReader(r, 2)
	var got []uint64
	bad := 0
	for {
		rec, err := pr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bad++
			continue
		}
		got = append(got, rec.Bytes)
	}
	pr.Close()
	if !slices.Equal(got, seq(1, 20)) || bad != 1 {
		t.Errorf("ParallelReader: got %v and %d bad blocks, want 1..20 and 1", got, bad)
	}
}

func TestForeignProcess(t *testing.T) {
	var blocks [][]uint64
	var total uint64
	for i := range 40 {
		blk := seq(i*1000, 1+i*97%3000)
		for _, v := range blk {
			total += v
		}
		blocks = append(blocks, blk)
		if i == 13 {
			blocks = append(blocks, nil)
		}
	}
	data := toyFile(blocks...)
	for _, workers := range []int{1, 3} {
		r, _ := flowfile.NewReader(bytes.NewReader(data))
		sums := make([]uint64, workers)
		var mu sync.Mutex
		var bad []int
		err := flowfile.Process(r, workers, func(w int, run []flowfile.Record) error {
			if len(run) > flowfile.RunRecords {
				return fmt.Errorf("run of %d records", len(run))
			}
			for i := range run {
				sums[w] += run[i].Bytes
			}
			return nil
		}, func(be *flowfile.BlockError) {
			mu.Lock()
			bad = append(bad, be.Block)
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
		var got uint64
		for _, s := range sums {
			got += s
		}
		if got != total || !slices.Equal(bad, []int{14}) {
			t.Errorf("%d workers: sum %d (want %d), bad blocks %v (want [14])", workers, got, total, bad)
		}
	}

	// an error from fn stops Process and is returned
	r, _ := flowfile.NewReader(bytes.NewReader(data))
	stop := errors.New("enough")
	if err := flowfile.Process(r, 2, func(int, []flowfile.Record) error { return stop }, nil); !errors.Is(err, stop) {
		t.Errorf("Process returned %v, want fn's error", err)
	}
}
