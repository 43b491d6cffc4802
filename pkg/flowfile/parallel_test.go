package flowfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

func TestParallelReaderMatchesReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	offs := writeBlocks(t, path, 12, 500)
	data, _ := os.ReadFile(path)
	data[offs[5]+100] ^= 0xFF // a corrupt block in the middle
	os.WriteFile(path, data, 0o644)
	want, wantBad := readBlocks(t, path)

	for _, workers := range []int{1, 2, 5} {
		r, err := flowfile.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		pr := flowfile.NewParallelReader(r, workers)
		var got [][]flowfile.Record
		var bad []*flowfile.BlockError
		for {
			blk, err := pr.NextBlock()
			var be *flowfile.BlockError
			if errors.Is(err, io.EOF) {
				break
			} else if errors.As(err, &be) {
				bad = append(bad, be)
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			if pr.Summary().Records != len(blk) {
				t.Errorf("summary says %d records, block has %d", pr.Summary().Records, len(blk))
			}
			got = append(got, append([]flowfile.Record(nil), blk...))
		}
		pr.Close()
		r.Close()
		if len(got) != len(want) || len(bad) != len(wantBad) || bad[0].Offset != wantBad[0].Offset {
			t.Fatalf("%d workers: %d blocks, %d errors; the Reader read %d blocks, %d errors",
				workers, len(got), len(bad), len(want), len(wantBad))
		}
		for i := range want {
			for j := range want[i] {
				if got[i][j] != want[i][j] {
					t.Fatalf("%d workers: block %d record %d differs", workers, i, j)
				}
			}
		}
	}
}

// TestBlockFilter checks that rejected blocks are skipped before their
// payload is even checked: a damaged block the filter rejects goes
// unnoticed, one it keeps is reported.
func TestBlockFilter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	offs := writeBlocks(t, path, 6, 300)
	data, _ := os.ReadFile(path)
	data[offs[1]+200] ^= 0x01
	os.WriteFile(path, data, 0o644)

	var kept []int
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.SetBlockFilter(func(s *flowfile.BlockSummary) bool {
		if s.Records != 300 || !s.HasType(flowfile.TypeInWeb) || s.HasType(flowfile.TypeOut) || s.MinSensor != 3 || s.MaxSensor != 3 {
			t.Errorf("summary of block %d: %+v", s.Index, s)
		}
		return s.Index%2 == 0 // blocks 0, 2, 4
	})
	for {
		blk, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("block filtered out still read: %v", err)
		}
		kept = append(kept, r.Summary().Index)
		checkBlock(t, blk, r.Summary().Index, 300)
	}
	if len(kept) != 3 || kept[0] != 0 || kept[1] != 2 || kept[2] != 4 {
		t.Errorf("kept blocks %v, want [0 2 4]", kept)
	}
}

func TestBlockSummary(t *testing.T) {
	recs := blockRecords(0, 2000)
	recs[7].Proto = 132 // SCTP
	path := filepath.Join(t.TempDir(), "s")
	w, _ := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2})
	w.WriteBlock(recs)
	w.Close()
	r, _ := flowfile.Open(path)
	defer r.Close()
	if _, err := r.NextBlock(); err != nil {
		t.Fatal(err)
	}
	s := r.Summary()
	minS, maxS, maxE := recs[0].STime, recs[0].STime, recs[0].ETime
	v6 := false
	for _, rec := range recs {
		minS, maxS, maxE = min(minS, rec.STime), max(maxS, rec.STime), max(maxE, rec.ETime)
		v6 = v6 || rec.IsIPv6()
		if !s.HasProto(rec.Proto) {
			t.Errorf("summary lacks protocol %d", rec.Proto)
		}
	}
	if s.MinSTime != minS || s.MaxSTime != maxS || s.MaxETime != maxE || s.HasIPv6 != v6 || !s.HasIPv4 {
		t.Errorf("summary %+v; want sTime %d..%d, eTime %d, IPv6 %v", s, minS, maxS, maxE, v6)
	}
	if s.HasProto(2) || s.HasProto(255) {
		t.Error("summary has protocols no record has")
	}
	if !s.Overlaps(maxS, maxS+1) || s.Overlaps(maxS+1, maxS+100) || s.Overlaps(minS-100, minS-1) {
		t.Error("Overlaps is wrong at the edges")
	}
}

func TestProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	offs := writeBlocks(t, path, 10, 5000) // blocks longer than a run
	data, _ := os.ReadFile(path)
	data[offs[4]+100] ^= 0xFF
	os.WriteFile(path, data, 0o644)
	want, _ := readBlocks(t, path)
	var wantN int
	var wantBytes uint64
	for _, b := range want {
		for _, r := range b {
			wantN++
			wantBytes += r.Bytes
		}
	}
	for _, workers := range []int{1, 3} {
		r, err := flowfile.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		counts := make([]int, workers)
		sums := make([]uint64, workers)
		var bad []*flowfile.BlockError
		err = flowfile.Process(r, workers, func(w int, run []flowfile.Record) error {
			if len(run) > flowfile.RunRecords {
				t.Errorf("run of %d records", len(run))
			}
			counts[w] += len(run)
			for i := range run {
				sums[w] += run[i].Bytes
			}
			return nil
		}, func(be *flowfile.BlockError) { bad = append(bad, be) })
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		n, sum := 0, uint64(0)
		for w := range workers {
			n, sum = n+counts[w], sum+sums[w]
		}
		if n != wantN || sum != wantBytes {
			t.Errorf("%d workers: %d records, %d bytes; Reader read %d, %d", workers, n, sum, wantN, wantBytes)
		}
		if len(bad) != 1 || bad[0].Offset != offs[4] {
			t.Errorf("%d workers: bad blocks %v, want the one at %d", workers, bad, offs[4])
		}
	}
	// An error from fn stops the processing and is returned.
	r, _ := flowfile.Open(path)
	defer r.Close()
	stop := errors.New("enough")
	if err := flowfile.Process(r, 2, func(int, []flowfile.Record) error { return stop }, nil); err != stop {
		t.Errorf("Process returned %v, want fn's error", err)
	}
}

func TestRunsAndBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	writeBlocks(t, path, 2, 5000)
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	run, err := r.NextRun()
	if err != nil || len(run) != flowfile.RunRecords {
		t.Fatalf("first run: %d records, %v", len(run), err)
	}
	first := run[0]
	rest, err := r.NextBlock() // the rest of block 0
	if err != nil || len(rest) != 5000-flowfile.RunRecords || r.Summary().Index != 0 {
		t.Fatalf("rest of block 0: %d records, %v, block %d", len(rest), err, r.Summary().Index)
	}
	whole := append([]flowfile.Record{first}, rest...)
	if want := blockRecords(0, 5000); whole[0] != want[0] || whole[1] != want[flowfile.RunRecords] {
		t.Error("runs and the rest of the block do not join up")
	}
	blk, err := r.NextBlock()
	if err != nil || len(blk) != 5000 || r.Summary().Index != 1 {
		t.Fatalf("block 1: %d records, %v", len(blk), err)
	}
	checkBlock(t, blk, 1, 5000)
}
