package pipe_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
	"golang.org/x/sys/unix"
)

func records(n int) []flowfile.Record {
	recs := make([]flowfile.Record, n)
	flowgen.New(11, flowgen.Options{}).Fill(recs)
	// Every field set, IPv4 and IPv6, so the stream carries them all.
	rng := rand.New(rand.NewSource(3))
	for i := range recs {
		r := &recs[i]
		r.InitFlags, r.SessionFlags = uint8(rng.Intn(256)), uint8(rng.Intn(256))
		r.Application, r.SamplingRate = uint16(rng.Intn(65536)), uint32(rng.Intn(1000))
		r.SrcAS, r.DstAS = rng.Uint32(), rng.Uint32()
		if i%7 == 0 {
			r.NhIP = netip.MustParseAddr("2001:db8::99")
		}
	}
	return recs
}

func writeStream(t *testing.T, w *flowfile.Writer, recs []flowfile.Record) {
	t.Helper()
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func readInputs(t *testing.T, in *pipe.InputList) []flowfile.Record {
	t.Helper()
	defer in.Close()
	var out []flowfile.Record
	for in.Next() {
		r := in.Reader()
		for {
			blk, err := r.NextBlock()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", in.Name(), err)
			}
			out = append(out, blk...)
		}
	}
	if err := in.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func same(t *testing.T, got, want []flowfile.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestStdoutRoundTrip(t *testing.T) {
	recs := records(70000) // more than one full block
	for _, dest := range []string{"stdout", "-"} {
		var buf bytes.Buffer
		w, err := pipe.Create(dest, &buf)
		if err != nil {
			t.Fatal(err)
		}
		if w.Header().Codec != pipe.StreamCodec || w.Header().Kind != flowfile.KindStream {
			t.Errorf("stream header %+v", w.Header())
		}
		writeStream(t, w, recs)
		for _, name := range []string{"-", "stdin"} {
			data := bytes.NewReader(buf.Bytes())
			same(t, readInputs(t, pipe.Inputs([]string{name}, data)), recs)
		}
		// No names at all means stdin.
		same(t, readInputs(t, pipe.Inputs(nil, bytes.NewReader(buf.Bytes()))), recs)
	}
}

func TestFilesInOrderAndGzip(t *testing.T) {
	dir := t.TempDir()
	recs := records(5000)
	a, b := filepath.Join(dir, "a.gf"), filepath.Join(dir, "b.gf.gz")
	w, err := pipe.Create(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeStream(t, w, recs[:2000])
	var buf bytes.Buffer
	w, _ = pipe.Create("stdout", &buf)
	writeStream(t, w, recs[2000:])
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(buf.Bytes())
	zw.Close()
	os.WriteFile(b, gz.Bytes(), 0o644)
	same(t, readInputs(t, pipe.Inputs([]string{a, b}, nil)), recs)

	in := pipe.Inputs([]string{a, filepath.Join(dir, "missing")}, nil)
	defer in.Close()
	for in.Next() {
	}
	if !errors.Is(in.Err(), fs.ErrNotExist) {
		t.Errorf("missing input: %v", in.Err())
	}
}

func TestExistingOutputRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.gf")
	os.WriteFile(path, []byte("keep me"), 0o644)
	t.Setenv(pipe.ClobberEnv, "")
	if _, err := pipe.Create(path, nil); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("existing file: %v, want ErrExist", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "keep me" {
		t.Fatal("refused output was changed")
	}
	t.Setenv(pipe.ClobberEnv, "1")
	w, err := pipe.Create(path, nil)
	if err != nil {
		t.Fatalf("with %s set: %v", pipe.ClobberEnv, err)
	}
	writeStream(t, w, records(10))
	same(t, readInputs(t, pipe.Inputs([]string{path}, nil)), records(10))
}

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pty: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

func TestTerminalRefused(t *testing.T) {
	_, tty := openPTY(t)
	for _, dest := range []string{"stdout", "-"} {
		err := pipe.CheckNotTerminal(dest, tty)
		want := "Will not write binary data on a terminal '" + dest + "'"
		if err == nil || err.Error() != want {
			t.Errorf("CheckNotTerminal(%q, tty) = %v, want %q", dest, err, want)
		}
		if _, err := pipe.Create(dest, tty); err == nil || err.Error() != want {
			t.Errorf("Create(%q, tty) = %v, want %q", dest, err, want)
		}
	}
	if err := pipe.CheckNotTerminal(tty.Name(), nil); err == nil {
		t.Errorf("a path to a terminal (%s) was not refused", tty.Name())
	}
	if err := pipe.CheckNotTerminal("stdout", &bytes.Buffer{}); err != nil {
		t.Errorf("a buffer was refused: %v", err)
	}
	in := pipe.Inputs([]string{"-"}, tty)
	if in.Next() || in.Err() == nil || !strings.Contains(in.Err().Error(), "terminal") {
		t.Errorf("reading binary from a terminal: %v, want a refusal", in.Err())
	}
}

func TestIsClosedPipe(t *testing.T) {
	for _, err := range []error{
		syscall.EPIPE,
		&fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE},
		fmt.Errorf("write block 3: %w", os.ErrClosed),
		io.ErrClosedPipe,
		errors.New("write |1: broken pipe"),
	} {
		if !pipe.IsClosedPipe(err) {
			t.Errorf("IsClosedPipe(%v) = false", err)
		}
	}
	for _, err := range []error{nil, io.EOF, syscall.ENOSPC, errors.New("disk full")} {
		if pipe.IsClosedPipe(err) {
			t.Errorf("IsClosedPipe(%v) = true", err)
		}
	}
}

// TestClosedPipeEndsQuietly runs a producer whose stdout goes into
// `head -c 10`: with HandleSIGPIPE it must end with status 0 and say
// nothing; without it Go's runtime kills it with SIGPIPE, which is why
// tools call HandleSIGPIPE.
func TestClosedPipeEndsQuietly(t *testing.T) {
	head, err := exec.LookPath("head")
	if err != nil {
		t.Skip("no head(1)")
	}
	for _, handle := range []bool{true, false} {
		t.Run(fmt.Sprintf("HandleSIGPIPE=%v", handle), func(t *testing.T) {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			var headOut, stderr bytes.Buffer
			hc := exec.Command(head, "-c", "10")
			hc.Stdin, hc.Stdout = pr, &headOut
			producer := exec.Command(os.Args[0], "-test.run=^TestProducerChild$")
			producer.Env = append(os.Environ(), fmt.Sprintf("GFLOW_PIPE_CHILD=%v", handle))
			producer.Stdout, producer.Stderr = pw, &stderr
			if err := hc.Start(); err != nil {
				t.Fatal(err)
			}
			if err := producer.Start(); err != nil {
				t.Fatal(err)
			}
			pr.Close()
			pw.Close()
			perr := producer.Wait()
			hc.Wait()
			if headOut.Len() != 10 {
				t.Errorf("head read %d bytes", headOut.Len())
			}
			if handle {
				if perr != nil || stderr.Len() != 0 {
					t.Errorf("producer: %v, stderr %q; want status 0 and no output", perr, stderr.String())
				}
				return
			}
			var ee *exec.ExitError
			if !errors.As(perr, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGPIPE {
				t.Errorf("without HandleSIGPIPE: %v, want death by SIGPIPE", perr)
			}
		})
	}
}

// TestProducerChild is the producer of TestClosedPipeEndsQuietly: it
// writes records to stdout until the pipe closes, as gfilter does.
func TestProducerChild(t *testing.T) {
	mode := os.Getenv("GFLOW_PIPE_CHILD")
	if mode == "" {
		t.Skip("run by TestClosedPipeEndsQuietly")
	}
	if mode == "true" {
		pipe.HandleSIGPIPE()
	}
	w, err := pipe.Create("stdout", os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "producer:", err)
		os.Exit(1)
	}
	recs := records(1000)
	for {
		err := w.WriteBlock(recs)
		if err == nil {
			err = w.Flush()
		}
		if pipe.IsClosedPipe(err) {
			os.Exit(0)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "producer:", err)
			os.Exit(1)
		}
	}
}

// TestDeviceAndFIFO: --pass=/dev/null and named pipes are written into,
// not refused as existing files.
func TestDeviceAndFIFO(t *testing.T) {
	t.Setenv(pipe.ClobberEnv, "")
	w, err := pipe.Create(os.DevNull, nil)
	if err != nil {
		t.Fatalf("Create(%s): %v", os.DevNull, err)
	}
	writeStream(t, w, records(100))

	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan []flowfile.Record, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		in := pipe.Inputs([]string{"-"}, f)
		var recs []flowfile.Record
		for in.Next() {
			for {
				run, err := in.Reader().NextRun()
				if err != nil {
					break
				}
				recs = append(recs, run...)
			}
		}
		got <- recs
	}()
	w, err = pipe.Create(fifo, nil)
	if err != nil {
		t.Fatalf("Create(fifo): %v", err)
	}
	writeStream(t, w, records(3000))
	same(t, <-got, records(3000))
}

// Standard input that ends before its first byte is the command before it
// failing, and is said so; a few bytes are a truncated stream, as before.
func TestEmptyStdin(t *testing.T) {
	in := pipe.Inputs(nil, strings.NewReader(""))
	if in.Next() {
		t.Fatal("an empty standard input has records")
	}
	if err := in.Err(); !errors.Is(err, pipe.ErrEmptyStdin) ||
		err.Error() != "stdin: the input was empty; the command before it probably failed" {
		t.Errorf("empty stdin: %v", err)
	}
	in = pipe.Inputs([]string{"-"}, strings.NewReader("GF"))
	if in.Next() {
		t.Fatal("two bytes have records")
	}
	if err := in.Err(); errors.Is(err, pipe.ErrEmptyStdin) || !errors.Is(err, flowfile.ErrTruncatedHeader) {
		t.Errorf("two bytes on stdin: %v, want a truncated header", err)
	}
}
