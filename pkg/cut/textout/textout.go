// Package textout opens where gcut and gcount write their text: a file
// named by --output-path, standard error, or standard output, through the
// pager when standard output is a terminal and no --output-path was given
// (SiLK's rule: an explicit --output-path=stdout never pages).
package textout

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cli/silkerr"
)

// Writer is buffered text output; Close flushes it and closes the file or
// waits for the pager.
type Writer struct {
	*bufio.Writer
	c    io.Closer
	name string // for errors: the file, stdout or stderr
}

// Open opens the destination. outputPath "" means standard output through
// the pager (pagerFlag, else $GFLOW_PAGER/$PAGER) when it is a terminal;
// "stdout" or "-" standard output, "stderr" standard error, anything else
// a file, created or truncated.
func Open(outputPath, pagerFlag string, std cli.IO) (*Writer, error) {
	switch outputPath {
	case "":
		p, err := cli.Pager(std, pagerFlag)
		if err != nil {
			return nil, err
		}
		return &Writer{bufio.NewWriterSize(p, 64<<10), p, "stdout"}, nil
	case "stdout", "-":
		return &Writer{bufio.NewWriterSize(std.Out, 64<<10), nopCloser{}, "stdout"}, nil
	case "stderr":
		return &Writer{bufio.NewWriterSize(std.Err, 64<<10), nopCloser{}, "stderr"}, nil
	}
	f, err := os.Create(outputPath)
	if err != nil {
		// rwcut's and rwcount's words
		return nil, fmt.Errorf("Cannot open '%s': %s", outputPath, silkerr.Strerror(err))
	}
	return &Writer{bufio.NewWriterSize(f, 64<<10), f, outputPath}, nil
}

// Close flushes the text and closes the destination.
func (w *Writer) Close() error {
	err := w.Flush()
	if cerr := w.c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return w.WriteError(err)
	}
	return nil
}

// WriteError words an error writing to the destination as SiLK does:
// "Error writing to stream 'NAME': No space left on device".
func (w *Writer) WriteError(err error) error { return silkerr.WriteError(w.name, err) }

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
