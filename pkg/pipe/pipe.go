// Package pipe connects gflow's tools to each other: binary record streams
// on standard input and output and on named files, in the flow file format
// of package flowfile.
//
// Tools follow SiLK's habits. They refuse to write binary records to a
// terminal (CheckNotTerminal, before reading any input) and to read them
// from one. They end quietly with status 0 when the reader downstream goes
// away (`gfilter ... | head -c 100`): for that a tool calls HandleSIGPIPE
// at start-up, so that a write to a closed standard output returns EPIPE
// instead of killing the process, and treats IsClosedPipe(err) as a normal
// end.
package pipe

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gflow/gflow/pkg/flowfile"
	"golang.org/x/term"
)

// StreamCodec is the codec of streams written by Create. Through a pipe,
// writer and reader together spend least CPU with S2 (BenchmarkPipe in
// pkg/flowfile, bench/flowfile.md), and streams are a third smaller than
// uncompressed ones.
const StreamCodec = flowfile.CodecS2

// ClobberEnv names the environment variable that, when non-empty, lets
// Create overwrite an existing output file.
const ClobberEnv = "GFLOW_CLOBBER"

// Create opens dest for a binary record stream and writes the stream
// header. dest is "stdout" or "-" for stdout, "stderr" for standard error,
// or a path; an existing file is refused unless GFLOW_CLOBBER is set. A
// terminal is refused with SiLK's message
// "Will not write binary data on a terminal 'stdout'".
// Closing the Writer closes a file Create opened, never stdout or stderr.
func Create(dest string, stdout io.Writer) (*flowfile.Writer, error) {
	return CreateHeader(dest, stdout, flowfile.Header{Kind: flowfile.KindStream, Codec: StreamCodec})
}

// CreateHeader is Create with the caller's header (for example an hourly
// file's header, or another codec).
func CreateHeader(dest string, stdout io.Writer, hdr flowfile.Header) (*flowfile.Writer, error) {
	if err := CheckNotTerminal(dest, stdout); err != nil {
		return nil, err
	}
	switch dest {
	case "stdout", "-":
		return flowfile.NewWriter(stdout, hdr)
	case "stderr":
		return flowfile.NewWriter(os.Stderr, hdr)
	case "":
		return nil, errors.New("no output named")
	}
	if fi, err := os.Stat(dest); err == nil && !fi.Mode().IsRegular() {
		// A device or a named pipe (/dev/null, mkfifo): write into it,
		// as SiLK does; only regular files are protected from clobbering.
		f, err := os.OpenFile(dest, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		w, err := flowfile.NewWriteCloser(f, hdr)
		if err != nil {
			f.Close()
			return nil, err
		}
		return w, nil
	}
	if os.Getenv(ClobberEnv) != "" {
		if err := os.Remove(dest); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return flowfile.Create(dest, hdr)
}

// CheckNotTerminal returns SiLK's error if dest names a terminal: stdout
// ("stdout", "-") when stdout is one, "stderr" when standard error is one,
// or a path to a terminal device. Tools call it before reading any input.
func CheckNotTerminal(dest string, stdout io.Writer) error {
	var tty bool
	switch dest {
	case "stdout", "-":
		tty = isTerminal(stdout)
	case "stderr":
		tty = isTerminal(os.Stderr)
	default:
		if fi, err := os.Stat(dest); err == nil && fi.Mode()&fs.ModeCharDevice != 0 {
			if f, err := os.OpenFile(dest, os.O_WRONLY, 0); err == nil {
				tty = term.IsTerminal(int(f.Fd()))
				f.Close()
			}
		}
	}
	if tty {
		//lint:ignore ST1005 SiLK's exact wording, which users and scripts know
		return fmt.Errorf("Will not write binary data on a terminal '%s'", dest)
	}
	return nil
}

type fder interface{ Fd() uintptr }

func isTerminal(v any) bool {
	f, ok := v.(fder)
	return ok && term.IsTerminal(int(f.Fd()))
}

// IsClosedPipe reports whether err means the reader of the output went
// away (EPIPE, "broken pipe", a closed file or pipe), which a tool treats
// as a normal end with status 0.
func IsClosedPipe(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
		return true
	}
	return strings.Contains(err.Error(), "broken pipe")
}

// HandleSIGPIPE makes writes to a closed stdout return EPIPE instead of
// killing the process. Without it the Go runtime ends a program that
// writes to a broken pipe on file descriptor 1 or 2 with SIGPIPE (status
// 141 in a shell), before the tool can end quietly. Call it once at
// start-up, before writing.
func HandleSIGPIPE() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

// IsStream reports whether dest (as Create takes it) is read as it is
// written: a pipe, a device or a named pipe rather than a regular file.
// A tool that passes on some records of a block may then write the
// block whole with a selection (flowfile.Writer.WriteSelected), which
// costs a copy, instead of encoding the records again; into a regular
// file, which is kept, it writes only the records, which take less room.
func IsStream(dest string, stdout io.Writer) bool {
	var fi os.FileInfo
	var err error
	switch dest {
	case "stdout", "-":
		f, ok := stdout.(*os.File)
		if !ok {
			return true // an in-process writer
		}
		fi, err = f.Stat()
	case "stderr":
		fi, err = os.Stderr.Stat()
	default:
		fi, err = os.Stat(dest)
	}
	return err == nil && !fi.Mode().IsRegular()
}
