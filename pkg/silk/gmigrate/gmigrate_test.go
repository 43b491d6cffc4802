package gmigrate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/filter/gfilter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk/gmigrate"
	"github.com/spf13/cobra"
)

func run(t *testing.T, newCmd func(cli.IO) *cobra.Command, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	st := cli.Run(newCmd(std), args, std)
	return out.String(), errb.String(), st
}

// query returns every record of a repository's fixture day as gcut text.
func query(t *testing.T, root string) string {
	t.Helper()
	pass, errs, st := run(t, gfilter.NewCommand, nil, "--data-rootdir="+root, "--start-date=2015/10/09:00", "--end-date=2015/10/09:01", "--type=all", "--proto=0-255", "--pass=stdout")
	if st != 0 {
		t.Fatalf("gfilter on %s: %s", root, errs)
	}
	text, _, _ := run(t, cut.NewCommand, []byte(pass), "--all-fields", "--timestamp-format=epoch")
	return text
}

var summary = regexp.MustCompile(`^Files (\d+) converted, (\d+) already in .*\.  Records (\d+)\.\nSiLK (\d+) bytes, gflow (\d+) bytes \([0-9.]+%\) in \S+\.\n$`)

func TestMigrateAndResume(t *testing.T) {
	t.Setenv("GFLOW_SITE_CONFIG", "")
	silkRoot := filepath.Join("..", "testdata", "repo")
	root := t.TempDir()
	out, errs, st := run(t, gmigrate.NewCommand, nil, "--silk-rootdir="+silkRoot, "--data-rootdir="+root)
	m := summary.FindStringSubmatch(out)
	if st != 0 || errs != "" || m == nil || m[1] != "29" || m[2] != "0" || m[3] != "156" {
		t.Fatalf("status %d, stderr %q, stdout %q; want 29 files and 156 records converted", st, errs, out)
	}
	// every file is now gflow's, and holds what SiLK's held
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		r, err := flowfile.Open(p)
		if err != nil {
			return err
		}
		defer r.Close()
		if r.FormatName() != "gflow" || r.Header().Kind != flowfile.KindFile {
			t.Errorf("%s: %s %v file", p, r.FormatName(), r.Header().Kind)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := query(t, root), query(t, silkRoot); got != want || strings.Count(got, "\n") != 157 {
		t.Errorf("the converted repository answers differently:\n%s\nwant\n%s", got, want)
	}

	// interrupted: one file missing, a temporary one left behind
	victim := flowfile.Repo{Root: root}.Path(flowfile.TypeInWeb, "S1", mustHour(t, "2015/10/09:01"))
	if err := os.Remove(victim); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(victim+".gmigrate-tmp", []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, st = run(t, gmigrate.NewCommand, nil, "--silk-rootdir="+silkRoot, "--data-rootdir="+root)
	m = summary.FindStringSubmatch(out)
	if st != 0 || m == nil || m[1] != "1" || m[2] != "28" {
		t.Fatalf("resumed run: %q; want 1 file converted, 28 already there", out)
	}
	if _, err := os.Stat(victim + ".gmigrate-tmp"); err == nil {
		t.Error("the temporary file of the interrupted run is still there")
	}
	if got, want := query(t, root), query(t, silkRoot); got != want {
		t.Error("after resuming, the converted repository answers differently")
	}

	// --start-date/--end-date and --dry-run
	out, _, _ = run(t, gmigrate.NewCommand, nil, "--silk-rootdir="+silkRoot, "--data-rootdir="+t.TempDir(), "--start-date=2015/10/09:01", "--dry-run")
	if n := strings.Count(out, "\n"); n != 14 || strings.Contains(out, "20151009.00") {
		t.Errorf("--dry-run of hour 01 listed %d files:\n%s", n, out)
	}
}

func TestRefusals(t *testing.T) {
	silkRoot := filepath.Join("..", "testdata", "repo")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--data-rootdir=" + t.TempDir()}, "gmigrate: No SiLK repository named; use --silk-rootdir=DIR\n"},
		{[]string{"--silk-rootdir=" + silkRoot, "--data-rootdir=" + silkRoot}, "convert into another directory"},
		{[]string{"--silk-rootdir=/nonexistent", "--data-rootdir=" + t.TempDir()}, "'/nonexistent' is not a directory"},
		{[]string{"--silk-rootdir=" + silkRoot, "--data-rootdir=" + t.TempDir(), "--start-date=2015-10-09"}, "Invalid date '2015-10-09'"},
	} {
		_, errs, st := run(t, gmigrate.NewCommand, nil, c.args...)
		if st != 1 || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") > 2 {
			t.Errorf("%v: status %d, %q; want %q", c.args, st, errs, c.want)
		}
	}
}

func mustHour(t *testing.T, s string) (h time.Time) {
	t.Helper()
	h, err := time.Parse("2006/01/02:15", s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
