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
