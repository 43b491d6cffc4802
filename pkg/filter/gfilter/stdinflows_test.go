package gfilter

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli"
)

// gfilter | gfilter with no input named on the second: it reads the pipe,
// not today's repository, whether the flows come through a pipe or a file
// redirected in; with nothing piped in (cron, /dev/null) it reads the
// repository.
func TestFlowsPipedInAreRead(t *testing.T) {
	root := t.TempDir()
	writeRepo(t, root, fixtureFlows(t))
	t.Setenv("GFLOW_DATA_ROOTDIR", root)
	t.Setenv("GFLOW_SITE_CONFIG", "")
	now = func() time.Time { return time.Date(2015, 10, 9, 17, 30, 0, 0, time.UTC) }
	defer func() { now = time.Now }()

	// what is piped in: UDP flows of every type, which today's default
	// types (incoming) from the repository would not give
	piped, errs, status := gf(t, "--type=all", "--proto=17")
	if status != 0 {
		t.Fatalf("first gfilter: %d %s", status, errs)
	}
	want := readStream(t, piped)
	repoOnly, _, _ := gf(t, "--proto=17")
	if len(readStream(t, repoOnly)) == len(want) {
		t.Fatal("the test needs piped flows that differ from the repository's answer")
	}

	run := func(in *os.File) []byte {
		t.Helper()
		var out, errb bytes.Buffer
		std := cli.IO{In: in, Out: &out, Err: &errb}
		if status := cli.Run(NewCommand(std), []string{"--proto=17"}, std); status != 0 {
			t.Fatalf("second gfilter: status %d, %s", status, errb.String())
		}
		return out.Bytes()
	}

	// a pipe, written while gfilter waits
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func(w *os.File) { // its own w: the test reuses the name below
		time.Sleep(50 * time.Millisecond) // the command before starts later
		w.Write(piped)
		w.Close()
	}(w)
	sameFlows(t, "from a pipe", readStream(t, run(r)), want)
	r.Close()

	// a file redirected in (gfilter --proto=17 < flows.gf)
	path := filepath.Join(t.TempDir(), "flows.gf")
	if err := os.WriteFile(path, piped, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sameFlows(t, "from a file redirected in", readStream(t, run(f)), want)

	// a pipe that ends at once (cron) and /dev/null: the repository
	r, w, err = os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	sameFlows(t, "from cron's empty pipe", readStream(t, run(r)), readStream(t, repoOnly))
	r.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	sameFlows(t, "with /dev/null", readStream(t, run(null)), readStream(t, repoOnly))
}
