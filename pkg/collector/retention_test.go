package collector

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// mkRepo creates hourly files of size bytes for the given hours under root
// and returns their paths, oldest first.
func mkRepo(t *testing.T, root string, size int, hours ...string) []string {
	t.Helper()
	var paths []string
	for _, h := range hours {
		tm, err := time.Parse("2006-01-02T15", h)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, "in", tm.Format("2006/01/02"), "in-S0_"+tm.Format("20060102.15"))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func remaining(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, root+"/"))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestRetentionByAgeDeletesWholeOldHoursAndEmptyDirs(t *testing.T) {
	root := t.TempDir()
	mkRepo(t, root, 100, "2023-11-12T23", "2023-11-13T00", "2023-11-13T22", "2023-11-14T22")
	os.MkdirAll(filepath.Join(root, ".gflowcap"), 0o755)
	os.WriteFile(filepath.Join(root, ".gflowcap", "templates"), []byte("x"), 0o644)
	now := time.Date(2023, 11, 14, 22, 30, 0, 0, time.UTC)
	r := Retention{Root: root, MaxAge: 24 * time.Hour}
	res, err := r.Run(now)
	if err != nil {
		t.Fatal(err)
	}
	// 2023-11-13 22:00–23:00 ended 23.5 h ago: kept. Older ones go.
	want := []string{".gflowcap/templates", "in/2023/11/13/in-S0_20231113.22", "in/2023/11/14/in-S0_20231114.22"}
	if got := remaining(t, root); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("left %v, want %v", got, want)
	}
	if res.Deleted != 2 || res.Freed != 200 || res.Files != 4 {
		t.Errorf("result %+v", res)
	}
	if _, err := os.Stat(filepath.Join(root, "in/2023/11/12")); !os.IsNotExist(err) {
		t.Errorf("empty day directory not removed")
	}
}

func TestRetentionBySizeDeletesOldestFirst(t *testing.T) {
	root := t.TempDir()
	paths := mkRepo(t, root, 1000, "2023-11-14T19", "2023-11-14T20", "2023-11-14T21", "2023-11-14T22")
	// Files that are not hourly flow files are never retention's to delete.
	os.WriteFile(filepath.Join(root, "gflow.toml"), make([]byte, 5000), 0o644)
	os.WriteFile(filepath.Join(root, "in", "notes_20231114.19"), make([]byte, 5000), 0o644)
	r := Retention{Root: root, MaxBytes: 2500}
	res, err := r.Run(time.Date(2023, 11, 14, 22, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 2 {
		t.Fatalf("deleted %d files, want 2 (4000 bytes down to 2000 ≤ 2500)", res.Deleted)
	}
	for i, p := range paths {
		_, err := os.Stat(p)
		if gone := os.IsNotExist(err); gone != (i < 2) {
			t.Errorf("%s: gone=%v", p, gone)
		}
	}
	for _, p := range []string{"gflow.toml", "in/notes_20231114.19"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("retention touched %s: %v", p, err)
		}
	}
}

func TestRetentionDryRunDeletesNothing(t *testing.T) {
	root := t.TempDir()
	mkRepo(t, root, 1000, "2023-11-10T00", "2023-11-14T22")
	var log []string
	r := Retention{Root: root, MaxAge: 24 * time.Hour, DryRun: true,
		Log: func(f string, a ...any) { log = append(log, f) }}
	res, err := r.Run(time.Date(2023, 11, 14, 22, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(remaining(t, root)) != 2 {
		t.Fatalf("dry run deleted files")
	}
	if res.Deleted != 1 || len(log) != 1 || !strings.Contains(log[0], "would delete") {
		t.Fatalf("dry run: result %+v, log %q", res, log)
	}
}

func TestRetentionSkipsOpenFilesAndToleratesHandDeletion(t *testing.T) {
	root := t.TempDir()
	paths := mkRepo(t, root, 1000, "2023-11-14T20", "2023-11-14T21", "2023-11-14T22")
	os.Remove(paths[0]) // deleted by hand before the pass
	r := Retention{Root: root, MaxBytes: 1, Skip: func(p string) bool { return p == paths[2] }}
	res, err := r.Run(time.Date(2023, 11, 14, 22, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 1 {
		t.Fatalf("deleted %d, want 1", res.Deleted)
	}
	if _, err := os.Stat(paths[2]); err != nil {
		t.Fatalf("open file deleted: %v", err)
	}
	// A second pass over a repository whose files vanish is still fine.
	os.RemoveAll(filepath.Join(root, "in"))
	if _, err := r.Run(time.Now()); err != nil {
		t.Fatalf("pass over an emptied repository: %v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"10G": 10 << 30, "500M": 500 << 20, "1.5T": 3 << 39, "123": 123, "2GiB": 2 << 30, "4k": 4096} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "G", "ten", "-1G", "1X"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

// A file of an hour far in the future (broken flow times, from before the
// flow-time window) is dated by when it was written: the age limit
// reaches it, and the collector's skip of recent hours does not keep it
// (before, every future hour escaped retention for ever).
func TestRetentionReachesFutureHours(t *testing.T) {
	root := t.TempDir()
	paths := mkRepo(t, root, 100, "2023-11-14T21", "2999-01-01T00", "2023-11-14T23")
	now := time.Date(2023, 11, 14, 22, 30, 0, 0, time.UTC)
	written := now.Add(-40 * 24 * time.Hour)
	os.Chtimes(paths[1], written, written)
	r := Retention{Root: root, MaxAge: 30 * 24 * time.Hour, Skip: recentHours(time.Hour)}
	if _, err := r.Run(now); err != nil {
		t.Fatal(err)
	}
	want := []string{"in/2023/11/14/in-S0_20231114.21", "in/2023/11/14/in-S0_20231114.23"}
	if got := remaining(t, root); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("left %v, want %v", got, want)
	}
	// The skip keeps the current hour and the next, not year 2999.
	skip := recentHours(time.Hour)
	for p, keep := range map[string]bool{
		paths[0]: false, // 2023: long past by the test machine's clock
		filepath.Join(root, "in", "2999/01/01", "in-S0_29990101.00"):                    false,
		filepath.Join(root, "in", "x", "in-S0_"+time.Now().UTC().Format("20060102.15")): true,
	} {
		if skip(p) != keep {
			t.Errorf("skip(%s) = %v, want %v", p, !keep, keep)
		}
	}
}
