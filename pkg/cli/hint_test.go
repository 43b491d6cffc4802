package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// valueError is an error type of a package that does not import cli and
// gives its hint through the Hinter interface.
type valueError struct{ value, hint string }

func (e *valueError) Error() string { return fmt.Sprintf("Invalid scc '%s'", e.value) }
func (e *valueError) Hint() string  { return e.hint }

func hintCommand(err error) func(IO) *cobra.Command {
	return func(IO) *cobra.Command {
		return &cobra.Command{Use: "gtest", RunE: func(*cobra.Command, []string) error { return err }}
	}
}

func TestHintLine(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"work error", Hint(errors.New("No output(s) specified"), "add --pass=stdout and pipe it: gfilter ... | gstats"),
			"gtest: No output(s) specified\ngtest: hint: add --pass=stdout and pipe it: gfilter ... | gstats\n"},
		// the hint comes right after the error, before SiLK's usage line
		{"usage error", UsageError(Hint(errors.New("bad switch"), "type --count=10")),
			"gtest: bad switch\ngtest: hint: type --count=10\nUse 'gtest --help' for usage\n"},
		{"hint around a usage error", Hint(Usagef("bad switch"), "type --count=10"),
			"gtest: bad switch\ngtest: hint: type --count=10\nUse 'gtest --help' for usage\n"},
		// an error type with a Hint method, wrapped with context
		{"Hinter in the chain", fmt.Errorf("reading: %w", &valueError{"uk", "did you mean gb?"}),
			"gtest: reading: Invalid scc 'uk'\ngtest: hint: did you mean gb?\n"},
		// an empty Hint() is no hint: the next one out or in counts
		{"empty hint", Hint(&valueError{"zz", ""}, "outer"), "gtest: Invalid scc 'zz'\ngtest: hint: outer\n"},
		{"no hint", &valueError{"zz", ""}, "gtest: Invalid scc 'zz'\n"},
		// a hint never spreads over lines
		{"one line", Hint(errors.New("x"), "a\nb"), "gtest: x\ngtest: hint: a; b\n"},
		{"joined", errors.Join(errors.New("first"), Hint(errors.New("second"), "h")), "gtest: first; second\ngtest: hint: h\n"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		std := IO{In: strings.NewReader(""), Out: &out, Err: &errb}
		if st := Run(hintCommand(tt.err)(std), nil, std); st != 1 {
			t.Errorf("%s: status %d", tt.name, st)
		}
		if errb.String() != tt.want {
			t.Errorf("%s: stderr\n%q\nwant\n%q", tt.name, errb.String(), tt.want)
		}
	}
	if Hint(nil, "x") != nil {
		t.Error("Hint(nil) is not nil")
	}
}

func TestWarnfAndHintf(t *testing.T) {
	var b bytes.Buffer
	Warnf(&b, "gstats", "%s: corrupt block %d at offset %d", "f.gf", 2, 4096)
	Hintf(&b, "gstats", "run gfileinfo %s", "f.gf")
	want := "gstats: warning: f.gf: corrupt block 2 at offset 4096\ngstats: hint: run gfileinfo f.gf\n"
	if b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
	}
}

// Bytes a terminal must not get are escaped in every line a tool prints
// about an error, and a long message of binary junk keeps its start and
// end; text in any script passes unchanged.
func TestMessagesArePrintable(t *testing.T) {
	junk := "\x7fELF\x02\x01\x01\x00" + strings.Repeat("\x00\x00\x3e\x00\xff\xfe", 40)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"control bytes", errors.New("Invalid scc '\x01\x1b[31m'"), "gtest: Invalid scc '\\x01\\x1b[31m'\n"},
		{"not UTF-8", errors.New("Invalid start-date '2026\xff'"), "gtest: Invalid start-date '2026\\xff'\n"},
		{"C1 control", errors.New("bad \u009b value"), "gtest: bad \\u009b value\n"},
		{"UTF-8 and tabs unchanged", errors.New("open /data/Zürich/東京\tx.gf: no such file"), "gtest: open /data/Zürich/東京\tx.gf: no such file\n"},
		{"hint too", Hint(errors.New("x"), "type '\x00'"), "gtest: x\ngtest: hint: type '\\x00'\n"},
		{"long junk shortened", fmt.Errorf("-: Unable to determine fields from first line: No match was found for the field '%s'", junk),
			"gtest: -: Unable to determine fields from first line: No match was found for the field '\\x7fELF\\x02\\x01\\x01\\x00\\x00 ... \\x00\\xff\\xfe\\x00\\x00>\\x00\\xff\\xfe\\x00\\x00>\\x00\\xff\\xfe'\n"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		std := IO{In: strings.NewReader(""), Out: &out, Err: &errb}
		Run(hintCommand(tt.err)(std), nil, std)
		if errb.String() != tt.want {
			t.Errorf("%s: stderr\n%q\nwant\n%q", tt.name, errb.String(), tt.want)
		}
	}
	var b bytes.Buffer
	Warnf(&b, "gstats", "%s: not a flow file", "a\x1b]0;owned\x07.gf")
	if want := "gstats: warning: a\\x1b]0;owned\\x07.gf: not a flow file\n"; b.String() != want {
		t.Errorf("warning %q, want %q", b.String(), want)
	}
}
