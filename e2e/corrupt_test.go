package e2e

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/count"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/stats"
)

// Every reading tool treats a corrupt block the same way: one warning line
// on stderr, "TOOL: warning: …", naming the file and the byte offset, every intact block before
// and after it still read, exit status 0 (a warning, so cron keeps the
// map fresh).
func TestReadersSkipACorruptBlockAlike(t *testing.T) {
	const perBlock, blocks = 100, 4
	var recs []flowfile.Record
	for i := range perBlock * blocks {
		recs = append(recs, flowfile.Record{
			SIP: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), DIP: netip.MustParseAddr("192.0.2.1"),
			SPort: uint16(1024 + i), DPort: 443, Proto: 6, Packets: 1, Bytes: 100,
			STime: 1_764_150_000_000 + int64(i)*1000, ETime: 1_764_150_000_500 + int64(i)*1000,
		})
	}
	path := filepath.Join(t.TempDir(), "flows.gf")
	w, err := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
	if err != nil {
		t.Fatal(err)
	}
	w.SetBlockRecords(perBlock)
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Flip a byte inside the second block's payload.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	r.NextBlock()
	r.NextBlock()
	off, end := r.Summary().Offset, r.Offset()
	data[off+(end-off)*3/4] ^= 0xff
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := perBlock * (blocks - 1)
	for _, tc := range []struct {
		tool  string
		cmd   func(cli.IO) *cobra.Command
		args  []string
		count func(out string) int
	}{
		{"gcut", cut.NewCommand, []string{"--fields=sport", "--no-titles"}, func(out string) int {
			return strings.Count(out, "\n")
		}},
		{"gstats", stats.NewCommand, []string{"--fields=proto", "--count=1"}, func(out string) int {
			var n int
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "INPUT: ") {
					fscan(l, "INPUT: %d", &n)
				}
			}
			return n
		}},
		{"gcount", count.NewCommand, []string{"--bin-size=86400", "--no-titles", "--delimited"}, func(out string) int {
			var n float64
			var date string
			fscan(strings.ReplaceAll(strings.TrimSpace(out), "|", " "), "%s %f", &date, &n)
			return int(n)
		}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			var out, errb bytes.Buffer
			std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
			status := cli.Run(tc.cmd(std), append(tc.args, path), std)
			if status != 0 {
				t.Fatalf("status %d, stderr %q", status, errb.String())
			}
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], tc.tool+": warning: ") || !strings.Contains(lines[0], path) {
				t.Errorf("stderr %q: want one warning line naming %s", errb.String(), path)
			}
			if n := tc.count(out.String()); n != want {
				t.Errorf("read %d records, want the %d of the intact blocks\n%s", n, want, out.String())
			}
		})
	}
}

func fscan(s, format string, args ...any) {
	_, _ = fmt.Sscanf(s, format, args...)
}
