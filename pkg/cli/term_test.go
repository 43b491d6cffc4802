package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestIsTerminal(t *testing.T) {
	var buf bytes.Buffer
	if IsTerminal(&buf) {
		t.Error("a buffer is a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if IsTerminal(w) {
		t.Error("a pipe is a terminal")
	}
	var nilFile *os.File
	if IsTerminal(nilFile) {
		t.Error("a nil *os.File is a terminal")
	}
}

func TestProgressSilentOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf)
	p.Update("Reading file %d/%d", 1, 720)
	p.Done()
	if buf.Len() != 0 {
		t.Errorf("progress wrote %q to a non-terminal", buf.String())
	}
}

func TestProgressRewritesAndClears(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf)
	p.every = 0
	p.Update("Reading file %d/%d", 9, 720)
	p.Update("Reading file %d/%d", 10, 720)
	p.Update("Done %d", 1)
	p.Done()
	want := "\rReading file 9/720" + "\rReading file 10/720" + "\rDone 1" + strings.Repeat(" ", 13) +
		"\r" + strings.Repeat(" ", 6) + "\r"
	if buf.String() != want {
		t.Errorf("got %q\nwant %q", buf.String(), want)
	}
}

func TestProgressThrottles(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf)
	p.Update("one")
	p.Update("two") // within the interval: dropped
	if buf.String() != "\rone" {
		t.Errorf("got %q", buf.String())
	}
}

func TestPagerCommand(t *testing.T) {
	t.Setenv(EnvPager, "most")
	t.Setenv(EnvPagerFallback, "more")
	if got := PagerCommand("less"); got != "less" {
		t.Errorf("flag: got %q", got)
	}
	if got := PagerCommand(""); got != "most" {
		t.Errorf("GFLOW_PAGER: got %q", got)
	}
	os.Unsetenv(EnvPager)
	if got := PagerCommand(""); got != "more" {
		t.Errorf("PAGER: got %q", got)
	}
	t.Setenv(EnvPager, "")
	if got := PagerCommand(""); got != "" {
		t.Errorf("empty GFLOW_PAGER must turn paging off, got %q", got)
	}
	os.Unsetenv(EnvPager)
	os.Unsetenv(EnvPagerFallback)
	if got := PagerCommand(""); got != DefaultPager {
		t.Errorf("default: got %q", got)
	}
}

func TestPagerNotOnPipes(t *testing.T) {
	var buf bytes.Buffer
	w, err := Pager(IO{Out: &buf}, "tr a-z A-Z")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "hello\n" {
		t.Errorf("output not a terminal went through the pager: %q", buf.String())
	}
}

func TestPagerOnTerminal(t *testing.T) {
	var out, errb bytes.Buffer
	w, err := pagerFor(IO{Out: &out, Err: &errb}, "tr a-z A-Z", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "HELLO\n" {
		t.Errorf("pager output %q", out.String())
	}
}

func TestPagerQuitEarly(t *testing.T) {
	// A pager the user quits at once: writes fail with EPIPE (the tool then
	// ends quietly) and Close reports no error.
	ignoreSIGPIPE()
	var out bytes.Buffer
	w, err := pagerFor(IO{Out: &out, Err: &out}, "exit 0", true)
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	for range 1000 {
		if _, werr = w.Write(bytes.Repeat([]byte("x"), 4096)); werr != nil {
			break
		}
	}
	if !IsClosedPipe(werr) {
		t.Errorf("write to a quit pager: %v, want EPIPE", werr)
	}
	if err := w.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestRegistry(t *testing.T) {
	newCmd := func(IO) *cobra.Command { return &cobra.Command{Use: "zz-test-tool"} }
	Register("zz-test-tool", newCmd)
	found := false
	for _, tool := range Tools() {
		if tool.Name == "zz-test-tool" && tool.NewCommand(IO{}).Name() == "zz-test-tool" {
			found = true
		}
	}
	if !found {
		t.Error("registered tool not listed")
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice did not panic")
		}
	}()
	Register("zz-test-tool", newCmd)
}
