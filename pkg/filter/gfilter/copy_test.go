package gfilter

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/filter"
	"github.com/gflow/gflow/pkg/flowfile"
)

// Blocks copied as they are stored, blocks encoded by the lanes and
// records encoded by the writer all make the same output: for every
// switch set, the pass, fail and all destinations hold exactly the
// records Filter.Match sorts there, in input order, and the statistics
// count them.
func TestCopiedAndLaneEncodedBlocks(t *testing.T) {
	dir := t.TempDir()
	recs := make([]flowfile.Record, 150000)
	flowgen.New(3, flowgen.Options{}).Fill(recs)
	file := filepath.Join(dir, "flows.gf")
	writeStream(t, file, recs, 50000)
	lo, hi := recs[0].STime, recs[0].STime
	for i := range recs {
		lo, hi = min(lo, recs[i].STime), max(hi, recs[i].STime)
	}
	stamp := func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006/01/02:15:04:05") }
	wide := stamp(lo) + "-" + stamp(hi+1000)
	part := stamp(lo) + "-" + stamp(lo+(hi-lo)/2)

	cases := []struct {
		args   [][2]string
		extra  []string
		limit  int
		copied bool // every output block is an input block copied as stored (zstd)
	}{
		{args: [][2]string{{"protocol", "0-255"}}, copied: true},
		{args: [][2]string{{"protocol", "0-255"}}, extra: []string{"--print-volume-statistics=stderr"}, copied: true},
		{args: [][2]string{{"protocol", "0-255"}, {"stime", wide}}, copied: true},
		{args: [][2]string{{"sport", "0-65535"}}, copied: true},
		{args: [][2]string{{"protocol", "6"}}},
		{args: [][2]string{{"protocol", "6"}, {"dport", "443"}}, extra: []string{"--print-volume-statistics=stderr"}},
		{args: [][2]string{{"stime", part}}},
		// tests on each group of fields, which the reader builds before the
		// test (the rest only for the records kept)
		{args: [][2]string{{"bytes", "1000-50000"}, {"scidr", "0.0.0.0/1"}}},
		{args: [][2]string{{"ip-version", "6"}}, extra: []string{"--print-volume-statistics=stderr"}},
		{args: [][2]string{{"flags-all", "S/SA"}, {"not-dcidr", "128.0.0.0/1"}}},
		{args: [][2]string{{"duration", "0-5"}, {"aport", "0-1023"}}},
		{args: [][2]string{{"scc", "us,de"}, {"application", "0"}}},
		{args: [][2]string{{"protocol", "0-255"}}, extra: []string{"--max-pass-records=70000"}, limit: 70000},
		{args: [][2]string{{"protocol", "6"}}, extra: []string{"--max-pass-records=30000"}, limit: 30000},
	}
	for i, c := range cases {
		name := fmt.Sprint(c.args, c.extra)
		f, err := filter.Compile(c.args...)
		if err != nil {
			t.Fatal(err)
		}
		var pass, fail []flowfile.Record
		var passPkts uint64
		for j := range recs {
			if f.Match(&recs[j]) {
				pass = append(pass, recs[j])
				passPkts += recs[j].Packets
			} else {
				fail = append(fail, recs[j])
			}
		}
		if c.limit > 0 {
			pass = pass[:min(c.limit, len(pass))]
		}
		for _, threads := range []string{"1", "2"} {
			sub := filepath.Join(dir, fmt.Sprintf("%d-%s", i, threads))
			os.Mkdir(sub, 0o755)
			p, fl, a := filepath.Join(sub, "pass"), filepath.Join(sub, "fail"), filepath.Join(sub, "all")
			args := []string{"--threads=" + threads, "--pass=" + p, "--all=" + a, file}
			if c.limit == 0 {
				args = append(args, "--fail="+fl)
			}
			for _, kv := range c.args {
				args = append(args, "--"+kv[0]+"="+kv[1])
			}
			_, errs, status := gf(t, append(args, c.extra...)...)
			if status != 0 {
				t.Fatalf("%s: status %d: %s", name, status, errs)
			}
			check := func(path string, want []flowfile.Record) {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				got := readStream(t, b)
				if len(got) != len(want) {
					t.Fatalf("%s threads %s %s: %d records, want %d", name, threads, filepath.Base(path), len(got), len(want))
				}
				for j := range want {
					if got[j] != want[j] {
						t.Fatalf("%s threads %s %s: record %d differs", name, threads, filepath.Base(path), j)
					}
				}
			}
			check(p, pass)
			check(a, recs)
			if c.limit == 0 {
				check(fl, fail)
			}
			if c.copied {
				if codecs := blockCodecs(t, p); !slices.Equal(codecs, []flowfile.Codec{flowfile.CodecZstd, flowfile.CodecZstd, flowfile.CodecZstd}) {
					t.Errorf("%s threads %s: pass blocks of codecs %v, want the three input blocks copied", name, threads, codecs)
				}
			}
			if len(c.extra) > 0 && strings.HasPrefix(c.extra[0], "--print-volume") {
				want := fmt.Sprintf("%18d|%18d|", len(pass), passPkts)
				if !strings.Contains(errs, want) {
					t.Errorf("%s threads %s: volume statistics %q lack %q", name, threads, errs, want)
				}
			}
		}
	}
}

// blockCodecs lists the codec of each block of the stream at path.
func blockCodecs(t *testing.T, path string) []flowfile.Codec {
	t.Helper()
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var codecs []flowfile.Codec
	for {
		recs, raw, err := r.NextBlockOrRaw(func(*flowfile.BlockSummary) bool { return true })
		if err != nil {
			return codecs
		}
		if len(recs) > 0 || raw == nil {
			t.Fatal("NextBlockOrRaw decoded a block")
		}
		codecs = append(codecs, r.Summary().Codec)
	}
}
