package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/spf13/cobra"
)

func numberCommand(IO) *cobra.Command {
	var n uint64
	var f float64
	var i int
	c := &cobra.Command{Use: "gtest", RunE: func(*cobra.Command, []string) error { return nil }}
	Uint64Var(c.Flags(), &n, "count", 10, 0, 0, "")
	Float64Var(c.Flags(), &f, "percentage", 0, 0, 100, "")
	IntVar(c.Flags(), &i, "threads", 1, 1, 0, "")
	return c
}

// A bad number reads as SiLK's tools word it, with SiLK's usage line.
func TestNumberSwitches(t *testing.T) {
	for _, c := range []struct{ arg, want string }{
		{"--count=abc", "gtest: Invalid count 'abc': Unexpected character 'a'\nUse 'gtest --help' for usage\n"},
		{"--count=-1", "gtest: Invalid count '-1': Unexpected character '-'\nUse 'gtest --help' for usage\n"},
		{"--percentage=150", "gtest: Invalid percentage '150': Value is above maximum of 100.000000\nUse 'gtest --help' for usage\n"},
		{"--thr=0", "gtest: Invalid threads '0': Value is below minimum of 1\nUse 'gtest --help' for usage\n"},
		{"--count=5", ""},
	} {
		var out, errb bytes.Buffer
		std := IO{In: strings.NewReader(""), Out: &out, Err: &errb}
		Run(numberCommand(std), []string{c.arg}, std)
		if errb.String() != c.want {
			t.Errorf("%s: stderr %q, want %q", c.arg, errb.String(), c.want)
		}
	}
}

// SiLK's follow-up lines come right after the error, then gflow's hint,
// then SiLK's usage line.
func TestFollowLines(t *testing.T) {
	err := UsageError(&silkerr.ValueError{Switch: "scc", Value: "usa", Processed: true, Fix: "did you mean --scc=us (United States)?"})
	var out, errb bytes.Buffer
	std := IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	Run(hintCommand(err)(std), nil, std)
	want := "gtest: Invalid scc 'usa'\ngtest: Error processing --scc option: 'usa'\ngtest: hint: did you mean --scc=us (United States)?\nUse 'gtest --help' for usage\n"
	if errb.String() != want {
		t.Errorf("stderr\n%s\nwant\n%s", errb.String(), want)
	}
}
