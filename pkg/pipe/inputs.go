package pipe

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cli/silkerr"
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

	implicit   bool             // no input was named: standard input
	printNames io.Writer        // --print-filenames: where to name each input opened
	copy       *flowfile.Writer // --copy-input: where the records read go

	warn   func(error) // set by SkipBad
	always bool        // SkipBad: warn even for a single input
	read   int         // inputs opened
	bad    int         // inputs skipped
}

// Inputs returns the inputs named, in order. "-" and "stdin" mean stdin;
// no names at all means stdin alone. Names ending in ".gz" are gunzipped.
// Binary records are not read from a terminal.
func Inputs(names []string, stdin io.Reader) *InputList {
	implicit := len(names) == 0
	if implicit {
		names = []string{"-"}
	}
	return &InputList{names: names, stdin: stdin, i: -1, implicit: implicit}
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
	for ; in.i < len(in.names); in.i++ {
		r, err := in.open(in.names[in.i])
		if err == nil {
			in.cur = r
			in.read++
			return true
		}
		in.closeCurrent()
		if in.warn == nil || (len(in.names) == 1 && !in.always) {
			in.err = err
			return false
		}
		in.skip(err)
	}
	in.end()
	return false
}

// SkipBad makes the list go on past an input that cannot be read, as
// SiLK's rwfilter does: a file that is missing, unreadable, a directory,
// empty, not a flow file or whose header is damaged, or one that fails
// in the middle (Bad). warn gets the error, which names the input, and
// the next input is read. When the inputs are the user's one file, its
// error is Err instead, unless always is set (a repository query, whose
// files the user did not name); when none of several inputs could be
// read, Err says so.
func (in *InputList) SkipBad(always bool, warn func(error)) {
	in.warn, in.always = warn, always
}

// Bad reports that the current input failed in the middle with err (not
// a corrupt block, which its Reader reports and goes past): with SkipBad,
// warn gets it and Bad returns nil, so the caller goes on with the next
// input; without, or for the user's one file, it returns err with the
// input's name.
func (in *InputList) Bad(err error) error {
	err = fmt.Errorf("%s: %w", in.Name(), err)
	if in.warn == nil || (len(in.names) == 1 && !in.always) {
		return err
	}
	in.read--
	in.closeCurrent()
	in.skip(err)
	return nil
}

func (in *InputList) skip(err error) {
	in.bad++
	in.warn(err)
}

// end sets the error of a list none of whose inputs could be read.
func (in *InputList) end() {
	if in.read == 0 && in.bad > 1 && !in.always {
		in.err = fmt.Errorf("none of the %d inputs could be read", in.bad)
	}
}

// open opens one input. Its errors are worded as SiLK's streams word
// them: "Error opening file 'F': No such file or directory", "File does
// not appear to be a SiLK data file 'F'".
func (in *InputList) open(name string) (*flowfile.Reader, error) {
	var src io.Reader
	display := name
	if name == "-" || name == "stdin" {
		if isTerminal(in.stdin) {
			// SiLK's words; gflow's hint says what to type
			hint := "pipe flows in (gfilter --scc=ch | ...) or name flow files on the command line"
			if in.implicit {
				return nil, &hintedError{err: ErrTerminalStdin, hint: hint}
			}
			//lint:ignore ST1005 SiLK's wording
			return nil, &hintedError{err: fmt.Errorf("Will not read binary data on a terminal '%s'", name), hint: hint}
		}
		src = &countingReader{r: in.stdin}
		display = "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, InputError(name, err)
		}
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			f.Close()
			return nil, silkerr.ReadError(name, syscall.EISDIR)
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
		if display == "stdin" {
			return nil, fmt.Errorf("%s: %w", display, err)
		}
		return nil, InputError(name, err)
	}
	r.SetName(display)
	if in.printNames != nil {
		fmt.Fprintln(in.printNames, name)
	}
	return r, nil
}

// ErrTerminalStdin is a tool with no input named whose standard input is
// a terminal, in SiLK's words; it is an error in how the tool was run.
var ErrTerminalStdin = cli.UsageError(errors.New("No input files specified on the command line and standard input is a terminal"))

// ErrEmptyStdin is standard input that ended before its first byte: in a
// pipe, the command before it failed (its own message is above) or wrote
// nothing; "truncated file header" would send the user looking in the
// wrong place.
var ErrEmptyStdin = errors.New("the input was empty; the command before it probably failed")

// hintedError is an error with a hint line, printed by pkg/cli: what to
// type instead.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }
func (e *hintedError) Hint() string  { return e.hint }

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
//
// With SkipBad, inputs that could not be read were passed to its warn
// and are not errors, unless none could be read.
func (in *InputList) Err() error { return in.err }

// Close closes the current input and finishes the --copy-input stream;
// its error is the copy's. Closing twice is harmless.
func (in *InputList) Close() error {
	in.closeCurrent()
	if in.copy == nil {
		return nil
	}
	w := in.copy
	in.copy = nil
	if err := w.Close(); err != nil && !IsClosedPipe(err) {
		return fmt.Errorf("copy-input: %w", err)
	}
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

// InputError words the error of opening or starting to read the input
// name as SiLK's streams word it: "Error opening file 'F': No such file or
// directory", "Error reading from stream 'F': Is a directory", "File does
// not appear to be a SiLK data file 'F'" (neither gflow's nor SiLK's).
// Other errors get the name in front.
func InputError(name string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe) && pe.Op == "open":
		return silkerr.OpenError(name, pe.Err)
	case errors.As(err, &pe) && pe.Op == "read":
		return silkerr.ReadError(name, pe.Err)
	case errors.Is(err, flowfile.ErrNotFlowFile):
		return silkerr.NotSilk(name, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}
