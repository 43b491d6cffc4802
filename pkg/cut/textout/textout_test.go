package textout

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gflow/gflow/pkg/cli"
)

func TestDestinations(t *testing.T) {
	var out, errb bytes.Buffer
	std := cli.IO{Out: &out, Err: &errb}
	path := filepath.Join(t.TempDir(), "out.txt")
	for _, dest := range []string{"", "stdout", "-", "stderr", path} {
		w, err := Open(dest, "false", std) // a pager that would print nothing
		if err != nil {
			t.Fatal(err)
		}
		w.WriteString(dest + "\n")
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Not a terminal: "" writes to stdout directly, never through the pager.
	if out.String() != "\nstdout\n-\n" || errb.String() != "stderr\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errb.String())
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != path+"\n" {
		t.Errorf("file: %q %v", b, err)
	}
	if _, err := Open(filepath.Join(path, "sub"), "", std); err == nil {
		t.Error("a file under a file opened")
	}
}
