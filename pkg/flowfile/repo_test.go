package flowfile_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// silkLayout returns the file paths of the SiLK sample repository.
func silkLayout(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/silk-repo-layout.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var paths []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			paths = append(paths, l)
		}
	}
	return paths
}

// fakeSiLKRepo recreates the SiLK sample repository's layout with empty files.
func fakeSiLKRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, p := range silkLayout(t) {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestRepoPath(t *testing.T) {
	repo := flowfile.Repo{Root: "/data"}
	// The hour is taken in UTC whatever the zone of the time given.
	zurich := time.FixedZone("CEST", 2*3600)
	for _, c := range []struct {
		typ    flowfile.FlowType
		sensor string
		hour   time.Time
		want   string
	}{
		{flowfile.TypeInWeb, "S0", time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC), "/data/inweb/2015/10/09/iw-S0_20151009.00"},
		{flowfile.TypeOutWeb, "S1", time.Date(2015, 10, 9, 1, 59, 59, 0, time.UTC), "/data/outweb/2015/10/09/ow-S1_20151009.01"},
		{flowfile.TypeIn, "S0", time.Date(2015, 10, 9, 2, 30, 0, 0, zurich), "/data/in/2015/10/09/in-S0_20151009.00"},
		{flowfile.TypeInt2Int, "edge-1", time.Date(2024, 1, 31, 23, 0, 0, 0, time.UTC), "/data/int2int/2024/01/31/int2int-edge-1_20240131.23"},
	} {
		if got := repo.Path(c.typ, c.sensor, c.hour); got != c.want {
			t.Errorf("Path(%v, %s, %v) = %s, want %s", c.typ, c.sensor, c.hour, got, c.want)
		}
	}
}

// TestParseRepoPathSiLK recognises every file of the real SiLK sample
// repository and maps it back to the same path.
func TestParseRepoPathSiLK(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "fixtures", "silk", "repo")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("SiLK sample repository not found at %s (../shared beside the repository): %v", root, err)
	}
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if filepath.Dir(path) == root {
			return nil // the repository's silk.conf, not an hourly file
		}
		f, err := flowfile.ParseRepoPath(path)
		if err != nil {
			return err
		}
		if got := (flowfile.Repo{Root: root}).Path(f.Type, f.Sensor, f.Hour); got != path {
			return fmt.Errorf("%s parses to %+v, whose path is %s", path, f, got)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(silkLayout(t)) {
		t.Errorf("%d files in the SiLK repository, %d in testdata/silk-repo-layout.txt", n, len(silkLayout(t)))
	}
}

func TestParseRepoPath(t *testing.T) {
	f, err := flowfile.ParseRepoPath("/data/inweb/2015/10/09/iw-S0_20151009.07")
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != flowfile.TypeInWeb || f.Sensor != "S0" || !f.Hour.Equal(time.Date(2015, 10, 9, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("parsed %+v", f)
	}
	if f, err := flowfile.ParseRepoPath("int2int-my_sensor_20151009.23"); err != nil || f.Sensor != "my_sensor" {
		t.Errorf("sensor with an underscore: %+v, %v", f, err)
	}
	for _, bad := range []string{"iw-S0_20151009", "xx-S0_20151009.00", "iw_20151009.00", "iw-S0_20151309.00", "iw-S0_20151009.24", "README"} {
		if _, err := flowfile.ParseRepoPath(bad); err == nil {
			t.Errorf("ParseRepoPath(%q) accepted", bad)
		}
	}
}

func TestRepoList(t *testing.T) {
	repo := flowfile.Repo{Root: fakeSiLKRepo(t)}
	h0 := time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC)
	h1 := h0.Add(time.Hour)
	name := func(f flowfile.RepoFile) string {
		rel, _ := filepath.Rel(repo.Root, f.Path)
		mark := ""
		if !f.Exists {
			mark = " (missing)"
		}
		return rel + mark
	}

	// Named sensors: every combination, in hour, type, sensor order, with
	// the missing files marked. Times inside the hours count as their hour.
	files, err := repo.List(h0.Add(10*time.Minute), h1.Add(59*time.Minute),
		[]flowfile.FlowType{flowfile.TypeOutNull, flowfile.TypeInWeb}, []string{"S1", "S0"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, name(f))
	}
	want := []string{
		"inweb/2015/10/09/iw-S0_20151009.00",
		"inweb/2015/10/09/iw-S1_20151009.00",
		"outnull/2015/10/09/outnull-S0_20151009.00",
		"outnull/2015/10/09/outnull-S1_20151009.00 (missing)",
		"inweb/2015/10/09/iw-S0_20151009.01",
		"inweb/2015/10/09/iw-S1_20151009.01",
		"outnull/2015/10/09/outnull-S0_20151009.01 (missing)",
		"outnull/2015/10/09/outnull-S1_20151009.01",
	}
	if !slices.Equal(got, want) {
		t.Errorf("List:\n got %q\nwant %q", got, want)
	}
	f := files[0]
	if f.Type != flowfile.TypeInWeb || f.Sensor != "S0" || !f.Hour.Equal(h0) {
		t.Errorf("first file %+v", f)
	}

	// No sensors named: the sensors that have files; no types: SiLK's
	// default types (in, inweb, inicmp).
	files, err = repo.List(h0, h1, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, f := range files {
		got = append(got, name(f))
	}
	want = []string{
		"in/2015/10/09/in-S0_20151009.00", "in/2015/10/09/in-S1_20151009.00",
		"inweb/2015/10/09/iw-S0_20151009.00", "inweb/2015/10/09/iw-S1_20151009.00",
		"in/2015/10/09/in-S0_20151009.01", "in/2015/10/09/in-S1_20151009.01",
		"inweb/2015/10/09/iw-S0_20151009.01", "inweb/2015/10/09/iw-S1_20151009.01",
	}
	if !slices.Equal(got, want) {
		t.Errorf("List with defaults:\n got %q\nwant %q", got, want)
	}

	// Every type, both hours: all 29 files of the sample repository.
	files, err = repo.List(h0, h1, flowfile.AllTypes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(silkLayout(t)) {
		t.Errorf("all types: %d files, want %d", len(files), len(silkLayout(t)))
	}

	if _, err := repo.List(h1, h0, nil, nil); err == nil {
		t.Error("an end before the start was accepted")
	}
}
