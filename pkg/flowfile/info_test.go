package flowfile_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// readTruth reads a file with the Reader and returns what ScanInfo should
// find: intact blocks, records, the time span, and the corrupt blocks.
func readTruth(t *testing.T, data []byte) (blocks int, records int64, minS, maxE int64, bad []*flowfile.BlockError) {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	minS, maxE = math.MaxInt64, math.MinInt64
	last := -1
	for {
		recs, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			return
		}
		var be *flowfile.BlockError
		var te *flowfile.TruncatedError
		if errors.As(err, &te) {
			continue // the torn tail: Info.Tail, not a corrupt block
		}
		if errors.As(err, &be) {
			bad = append(bad, be)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if s := r.Summary(); s.Index != last {
			blocks++
			last = s.Index
		}
		for i := range recs {
			records++
			minS = min(minS, recs[i].STime)
			maxE = max(maxE, recs[i].ETime)
		}
	}
}

// unseekable hides a reader's Seek: a pipe.
type unseekable struct{ io.Reader }

func scanBoth(t *testing.T, path string) (file, stream *flowfile.Info) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	if file, err = flowfile.ScanInfo(f, fi.Size(), path, nil); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if stream, err = flowfile.ScanInfo(unseekable{bytes.NewReader(data)}, -1, path, nil); err != nil {
		t.Fatal(err)
	}
	return file, stream
}

// ScanInfo, which reads block headers only, finds what reading every
// record finds: the blocks, the records, the time span, the size; a torn
// tail and a damaged block header with its offset; in a file it seeks
// over payloads, on a stream it reads them.
func TestScanInfoAgreesWithTheReader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "iw-S3_20151009.00")
	offs := writeBlocks(t, path, 6, 3000)
	data, _ := os.ReadFile(path)

	check := func(what string, data []byte, wantTail int64) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		blocks, records, minS, maxE, bad := readTruth(t, data)
		file, stream := scanBoth(t, path)
		for _, info := range []*flowfile.Info{file, stream} {
			if info.Blocks != blocks || info.Records != records || info.Stored != records {
				t.Errorf("%s: scan found %d blocks, %d records (%d stored); the reader %d and %d", what, info.Blocks, info.Records, info.Stored, blocks, records)
			}
			if info.MinSTime != minS || info.MaxETime != maxE {
				t.Errorf("%s: scan time span %d-%d, records span %d-%d", what, info.MinSTime, info.MaxETime, minS, maxE)
			}
			if info.Size != int64(len(data)) || info.Tail != wantTail {
				t.Errorf("%s: size %d tail %d, want %d and %d", what, info.Size, info.Tail, len(data), wantTail)
			}
			if len(info.Corrupt) != len(bad) {
				t.Fatalf("%s: scan found %d corrupt blocks, the reader %d", what, len(info.Corrupt), len(bad))
			}
			for i := range bad {
				if info.Corrupt[i].Offset != bad[i].Offset || info.Corrupt[i].Block != bad[i].Block {
					t.Errorf("%s: corrupt block %d at %d, the reader says %d at %d", what, info.Corrupt[i].Block, info.Corrupt[i].Offset, bad[i].Block, bad[i].Offset)
				}
			}
			if h := info.Header; h.Sensor != "S3" || h.Type != flowfile.TypeInWeb || h.Writer != "gflowcap test" || info.HeaderLen != int(offs[0]) {
				t.Errorf("%s: header %+v, length %d", what, h, info.HeaderLen)
			}
		}
	}
	check("intact", data, 0)
	torn := append(bytes.Clone(data), data[offs[1]:offs[1]+500]...)
	check("torn tail", torn, 500)
	damaged := bytes.Clone(data)
	damaged[offs[3]+30]++ // inside block 3's header: its CRC no longer matches
	check("damaged block header", damaged, 0)
	two := bytes.Clone(damaged)
	two[offs[5]+10]++
	check("two damaged headers, the last one last", two, 0)
}

// A stream of selected blocks (gfilter into a pipe) counts the records
// the selections give, not the ones stored.
func TestScanInfoCountsSelections(t *testing.T) {
	recs := blockRecords(1, 5000)
	data := encodeStream(t, recs, flowfile.CodecS2, 2000)
	sel := selectStream(t, data, flowfile.FieldPorts, func(r *flowfile.Record) bool { return r.DPort%3 == 0 })
	var want int64
	for i := range recs {
		if recs[i].DPort%3 == 0 {
			want++
		}
	}
	info, err := flowfile.ScanInfo(bytes.NewReader(sel), int64(len(sel)), "stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != want || info.Stored != 5000 || info.Blocks != 3 {
		t.Fatalf("selected stream: %d records of %d stored in %d blocks, want %d of 5000 in 3", info.Records, info.Stored, info.Blocks, want)
	}
}

func TestScanInfoRefusesOtherFiles(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("GF"), []byte("not a flow file at all, but long enough")} {
		if _, err := flowfile.ScanInfo(bytes.NewReader(data), int64(len(data)), "x", nil); err == nil {
			t.Errorf("%q: no error", data)
		}
	}
}

// No input makes ScanInfo panic or loop, and what it calls intact the
// Reader reads too.
func FuzzScanInfo(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed")
	w, err := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecNone})
	if err != nil {
		f.Fatal(err)
	}
	for i := range 3 {
		w.WriteBlock(blockRecords(i, 50))
		w.Flush()
	}
	w.Close()
	seed, _ := os.ReadFile(path)
	f.Add(seed)
	f.Add(seed[:len(seed)-7])
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := flowfile.ScanInfo(bytes.NewReader(data), int64(len(data)), "fuzz", nil)
		if err != nil {
			return
		}
		if info.Size != int64(len(data)) || info.Tail < 0 || info.Tail > info.Size || info.Records > info.Stored {
			t.Fatalf("inconsistent info %+v for %d bytes", info, len(data))
		}
		stream, err := flowfile.ScanInfo(unseekable{bytes.NewReader(data)}, -1, "fuzz", nil)
		if err != nil || stream.Blocks != info.Blocks || stream.Records != info.Records || len(stream.Corrupt) != len(info.Corrupt) {
			t.Fatalf("stream and file scans differ: %+v %v / %+v", stream, err, info)
		}
	})
}
