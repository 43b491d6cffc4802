package silk_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/count"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/filter/gfilter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
	"github.com/gflow/gflow/pkg/stats"
	"github.com/gflow/gflow/pkg/tuc"
	"github.com/spf13/cobra"
)

// The files in testdata are real SiLK 3.19.1 files and the text SiLK's own
// tools printed for them (testdata/README.md). gflow's tools must print
// the same from the binary files.

// TestMain runs the tests with the default site configuration and text
// formats, whatever the machine's environment holds.
func TestMain(m *testing.M) {
	root, err := os.MkdirTemp("", "gflow-silk-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("GFLOW_DATA_ROOTDIR", root)
	for _, v := range []string{"GFLOW_SITE_CONFIG", "GFLOW_IPV6_POLICY", "SILK_IPV6_POLICY", "GFLOW_IP_FORMAT", "GFLOW_TIMESTAMP_FORMAT", "GFLOW_GEOIP_DB"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}

// tool runs a gflow command in-process.
func tool(t testing.TB, newCmd func(cli.IO) *cobra.Command, stdin []byte, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	if st := cli.Run(newCmd(std), args, std); st != 0 || errb.Len() > 0 {
		t.Fatalf("%v: status %d, stderr %q", args, st, errb.String())
	}
	return out.String()
}

func expect(t *testing.T, what, got, wantFile string) {
	t.Helper()
	want, err := os.ReadFile(wantFile)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from SiLK's %s:\n%s", what, wantFile, firstDiff(got, string(want)))
	}
}

// firstDiff shows the first line that differs.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n gflow: %s\n  SiLK: %s", i+1, a, b)
		}
	}
	return "(same lines)"
}

var allFields = []string{"--all-fields", "--timestamp-format=epoch", "--ip-format=canonical"}

var statsArgs = []string{"--fields=sip,sport", "--values=bytes", "--count=10"}

// flatFiles maps each tool-output fixture to the file whose text SiLK
// printed for it (the compressions hold the same records).
var flatFiles = map[string]string{
	"ipv6routing-none.rw":   "ipv6routing-none.rw",
	"ipv6routing-zlib.rw":   "ipv6routing-none.rw",
	"ipv6routing-lzo1x.rw":  "ipv6routing-none.rw",
	"ipv6routing-snappy.rw": "ipv6routing-none.rw",
	"generic-none.rw":       "generic-none.rw",
	"generic-zlib.rw":       "generic-none.rw",
}

func TestFlatFilesGcutGstats(t *testing.T) {
	for file, text := range flatFiles {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", file)
			want := filepath.Join("testdata", text)
			expect(t, "gcut --all-fields", tool(t, cut.NewCommand, nil, append(allFields, path)...), want+".rwcut.txt")
			expect(t, "gcut", tool(t, cut.NewCommand, nil, path), want+".rwcut-default.txt")
			expect(t, "gstats", tool(t, stats.NewCommand, nil, append(statsArgs, path)...), want+".rwstats.txt")
			// the same bytes on standard input
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			expect(t, "gstats on stdin", tool(t, stats.NewCommand, in, statsArgs...), want+".rwstats.txt")
			checkCount(t, path, want+".rwcut.txt")
			// gfilter passes every record on, in gflow's format
			pass := tool(t, gfilter.NewCommand, nil, "--proto=0-255", "--pass=stdout", path)
			expect(t, "gfilter | gcut", tool(t, cut.NewCommand, []byte(pass), allFields...), want+".rwcut.txt")
			// rwfilter ... | gfilter ...: a SiLK stream on standard input
			pass = tool(t, gfilter.NewCommand, in, "--proto=0-255", "--pass=stdout", "-")
			expect(t, "gfilter on stdin | gcut", tool(t, cut.NewCommand, []byte(pass), allFields...), want+".rwcut.txt")
		})
	}
}

// TestFlatFilesGcount compares gcount on the SiLK files with gcount on the
// same flows typed in from the fixture's source text (flows.txt, which
// rwtuc turned into these files).
func TestFlatFilesGcount(t *testing.T) {
	text, err := os.ReadFile("testdata/flows.txt")
	if err != nil {
		t.Fatal(err)
	}
	var v4 bytes.Buffer
	for i, line := range strings.SplitAfter(string(text), "\n") {
		if i == 0 || !strings.Contains(strings.SplitN(line, "|", 2)[0], ":") {
			v4.WriteString(line)
		}
	}
	args := []string{"--bin-size=600"}
	for file, typed := range map[string][]byte{"ipv6routing-lzo1x.rw": text, "generic-zlib.rw": v4.Bytes()} {
		stream := tool(t, tuc.NewCommand, typed)
		want := tool(t, count.NewCommand, []byte(stream), args...)
		got := tool(t, count.NewCommand, nil, append(args, filepath.Join("testdata", file))...)
		if got != want {
			t.Errorf("gcount %s differs from gcount on the typed flows:\n%s", file, firstDiff(got, want))
		}
	}
}

var repos = []string{"repo", "repo-routed", "repo-silk-ipv4", "repo-silk-ipv6"}

// repoFiles lists the hourly files of a fixture repository in the order a
// query reads them.
func repoFiles(t *testing.T, root string) []string {
	t.Helper()
	start := time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC)
	files, err := flowfile.Repo{Root: root}.List(start, start.Add(time.Hour), flowfile.AllTypes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		rel, err := filepath.Rel(root, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rel)
	}
	return out
}

func TestRepositoryFiles(t *testing.T) {
	for _, repo := range repos {
		t.Run(repo, func(t *testing.T) {
			root := filepath.Join("testdata", repo)
			files := repoFiles(t, root)
			if len(files) == 0 {
				t.Fatal("no files listed")
			}
			for _, rel := range files {
				path := filepath.Join(root, rel)
				want := filepath.Join("testdata", "expected", repo, rel)
				expect(t, "gcut --all-fields "+rel, tool(t, cut.NewCommand, nil, append(allFields, path)...), want+".rwcut.txt")
				expect(t, "gstats "+rel, tool(t, stats.NewCommand, nil, append(statsArgs, path)...), want+".rwstats.txt")
				checkCount(t, path, want+".rwcut.txt")
			}
		})
	}
}

// TestRepositoryQuery reads the SiLK repositories with gfilter's
// repository switches: files chosen by hour, type and sensor, every record
// passed on as SiLK stored it.
func TestRepositoryQuery(t *testing.T) {
	counts := map[string]string{
		"repo":           "Files    29.  Read        156.  Pass        156. Fail           0.\n",
		"repo-routed":    "Files    29.  Read        156.  Pass        156. Fail           0.\n",
		"repo-silk-ipv4": "Files    16.  Read        156.  Pass        156. Fail           0.\n",
		"repo-silk-ipv6": "Files    16.  Read        200.  Pass        200. Fail           0.\n",
	}
	for _, repo := range repos {
		t.Run(repo, func(t *testing.T) {
			root := filepath.Join("testdata", repo)
			query := []string{"--data-rootdir=" + root, "--start-date=2015/10/09:00", "--end-date=2015/10/09:01", "--type=all", "--proto=0-255"}
			if got := tool(t, gfilter.NewCommand, nil, append(query, "--print-statistics=stdout")...); got != counts[repo] {
				t.Errorf("gfilter --print-statistics: %q, want SiLK's rwfilter %q", got, counts[repo])
			}
			var want strings.Builder
			for i, rel := range repoFiles(t, root) {
				b, err := os.ReadFile(filepath.Join("testdata", "expected", repo, rel) + ".rwcut.txt")
				if err != nil {
					t.Fatal(err)
				}
				text := string(b)
				if i > 0 {
					_, text, _ = strings.Cut(text, "\n") // one title line
				}
				want.WriteString(text)
			}
			pass := tool(t, gfilter.NewCommand, nil, append(query, "--pass=stdout")...)
			got := tool(t, cut.NewCommand, []byte(pass), allFields...)
			if got != want.String() {
				t.Errorf("gfilter | gcut differs from SiLK's text of the files:\n%s", firstDiff(got, want.String()))
			}
			// --sensors takes silk.conf's names and ids
			for _, sensors := range []string{"--sensors=S1", "--sensors=1"} {
				one := tool(t, gfilter.NewCommand, nil, append(query, sensors, "--pass=stdout")...)
				for _, line := range strings.Split(strings.TrimSpace(tool(t, cut.NewCommand, []byte(one), "--fields=sensor", "--no-titles")), "\n") {
					if line != "" && strings.TrimSpace(strings.TrimSuffix(line, "|")) != "S1" {
						t.Errorf("%s passed a record of sensor %q", sensors, line)
						break
					}
				}
			}
		})
	}
}

// TestSilkOutputRoundTrip writes SiLK streams with gfilter and gtuc
// (--output-format=silk) and reads them back: the records are SiLK's
// text of the fixture, and the header is what rwcut expects of an
// IPv6-enabled SiLK's tool output.
func TestSilkOutputRoundTrip(t *testing.T) {
	for file, text := range flatFiles {
		path := filepath.Join("testdata", file)
		out := tool(t, gfilter.NewCommand, nil, "--proto=0-255", "--output-format=silk", "--pass=stdout", path)
		checkSilkStream(t, "gfilter --output-format=silk "+file, []byte(out), filepath.Join("testdata", text)+".rwcut.txt")
	}
	// a repository's files, through a pipe of SiLK's format
	root := filepath.Join("testdata", "repo-silk-ipv4")
	out := tool(t, gfilter.NewCommand, nil, "--data-rootdir="+root, "--start-date=2015/10/09:00", "--type=all", "--proto=0-255", "--output-format=silk", "--pass=stdout")
	want := tool(t, cut.NewCommand, []byte(tool(t, gfilter.NewCommand, nil, "--data-rootdir="+root, "--start-date=2015/10/09:00", "--type=all", "--proto=0-255", "--pass=stdout")), allFields...)
	if got := tool(t, cut.NewCommand, []byte(out), allFields...); got != want {
		t.Errorf("repository through --output-format=silk:\n%s", firstDiff(got, want))
	}

	// gtuc types the fixture's source text into the same records
	text, err := os.ReadFile("testdata/flows.txt")
	if err != nil {
		t.Fatal(err)
	}
	out = tool(t, tuc.NewCommand, text, "--output-format=silk")
	checkSilkStream(t, "gtuc --output-format=silk", []byte(out), "testdata/ipv6routing-none.rw.rwcut.txt")
}

func checkSilkStream(t *testing.T, what string, stream []byte, rwcut string) {
	t.Helper()
	h, err := silk.ReadHeader(bytes.NewReader(stream))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if h.Format != silk.FormatIPv6Routing || h.RecordVersion != 1 || h.RecordSize != 88 || h.Length%88 != 0 || h.BigEndian {
		t.Errorf("%s: header %+v, want little-endian FT_RWIPV6ROUTING v1 padded to 88 bytes", what, h)
	}
	expect(t, what+" | gcut", tool(t, cut.NewCommand, stream, allFields...), rwcut)
}

// TestMixedRoot: a site that switched from rwflowpack to gflowcap keeps
// SiLK files before the switch and gflow files after it, in one layout;
// one query reads both.
func TestMixedRoot(t *testing.T) {
	src := filepath.Join("testdata", "repo")
	root := t.TempDir()
	gflowFiles := 0
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		f, perr := flowfile.ParseRepoPath(p)
		if perr != nil || f.Hour.Hour() == 0 {
			b, err := os.ReadFile(p) // silk.conf and hour 00: SiLK's files
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		}
		// hour 01: the same records in gflow's hourly file
		r, err := flowfile.Open(p)
		if err != nil {
			return err
		}
		defer r.Close()
		w, err := flowfile.Create(dst, flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd, Type: f.Type, Sensor: f.Sensor, Hour: f.Hour})
		if err != nil {
			return err
		}
		for {
			rec, err := r.Next()
			if err != nil {
				break
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		gflowFiles++
		return w.Close()
	})
	if err != nil || gflowFiles == 0 {
		t.Fatal(err, gflowFiles)
	}
	query := []string{"--start-date=2015/10/09:00", "--end-date=2015/10/09:01", "--type=all", "--proto=0-255", "--pass=stdout"}
	want := tool(t, cut.NewCommand, []byte(tool(t, gfilter.NewCommand, nil, append(query, "--data-rootdir="+src)...)), allFields...)
	got := tool(t, cut.NewCommand, []byte(tool(t, gfilter.NewCommand, nil, append(query, "--data-rootdir="+root)...)), allFields...)
	if got != want {
		t.Errorf("mixed root (%d gflow files) answers differently:\n%s", gflowFiles, firstDiff(got, want))
	}
}

// checkCount compares gcount on a SiLK file with gcount on the records of
// SiLK's rwcut text of it, typed back in with gtuc (which reads rwcut's
// --all-fields text as rwtuc does).
func checkCount(t *testing.T, path, rwcut string) {
	t.Helper()
	text, err := os.ReadFile(rwcut)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--bin-size=300"}
	want := tool(t, count.NewCommand, []byte(tool(t, tuc.NewCommand, text)), args...)
	if got := tool(t, count.NewCommand, nil, append(args, path)...); got != want {
		t.Errorf("gcount %s differs from gcount on SiLK's text of it:\n%s", path, firstDiff(got, want))
	}
}

// TestCountriesAtReadTime: SiLK records get country codes when read, from
// the country database under the site's rule (internal and special ranges
// "--", then the overrides), as gflowcap gives them.
func TestCountriesAtReadTime(t *testing.T) {
	path := filepath.Join("testdata", "ipv6routing-zlib.rw")
	got := tool(t, cut.NewCommand, nil, "--fields=sip,scc", "--no-titles", "--delimited", path)
	for _, want := range []string{"8.8.8.8|us\n", "10.1.0.22|--\n", "203.0.113.200|--\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("gcut --fields=sip,scc: no line %q", want)
		}
	}
	// gfilter with a site configuration: its override decides, and the
	// codes travel in gflow's stream to gstats
	conf := filepath.Join(t.TempDir(), "gflow.toml")
	if err := os.WriteFile(conf, []byte("[countries]\n\"8.8.8.0/24\" = \"ch\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer silk.UseSite(nil)
	pass := tool(t, gfilter.NewCommand, nil, "--site-config-file="+conf, "--scc=ch", "--pass=stdout", path)
	out := tool(t, stats.NewCommand, []byte(pass), "--fields=sip,scc", "--no-titles", "--delimited")
	if !strings.HasPrefix(out, "8.8.8.8|ch|2|") || strings.Count(out, "\n") != 1 {
		t.Errorf("gfilter --scc=ch with the override 8.8.8.0/24 = ch:\n%s", out)
	}
}
