package gfilter

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/filter"
	"github.com/gflow/gflow/pkg/flowfile"
	"golang.org/x/sys/unix"
)

// TestClosedPipeEndsQuietly runs the real binary as `gfilter … | head -c 10`
// does: the reader takes 10 bytes and goes away.
func TestClosedPipeEndsQuietly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the gfilter binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gfilter")
	build := exec.Command("go", "build", "-o", bin, "github.com/gflow/gflow/cmd/gfilter")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	recs := make([]flowfile.Record, 300000)
	flowgen.New(1, flowgen.Options{}).Fill(recs)
	file := filepath.Join(dir, "big.gf")
	writeStream(t, file, recs, 0)

	cmd := exec.Command(bin, "--proto=0-255", "--pass=stdout", file, file, file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(out, buf); err != nil {
		t.Fatal(err)
	}
	out.Close()
	err = cmd.Wait()
	if err != nil || stderr.Len() != 0 {
		t.Errorf("gfilter | head -c 10: %v, stderr %q; want status 0 and nothing on stderr", err, stderr.String())
	}
}

// openPTY returns the terminal side of a new pseudo-terminal.
func openPTY(t *testing.T) *os.File {
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { pts.Close() })
	return pts
}

func TestTerminalRefusedBeforeReading(t *testing.T) {
	tty := openPTY(t)
	for _, dest := range []string{"stdout", "-"} {
		var errb bytes.Buffer
		std := cli.IO{In: strings.NewReader(""), Out: tty, Err: &errb}
		// the input does not exist: the refusal must come before any reading
		status := cli.Run(NewCommand(std), []string{"--proto=6", "--pass=" + dest, "/nonexistent/flows"}, std)
		want := "gfilter: Will not write binary data on a terminal '" + dest + "'\ngfilter: hint: write to a file (--pass=FILE) or into a pipe (| gstats ...)\n"
		if status != 1 || errb.String() != want {
			t.Errorf("--pass=%s on a terminal: status %d, %q; want %q", dest, status, errb.String(), want)
		}
	}
	// statistics on a terminal are text and fine
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.gf")
	writeStream(t, file, fixtureFlows(t), 0)
	var errb bytes.Buffer
	std := cli.IO{In: strings.NewReader(""), Out: tty, Err: &errb}
	if status := cli.Run(NewCommand(std), []string{"--proto=6", "--print-stat", file}, std); status != 0 {
		t.Errorf("--print-statistics with a terminal stdout: status %d, %s", status, errb.String())
	}
}

// BenchmarkFilterBlock measures the per-record work of gfilter on decoded
// records: the test and the copy of passing records (without encoding
// them).
func BenchmarkFilterBlock(b *testing.B) {
	recs := make([]flowfile.Record, flowfile.DefaultBlockRecords)
	flowgen.New(7, flowgen.Options{}).Fill(recs)
	f, err := compileArgs("protocol", "6", "dport", "443")
	if err != nil {
		b.Fatal(err)
	}
	bt := new(batch)
	lw := laneWork{f: f, want: wants{pass: true}}
	b.ReportAllocs()
	for b.Loop() {
		bt.reset()
		lw.filterBlock(bt, recs)
	}
	n := float64(b.N) * float64(len(recs))
	b.ReportMetric(n/b.Elapsed().Seconds()/1e6, "Mrecords/s")
}

func compileArgs(kv ...string) (*filter.Filter, error) {
	var pairs [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, [2]string{kv[i], kv[i+1]})
	}
	return filter.Compile(pairs...)
}
