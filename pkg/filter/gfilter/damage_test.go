package gfilter

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/flowfile"
)

// damagedFile writes an hourly-like file of nblocks blocks of per records
// and zeroes n bytes from offset at: a damaged disk region.
func damagedFile(t *testing.T, path string, nblocks, per int, at int64, n int) []int64 {
	t.Helper()
	recs := make([]flowfile.Record, per)
	gen := flowgen.New(11, flowgen.Options{Hosts: 300})
	w, err := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for i := range nblocks {
		offs = append(offs, w.Offset())
		gen.Fill(recs)
		for j := range recs {
			recs[j].Application = uint16(i) // tells the blocks apart
		}
		if err := w.WriteBlock(recs); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	offs = append(offs, w.Offset())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		data, _ := os.ReadFile(path)
		clear(data[at : at+int64(n)])
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return offs
}

// plainRead returns the records one Reader reads from path, block errors
// skipped: what every tool must agree on.
func plainRead(t *testing.T, path string) []flowfile.Record {
	t.Helper()
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var recs []flowfile.Record
	for {
		blk, err := r.NextBlock()
		var be *flowfile.BlockError
		switch {
		case errors.Is(err, io.EOF):
			return recs
		case errors.As(err, &be):
			continue
		case err != nil:
			t.Fatal(err)
		}
		recs = append(recs, blk...)
	}
}

// gcutLines runs gcut on path and returns its record lines.
func gcutLines(t *testing.T, path string) int {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	if st := cli.Run(cut.NewCommand(std), []string{"--fields=sip,dip,sport,dport,application", "--no-titles", path}, std); st != 0 {
		t.Fatalf("gcut: status %d: %s", st, errb.String())
	}
	return bytes.Count(out.Bytes(), []byte("\n"))
}

// TestLanesAfterAdjacentDamagedBlocks damages regions that span the
// boundary of two blocks: every lane must agree on which blocks are
// intact, so gfilter at 1, 2 and 4 threads passes exactly the records gcut
// prints, each once, in file order.
func TestLanesAfterAdjacentDamagedBlocks(t *testing.T) {
	dir := t.TempDir()
	const nblocks, per = 24, 400
	probe := filepath.Join(dir, "probe.gf")
	offs := damagedFile(t, probe, nblocks, per, 0, 0)
	blockLen := offs[1] - offs[0]
	cases := []struct {
		name string
		at   int64
		n    int
	}{
		{"end of 10, start of 11", offs[11] - 200, 400},
		{"all of 10's tail and 11's header", offs[11] - blockLen/2, int(blockLen/2) + 100},
		{"three blocks", offs[9] + 50, int(offs[12]-offs[9]) - 20},
		{"header of 10 to header of 11", offs[10] + 2, int(offs[11]-offs[10]) + 10},
		{"end of 10 to end of 12", offs[11] - 10, int(offs[13]-offs[11]) - 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".gf")
			damagedFile(t, path, nblocks, per, c.at, c.n)
			want := plainRead(t, path)
			if len(want) == 0 || len(want) >= nblocks*per {
				t.Fatalf("plain reader read %d records of %d: the damage did not take", len(want), nblocks*per)
			}
			if n := gcutLines(t, path); n != len(want) {
				t.Fatalf("gcut printed %d records, the reader read %d", n, len(want))
			}
			var warn1 string
			for _, threads := range []int{1, 2, 4} {
				out, errs, st := gf(t, "--proto=0-255", fmt.Sprintf("--threads=%d", threads), "--pass=stdout", path)
				if st != 0 {
					t.Fatalf("%d threads: status %d: %s", threads, st, errs)
				}
				got := readStream(t, out)
				if len(got) != len(want) {
					t.Fatalf("%d threads: %d records passed, gcut prints %d", threads, len(got), len(want))
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%d threads: record %d (block %d) differs from gcut's", threads, i, got[i].Application)
					}
				}
				if !strings.Contains(errs, "gfilter: warning: ") {
					t.Errorf("%d threads: no warning for the damage: %q", threads, errs)
				}
				if threads == 1 {
					warn1 = errs
				} else if errs != warn1 {
					t.Errorf("%d threads warn %q, one thread %q", threads, errs, warn1)
				}
			}
		})
	}
}
