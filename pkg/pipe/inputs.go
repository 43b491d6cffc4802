package pipe

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
)

// InputList iterates over a tool's inputs in order, opening each only
// when it is reached:
//
//	in := pipe.Inputs(names, stdin)
//	defer in.Close()
//	for in.Next() {
//		r := in.Reader() // the current input's records
//		...
//	}
//	if err := in.Err(); err != nil { ... }
type InputList struct {
	names []string
	stdin io.Reader
	i     int
	cur   *flowfile.Reader
	close []io.Closer // of the current input
	err   error
}

// Inputs returns the inputs named, in order. "-" and "stdin" mean stdin;
// no names at all means stdin alone. Names ending in ".gz" are gunzipped.
// Binary records are not read from a terminal.
func Inputs(names []string, stdin io.Reader) *InputList {
	if len(names) == 0 {
		names = []string{"stdin"}
	}
	return &InputList{names: names, stdin: stdin, i: -1}
}

// Next opens the next input and reports whether there is one. It returns
// false at the end or on an error (see Err).
func (in *InputList) Next() bool {
	in.closeCurrent()
	if in.err != nil {
		return false
	}
	in.i++
	if in.i >= len(in.names) {
		return false
	}
	r, err := in.open(in.names[in.i])
	if err != nil {
		in.err = err
		in.closeCurrent()
		return false
	}
	in.cur = r
	return true
}

func (in *InputList) open(name string) (*flowfile.Reader, error) {
	var src io.Reader
	display := name
	if name == "-" || name == "stdin" {
		if isTerminal(in.stdin) {
			//lint:ignore ST1005 SiLK's wording
			return nil, fmt.Errorf("Will not read binary data from a terminal '%s'", name)
		}
		src = &countingReader{r: in.stdin}
		display = "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		in.close = append(in.close, f)
		src = f
	}
	if strings.HasSuffix(name, ".gz") {
		z, err := gzip.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", display, err)
		}
		in.close = append(in.close, z)
		src = z
	}
	r, err := flowfile.NewReader(src)
	if err != nil {
		if c, ok := src.(*countingReader); ok && c.n == 0 && errors.Is(err, flowfile.ErrTruncatedHeader) {
			err = ErrEmptyStdin
		}
		return nil, fmt.Errorf("%s: %w", display, err)
	}
	r.SetName(display)
	return r, nil
}

// ErrEmptyStdin is standard input that ended before its first byte: in a
// pipe, the command before it failed (its own message is above) or wrote
// nothing; "truncated file header" would send the user looking in the
// wrong place.
var ErrEmptyStdin = errors.New("the input was empty; the command before it probably failed")

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// Name returns the current input's name ("stdin" for standard input).
func (in *InputList) Name() string {
	if in.cur == nil {
		return ""
	}
	return in.cur.Name()
}

// Reader returns the current input's reader, valid until Next.
func (in *InputList) Reader() *flowfile.Reader { return in.cur }

// Err returns the error that stopped Next, if any.
func (in *InputList) Err() error { return in.err }

// Close closes the current input.
func (in *InputList) Close() error {
	in.closeCurrent()
	return nil
}

func (in *InputList) closeCurrent() {
	if in.cur != nil {
		in.cur.Close()
		in.cur = nil
	}
	for i := len(in.close) - 1; i >= 0; i-- {
		in.close[i].Close()
	}
	in.close = in.close[:0]
}
