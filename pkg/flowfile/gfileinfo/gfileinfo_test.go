package gfileinfo_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/repogen"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/flowfile/gfileinfo"
)

func gfileinfoRun(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	status := cli.Run(gfileinfo.NewCommand(std), args, std)
	return out.String(), errb.String(), status
}

var hour = time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)

// makeRepo writes two hours of inweb and out files of sensor S0, 3 blocks
// of 1000 records each, plus what a repository also holds.
func makeRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	_, err := repogen.Write(root, repogen.Options{Start: hour, Hours: 2, Sensors: []repogen.Sensor{{Name: "S0"}},
		Types: []flowfile.FlowType{flowfile.TypeIn, flowfile.TypeInWeb}, Blocks: 3, Records: 1000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "gflow.toml"), []byte("# site\n"), 0o644)
	os.MkdirAll(filepath.Join(root, ".gflowcap"), 0o755)
	os.WriteFile(filepath.Join(root, ".gflowcap", "in-S0_20261126.14"), []byte("not a flow file"), 0o644)
	return root
}

func iwPath(root string) string {
	return flowfile.Repo{Root: root}.Path(flowfile.TypeInWeb, "S0", hour)
}

// The description of a repository file gives what the file is and holds,
// line by line, as rwfileinfo lays it out.
func TestDescribeAFile(t *testing.T) {
	root := makeRepo(t)
	path := iwPath(root)
	fi, _ := os.Stat(path)
	out, errs, status := gfileinfoRun(t, nil, path)
	if status != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", status, errs)
	}
	// What the records say, read one by one.
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	first, last, n := int64(math.MaxInt64), int64(math.MinInt64), 0
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		first, last, n = min(first, rec.STime), max(last, rec.ETime), n+1
	}
	hlen := 22 + 1 + len("S0") + 1 + len("repogen") + 4 // docs/FORMAT.md, "File header"
	r.Close()
	ms := func(t int64) string { return time.UnixMilli(t).UTC().Format("2006/01/02T15:04:05.000") }
	want := fmt.Sprintf(`%s:
  format              gflow
  version             2
  kind                hourly file
  compression         zstd
  header-length       %d
  packed-file-info    2026/11/26T14:00:00Z inweb S0
  writer              repogen
  count-blocks        3
  count-records       %d
  time-span           %s %s
  file-size           %d
  bytes-per-record    %.2f
  corrupt-blocks      0
  incomplete-tail     0
`, path, hlen, n, ms(first), ms(last), fi.Size(), float64(fi.Size()-int64(hlen))/float64(n))
	if out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}

	// Fields by name, prefix and rwfileinfo's numbers; a summary.
	out, _, status = gfileinfoRun(t, nil, "--fields=count-rec,8", "--summary", root)
	if status != 0 {
		t.Fatalf("status %d", status)
	}
	if strings.Count(out, "count-records       3000\n") != 4 || strings.Count(out, "  file-size    ") != 4 || strings.Contains(out, "format") {
		t.Errorf("--fields=count-rec,8 over the repository:\n%s", out)
	}
	if !strings.Contains(out, "**SUMMARY**:\n  number-files        4\n  total-records       12000\n") {
		t.Errorf("summary:\n%s", out)
	}
	if strings.Contains(out, ".gflowcap") || strings.Contains(out, "gflow.toml") {
		t.Errorf("the directory walk read files that are not in the repository's layout:\n%s", out)
	}
	_, errs, status = gfileinfoRun(t, nil, "--fields=colour", path)
	if status != 1 || !strings.Contains(errs, "gfileinfo: Invalid fields 'colour': no field is named 'colour'") {
		t.Errorf("unknown field: status %d, %q", status, errs)
	}
}

// A damaged block header is listed with its byte offset; damage under an
// intact header (a payload) is found by --check, which prints only the
// damage and exits 1. A torn tail is a warning.
func TestCorruptBlocksAndCheck(t *testing.T) {
	root := makeRepo(t)
	path := iwPath(root)
	data, _ := os.ReadFile(path)
	var offs []int64
	flowfile.ScanInfo(bytes.NewReader(data), int64(len(data)), path, func(s *flowfile.BlockSummary) { offs = append(offs, s.Offset) })

	// Sound: --check is silent.
	out, errs, status := gfileinfoRun(t, nil, "--check", root)
	if status != 0 || out != "" || errs != "" {
		t.Fatalf("--check of a sound repository: status %d, out %q, err %q", status, out, errs)
	}

	damaged := bytes.Clone(data)
	damaged[offs[1]+20]++                                   // block 1's header
	damaged[offs[2]+100]++                                  // block 2's payload
	damaged = append(damaged, data[offs[0]:offs[0]+200]...) // and a torn tail
	os.WriteFile(path, damaged, 0o644)

	out, _, status = gfileinfoRun(t, nil, path)
	if status != 0 {
		t.Fatalf("describing a damaged file: status %d", status)
	}
	for _, want := range []string{
		"  count-blocks        2\n",
		"  corrupt-blocks      1\n" + fmt.Sprintf("                      block 1 at byte offset %d: block header checksum mismatch", offs[1]),
		"  incomplete-tail     200 bytes (a block being written, or torn by a crash)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("description lacks %q:\n%s", want, out)
		}
	}

	out, errs, status = gfileinfoRun(t, nil, "--check", root)
	if status != 1 || out != "" {
		t.Fatalf("--check of a damaged repository: status %d, stdout %q", status, out)
	}
	for _, want := range []string{
		fmt.Sprintf("gfileinfo: %s: corrupt block 1 at byte offset %d: block header checksum mismatch", path, offs[1]),
		fmt.Sprintf("gfileinfo: %s: corrupt block 2 at byte offset %d: payload checksum mismatch", path, offs[2]),
		fmt.Sprintf("gfileinfo: warning: %s: incomplete last block of 200 bytes at byte offset %d", path, len(damaged)-200),
		"gfileinfo: 1 of 4 files damaged, 0 unreadable\n",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("--check stderr lacks %q:\n%s", want, errs)
		}
	}
}

// A stream on standard input, a file that is not a flow file, a missing
// file: each is said, and the others are still described.
func TestStdinAndBadInputs(t *testing.T) {
	root := makeRepo(t)
	data, _ := os.ReadFile(iwPath(root))
	out, errs, status := gfileinfoRun(t, data, "--fields=count-records,packed", "-")
	if status != 0 || errs != "" || out != "stdin:\n  packed-file-info    2026/11/26T14:00:00Z inweb S0\n  count-records       3000\n" {
		t.Fatalf("stdin: status %d %q\n%s", status, errs, out)
	}
	notFlow := filepath.Join(root, "gflow.toml")
	out, errs, status = gfileinfoRun(t, nil, "--fields=count-records", notFlow, filepath.Join(root, "missing"), iwPath(root))
	if status != 1 {
		t.Errorf("status %d, want 1", status)
	}
	if !strings.Contains(errs, "gfileinfo: "+notFlow+": not a gflow flow file") || !strings.Contains(errs, "missing: no such file") {
		t.Errorf("stderr %q", errs)
	}
	if !strings.Contains(out, "count-records       3000") {
		t.Errorf("the good file after the bad ones was not described:\n%s", out)
	}
	// an empty standard input: the command before it failed
	_, errs, status = gfileinfoRun(t, nil, "-")
	if status != 1 || errs != "gfileinfo: stdin: the input was empty; the command before it probably failed\n" {
		t.Errorf("empty stdin: %d %q", status, errs)
	}
	_, errs, status = gfileinfoRun(t, nil)
	if status != 1 || !strings.Contains(errs, "gfileinfo: No files were named\ngfileinfo: hint: name flow files or a directory") {
		t.Errorf("no arguments: %d %q", status, errs)
	}
}

// silkFixtures finds ../shared's SiLK files beside the repository root,
// or skips the test.
func silkFixtures(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared", "fixtures", "silk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "INVENTORY.txt")); err != nil {
		t.Skipf("SiLK fixtures not found: %s is absent (clone the shared reference material beside the repository)", dir)
	}
	return dir
}

// A SiLK file is described exactly as a real rwfileinfo 3.19.1 described
// it: the tool output files and every file of rwflowpack's repositories.
func TestSiLKFilesAsRwfileinfo(t *testing.T) {
	dir := silkFixtures(t)
	t.Chdir(dir) // rwfileinfo ran there: the names are relative
	var files []string
	tops, _ := filepath.Glob("*.rw")
	files = append(files, tops...)
	filepath.WalkDir("expected", func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".rwfileinfo.txt") {
			files = append(files, strings.TrimSuffix(strings.TrimPrefix(path, "expected/"), ".rwfileinfo.txt"))
		}
		return nil
	})
	if len(files) < 20 {
		t.Fatalf("only %d SiLK files found", len(files))
	}
	for _, f := range files {
		want, err := os.ReadFile(f + ".rwfileinfo.txt")
		if err != nil {
			want, err = os.ReadFile(filepath.Join("expected", f+".rwfileinfo.txt"))
		}
		if err != nil {
			t.Fatal(err)
		}
		out, errs, status := gfileinfoRun(t, nil, f)
		if status != 0 || errs != "" || out != string(want) {
			t.Errorf("%s: status %d %q\ngot:\n%s\nrwfileinfo:\n%s", f, status, errs, out, want)
		}
	}
}
