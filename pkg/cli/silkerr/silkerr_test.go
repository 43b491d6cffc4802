package silkerr

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
)

// The reasons are SiLK 3.19.1's (sku-string.c), for the values users
// mistype most.
func TestParseUint(t *testing.T) {
	for _, c := range []struct {
		in       string
		min, max uint64
		want     uint64
		reason   string
	}{
		{"10", 0, 0, 10, ""},
		{" 10 ", 0, 0, 10, ""},
		{"+7", 0, 0, 7, ""},
		{"abc", 0, 0, 0, "Unexpected character 'a'"},
		{"-1", 0, 0, 0, "Unexpected character '-'"},
		{"10x", 0, 0, 0, "Extra text follows value"},
		{"10 x", 0, 0, 0, "Extra text follows value"},
		{"", 0, 0, 0, "Input is empty or all whitespace"},
		{"  ", 0, 0, 0, "Input is empty or all whitespace"},
		{"0", 1, 0, 0, "Value is below minimum of 1"},
		{"33", 1, 32, 0, "Value is above maximum of 32"},
		{"18446744073709551616", 0, 0, 0, "Value overflows the parser"},
		{"+", 0, 0, 0, "Unexpected character '"},
	} {
		v, reason := ParseUint(c.in, c.min, c.max)
		if v != c.want || reason != c.reason {
			t.Errorf("ParseUint(%q, %d, %d) = %d, %q; want %d, %q", c.in, c.min, c.max, v, reason, c.want, c.reason)
		}
	}
}

func TestParseFloat(t *testing.T) {
	for _, c := range []struct {
		in       string
		min, max float64
		want     float64
		reason   string
	}{
		{"5.5", 0, 100, 5.5, ""},
		{".5", 0, 0, 0.5, ""},
		{"1e3", 0, 0, 1000, ""},
		{"abc", 0, 100, 0, "Unexpected character"},
		{"150", 0, 100, 0, "Value is above maximum of 100.000000"},
		{"-1", 0, 100, 0, "Value is below minimum of 0.000000"},
		{"0", 0.001, 2147483647, 0, "Value is below minimum of 0.001000"},
		{"5x", 0, 0, 0, "Extra text follows value"},
		{"", 0, 0, 0, "Input is empty or all whitespace"},
		{"nan", 0, 0, 0, "Unexpected character"},
		{"1e999", 0, 0, 0, "Value overflows the parser"},
	} {
		v, reason := ParseFloat(c.in, c.min, c.max)
		if v != c.want || reason != c.reason {
			t.Errorf("ParseFloat(%q) = %v, %q; want %v, %q", c.in, v, reason, c.want, c.reason)
		}
	}
}

func TestValueErrorForms(t *testing.T) {
	for _, c := range []struct {
		err    *ValueError
		line   string
		follow []string
		hint   string
	}{
		{&ValueError{Switch: "count", Value: "abc", Reason: "Unexpected character 'a'"},
			"Invalid count 'abc': Unexpected character 'a'", nil, ""},
		{&ValueError{Switch: "scc", Value: "usa", Processed: true, Fix: "did you mean --scc=us?"},
			"Invalid scc 'usa'", []string{"Error processing --scc option: 'usa'"}, "did you mean --scc=us?"},
		{&ValueError{Switch: "protocol", Value: "256", Reason: AboveMax(255), Form: NoValue, Processed: true},
			"Invalid protocol: Value is above maximum of 255", []string{"Error processing --protocol option: '256'"}, ""},
		{&ValueError{Switch: "scidr", Value: "0.0.0.0/0", Arg: "10.0.0.0/8,0.0.0.0/0", Reason: BelowMin(1), Processed: true},
			"Invalid scidr '0.0.0.0/0': Value is below minimum of 1", []string{"Error processing --scidr option: '10.0.0.0/8,0.0.0.0/0'"}, ""},
		{&ValueError{Switch: "saddress", Value: "0.0.0.0/0", Reason: BelowMin(1), Form: Processing, Processed: true},
			"Error processing --saddress option: '0.0.0.0/0'", nil, "Value is below minimum of 1"},
		{&ValueError{Switch: "syn-flag", Value: "2", Form: Parsing, Processed: true},
			"Error parsing --syn-flag option: '2'", []string{"Error processing --syn-flag option: '2'"}, ""},
	} {
		var err error = fmt.Errorf("wrapped: %w", c.err)
		if got := c.err.Error(); got != c.line {
			t.Errorf("line %q, want %q", got, c.line)
		}
		if got := FollowOf(err); fmt.Sprint(got) != fmt.Sprint(c.follow) {
			t.Errorf("%s: follow %q, want %q", c.line, got, c.follow)
		}
		if got := c.err.Hint(); got != c.hint {
			t.Errorf("%s: hint %q, want %q", c.line, got, c.hint)
		}
	}
}

func TestIOErrors(t *testing.T) {
	_, err := os.Open("/nonexistent/flows.rw")
	e := OpenError("/nonexistent/flows.rw", err)
	if want := "Error opening file '/nonexistent/flows.rw': No such file or directory"; e.Error() != want {
		t.Errorf("%q, want %q", e, want)
	}
	if !errors.Is(e, os.ErrNotExist) {
		t.Error("the cause is lost")
	}
	w := WriteError("out.txt", fmt.Errorf("flush: %w", syscall.ENOSPC))
	if want := "Error writing to stream 'out.txt': No space left on device"; w.Error() != want || !errors.Is(w, syscall.ENOSPC) {
		t.Errorf("%q, want %q and the cause", w, want)
	}
	if again := WriteError("stdout", w); again != w {
		t.Errorf("wrapped twice: %q", again)
	}
	if got := NotSilk("x.txt", nil).Error(); got != "File does not appear to be a SiLK data file 'x.txt'" {
		t.Errorf("%q", got)
	}
	if got := UnexpectedChar(0x01); got != `Unexpected character '\x01'` {
		t.Errorf("control byte in a message: %q", got)
	}
}
