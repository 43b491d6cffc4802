package cut_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The built tools end quietly, with status 0 and nothing on stderr, when
// the reader of their output goes away (gcut ... | head -1), as a shell
// pipeline sees them: SIGPIPE must not kill them and EPIPE is no error.
// The test binary plays the tools (see TestMain).
func TestClosedPipeProcesses(t *testing.T) {
	tool := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), runToolEnv+"="+name)
		return cmd
	}
	// Enough flows that the writers are still writing when the pipe closes.
	flows := readFile(t, "flows.txt")
	var text bytes.Buffer
	text.WriteString(flows)
	body := flows[bytes.IndexByte([]byte(flows), '\n')+1:]
	for i := 0; i < 200; i++ {
		text.WriteString(body)
	}
	stream := filepath.Join(t.TempDir(), "flows.gf")
	gt := tool("gtuc", "--output-path="+stream)
	gt.Stdin = &text
	if out, err := gt.CombinedOutput(); err != nil {
		t.Fatalf("gtuc: %v %s", err, out)
	}
	cases := [][]string{
		{"gcut", "--all-fields", stream},
		{"gcut", "--json", stream},
		{"gcount", "--bin-size=0.1", stream},
		{"gtuc", filepath.Join("testdata", "flows.txt")},
	}
	for _, args := range cases {
		cmd := tool(args[0], args[1:]...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 100)
		if _, err := io.ReadFull(out, buf); err != nil {
			t.Fatalf("%v: read: %v", args, err)
		}
		out.Close() // the reader goes away
		err = cmd.Wait()
		if err != nil || stderr.Len() != 0 {
			t.Errorf("%v: %v, stderr %q", args, err, stderr.String())
		}
	}
}
