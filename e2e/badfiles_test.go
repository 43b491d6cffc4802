package e2e

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/count"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/filter/gfilter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/stats"
)

// writeFlows writes n records starting at hour into a new file with hdr.
func writeFlows(t *testing.T, path string, hdr flowfile.Header, hour time.Time, n int) {
	t.Helper()
	var recs []flowfile.Record
	for i := range n {
		recs = append(recs, flowfile.Record{
			SIP: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), DIP: netip.MustParseAddr("192.0.2.1"),
			SPort: uint16(1024 + i), DPort: 443, Proto: 6, Packets: 1, Bytes: 100,
			STime: hour.UnixMilli() + int64(i)*1000, ETime: hour.UnixMilli() + int64(i)*1000 + 500,
			Type: hdr.Type, Sensor: hdr.SensorID,
		})
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := flowfile.Create(path, hdr)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// badFiles makes, in dir, one of each kind of input a tool cannot read,
// and returns their paths.
func badFiles(t *testing.T, dir string, good []byte) []string {
	t.Helper()
	put := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badCRC := bytes.Clone(good[:200])
	badCRC[12] ^= 1 // the sensor id, under the header's checksum
	bad := []string{
		put("empty.gf", nil),
		put("notes.txt", []byte("these are notes, not flows\n")),
		put("torn.gf", good[:10]),
		put("badcrc.gf", badCRC),
	}
	d := filepath.Join(dir, "adirectory")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	bad = append(bad, d)
	// An unreadable file: permissions keep all but root out; reading
	// /proc/self/mem at offset 0 fails with EIO for root too.
	if os.Geteuid() != 0 {
		bad = append(bad, put("secret.gf", good))
		os.Chmod(filepath.Join(dir, "secret.gf"), 0)
	} else if _, err := os.Stat("/proc/self/mem"); err == nil {
		p := filepath.Join(dir, "eio.gf")
		if err := os.Symlink("/proc/self/mem", p); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, p)
	}
	return bad
}

// A file that cannot be read among several is one warning line naming it,
// and every other file is read, in every reading tool and in a repository
// query, as SiLK's rwfilter does; the exit status stays 0.
func TestReadersGoOnPastABadFile(t *testing.T) {
	dir := t.TempDir()
	hour := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	stream := flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd}
	a, b := filepath.Join(dir, "a.gf"), filepath.Join(dir, "b.gf")
	writeFlows(t, a, stream, hour, 100)
	writeFlows(t, b, stream, hour, 50)
	good, _ := os.ReadFile(a)
	bad := badFiles(t, dir, good)
	args := append([]string{a}, bad...)
	args = append(args, b)
	const want = 150

	for _, tc := range []struct {
		tool  string
		cmd   func(cli.IO) *cobra.Command
		args  []string
		count func(out, errs string) int
	}{
		{"gcut", cut.NewCommand, []string{"--fields=sport", "--no-titles"}, func(out, _ string) int {
			return strings.Count(out, "\n")
		}},
		{"gstats", stats.NewCommand, []string{"--fields=proto", "--count=1"}, func(out, _ string) int {
			var n int
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "INPUT: ") {
					fscan(l, "INPUT: %d", &n)
				}
			}
			return n
		}},
		{"gcount", count.NewCommand, []string{"--bin-size=86400", "--no-titles", "--delimited"}, func(out, _ string) int {
			var n float64
			var date string
			fscan(strings.ReplaceAll(strings.TrimSpace(out), "|", " "), "%s %f", &date, &n)
			return int(n)
		}},
		{"gfilter", gfilter.NewCommand, []string{"--proto=0-255", "--print-stat=stdout"}, func(out, _ string) int {
			var files, read int
			fscan(out, "Files %d.  Read %d.", &files, &read)
			return read
		}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			var out, errb bytes.Buffer
			std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
			status := cli.Run(tc.cmd(std), append(tc.args, args...), std)
			if status != 0 {
				t.Fatalf("status %d, stderr %q", status, errb.String())
			}
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if len(lines) != len(bad) {
				t.Errorf("%d lines on stderr for %d bad files:\n%s", len(lines), len(bad), errb.String())
			}
			for i, p := range bad {
				if i < len(lines) && (!strings.HasPrefix(lines[i], tc.tool+": warning: ") || !strings.Contains(lines[i], p)) {
					t.Errorf("line %d %q: want a warning naming %s", i, lines[i], p)
				}
			}
			if n := tc.count(out.String(), errb.String()); n != want {
				t.Errorf("read %d records, want the %d of the good files\n%s", n, want, out.String())
			}

			// The user's one file, bad: an error, status 1.
			out.Reset()
			errb.Reset()
			if st := cli.Run(tc.cmd(std), append(tc.args, bad[1]), std); st != 1 || !strings.Contains(errb.String(), bad[1]) || strings.Contains(errb.String(), "warning") {
				t.Errorf("one bad file: status %d, stderr %q; want an error naming it", st, errb.String())
			}
		})
	}

	// A repository hour holding a bad file among good ones.
	t.Run("repository", func(t *testing.T) {
		root := filepath.Join(dir, "repo")
		repo := flowfile.Repo{Root: root}
		for i, s := range []string{"S0", "S1", "S2"} {
			hdr := flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd, Type: flowfile.TypeIn,
				SensorID: uint16(i), Sensor: s, Hour: hour}
			writeFlows(t, repo.Path(flowfile.TypeIn, s, hour), hdr, hour, 40)
		}
		broken := repo.Path(flowfile.TypeIn, "S1", hour)
		os.WriteFile(broken, []byte("not flows"), 0o644)
		site := "[[sensors]]\nname = \"S0\"\nid = 0\n[[sensors]]\nname = \"S1\"\nid = 1\n[[sensors]]\nname = \"S2\"\nid = 2\n"
		os.WriteFile(filepath.Join(root, "gflow.toml"), []byte(site), 0o644)
		var out, errb bytes.Buffer
		std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
		status := cli.Run(gfilter.NewCommand(std), []string{"--data-rootdir=" + root, "--start-date=2026/11/26:09",
			"--type=in", "--proto=0-255", "--print-stat=stdout"}, std)
		var files, read int
		fscan(out.String(), "Files %d.  Read %d.", &files, &read)
		if status != 0 || read != 80 || files != 2 {
			t.Errorf("status %d, %d files and %d records read, want 2 and 80; stderr %q", status, files, read, errb.String())
		}
		if lines := strings.Split(strings.TrimSpace(errb.String()), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "gfilter: warning: ") || !strings.Contains(lines[0], broken) {
			t.Errorf("stderr %q: want one warning naming %s", errb.String(), broken)
		}
	})
}
