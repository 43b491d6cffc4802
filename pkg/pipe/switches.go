package pipe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/spf13/pflag"
)

// InputSwitches are the input switches SiLK's analysis tools (rwcut,
// rwstats, rwcount) share:
//
//	--xargs[=FILE]       read the names of the input files from FILE, or
//	                     from standard input, one per line
//	--print-filenames    name each input on standard error as it is opened
//	--copy-input=PATH    copy every record read to PATH (a file, a named
//	                     pipe or stdout) as a flow stream, for a tool
//	                     further down a pipe (gstats ... --copy-input=- |
//	                     gcut ...)
type InputSwitches struct {
	xargs, copyInput string
	printFilenames   bool
	fs               *pflag.FlagSet
}

// Register adds the switches to fs.
func (s *InputSwitches) Register(fs *pflag.FlagSet) {
	s.fs = fs
	fs.StringVar(&s.xargs, "xargs", "", "Read the names of the input files from this `FILE`, one per line, or from standard input without a value")
	fs.Lookup("xargs").NoOptDefVal = "-"
	fs.BoolVar(&s.printFilenames, "print-filenames", false, "Print the name of each input file on standard error as it is opened")
	fs.StringVar(&s.copyInput, "copy-input", "", "Copy every record read to this `PATH` (file, named pipe or stdout) as a flow stream")
}

// Copying reports whether --copy-input was given: the tool then reads
// every field of every record, in input order.
func (s *InputSwitches) Copying() bool { return s.copyInput != "" }

// Inputs resolves the switches into the tool's inputs, with SiLK's checks
// and words: the files named in args, or those --xargs lists. textToStdout
// says whether the tool's own output goes to standard output, which
// --copy-input=stdout may not share. The copy stream, if any, is opened
// here; Close on the list finishes it.
func (s *InputSwitches) Inputs(args []string, std cli.IO, textToStdout bool) (*InputList, error) {
	names := args
	if s.fs != nil && s.fs.Changed("xargs") {
		if strings.TrimSpace(s.xargs) == "" {
			return nil, cli.Usagef("Invalid xargs: Argument contains only whitespace")
		}
		if len(args) > 0 {
			return nil, cli.Usagef("May not use --xargs and give files on command line")
		}
		var err error
		if names, err = ReadXargs(s.xargs, std.In); err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, errors.New("No input files were listed by --xargs")
		}
	}
	in := Inputs(names, std.In)
	if s.printFilenames {
		in.printNames = std.Err
	}
	if s.copyInput != "" {
		if strings.TrimSpace(s.copyInput) == "" {
			return nil, cli.Usagef("Invalid copy-input: Argument contains only whitespace")
		}
		if isStdout(s.copyInput) && textToStdout {
			return nil, errors.New("May not use stdout for multiple output streams")
		}
		w, err := Create(s.copyInput, std.Out)
		if err != nil {
			return nil, err
		}
		in.copy = w
	}
	return in, nil
}

func isStdout(name string) bool { return name == "-" || name == "stdout" }

// TextToStdout reports whether a tool's text, sent to outputPath (its
// --output-path; empty for none), goes to standard output.
func TextToStdout(outputPath string) bool { return outputPath == "" || isStdout(outputPath) }

// ReadXargs reads the names of input files, one per line, from name
// ("-" or "stdin": standard input), as --xargs does; blank lines are
// skipped.
func ReadXargs(name string, stdin io.Reader) ([]string, error) {
	r := stdin
	if name != "-" && name != "stdin" {
		f, err := os.Open(name)
		if err != nil {
			return nil, silkerr.OpenError(name, err)
		}
		defer f.Close()
		r = f
	}
	var names []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			names = append(names, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, silkerr.ReadError(name, err)
	}
	return names, nil
}

// Copy writes the records of the current input to the --copy-input
// stream, if there is one. Tools call it with every block they read, in
// input order.
func (in *InputList) Copy(recs []flowfile.Record) error {
	if in.copy == nil || len(recs) == 0 {
		return nil
	}
	if err := in.copy.WriteBlock(recs); err != nil {
		return fmt.Errorf("copy-input: %w", err)
	}
	return nil
}

// Copying reports whether the records read are copied (--copy-input).
func (in *InputList) Copying() bool { return in.copy != nil }
