// Package silkerr holds SiLK's wording of errors, so that every gflow tool
// words them as SiLK 3.19 does and scripts written against SiLK's stderr
// keep working: the reasons of SiLK's value parsers (sku-string.c), the
// forms of a bad switch value (rwfilter's, rwstats', rwcut's and
// rwcount's option handlers) and the I/O errors of SiLK's streams
// (skstream-err.c).
//
// It imports nothing of gflow's, so that libraries that must not import
// pkg/cli (pkg/filter) word their errors here too; pkg/cli prints them
// (the ValueError's follow-up line, the hint, SiLK's usage line).
package silkerr

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
)

// Reasons of SiLK's value parsers (skStringParseStrerror).
const (
	Empty     = "Input is empty or all whitespace"
	BadRange  = "Range is invalid (min > max)"
	Overflow  = "Value overflows the parser"
	Underflow = "Value underflows the parser"
	Short     = "Unexpected end-of-input"
	TooMany   = "Too many fields provided"
	// ExtraText is a number followed by something else ("10x" as a count).
	ExtraText = "Extra text follows value"
	// BadChar is the reason of the decimal parser, which does not say
	// which character it met.
	BadChar = "Unexpected character"
)

// UnexpectedChar is the reason of most parsers for a character they did
// not expect: "Unexpected character 'a'". A NUL (the end of the value)
// reads as SiLK prints it: the quote opens and the line ends.
func UnexpectedChar(c byte) string {
	if c == 0 {
		return BadChar + " '"
	}
	return fmt.Sprintf("%s '%s'", BadChar, printable(c))
}

// UnexpectedCharAt is the number-list parser's variant:
// "Unexpected character at '-'".
func UnexpectedCharAt(c byte) string {
	return fmt.Sprintf("%s at '%s'", BadChar, printable(c))
}

// printable keeps a message free of control and binary bytes.
func printable(c byte) string {
	if c < ' ' || c >= 0x7f {
		return fmt.Sprintf("\\x%02x", c)
	}
	return string(c)
}

// BelowMin and AboveMax are the reasons for an integer out of range.
func BelowMin(min uint64) string { return fmt.Sprintf("Value is below minimum of %d", min) }

// AboveMax is the reason for an integer above its maximum.
func AboveMax(max uint64) string { return fmt.Sprintf("Value is above maximum of %d", max) }

// BelowMinFloat and AboveMaxFloat are the decimal parser's, which prints
// its limits with six decimals: "Value is above maximum of 100.000000".
func BelowMinFloat(min float64) string { return fmt.Sprintf("Value is below minimum of %f", min) }

// AboveMaxFloat is the reason for a decimal above its maximum.
func AboveMaxFloat(max float64) string { return fmt.Sprintf("Value is above maximum of %f", max) }

// Form is how a tool words a bad switch value; SiLK's option handlers use
// several.
type Form uint8

const (
	// WithValue is "Invalid SWITCH 'VALUE': REASON" (or without ": REASON"
	// when there is none), the form of most switches.
	WithValue Form = iota
	// NoValue is "Invalid SWITCH: REASON": rwfilter's number lists
	// (--protocol, --dport, ...) do not repeat the value.
	NoValue
	// Processing is rwfilter's "Error processing --SWITCH option: 'VALUE'"
	// alone, for the switches whose parser says nothing more
	// (--saddress and the other wildcards, --tcp-flags, --ip-version);
	// gflow gives the reason on its hint line.
	Processing
	// Parsing is "Error parsing --SWITCH option: 'VALUE'" (--syn-flag and
	// the other single-flag switches).
	Parsing
)

// ValueError is a bad switch value, worded as SiLK words it. Its Error is
// the first line; Follow gives the lines SiLK prints after it, and Hint
// what gflow adds on a "TOOL: hint:" line.
type ValueError struct {
	Switch string // the switch's name without dashes ("protocol")
	Value  string // the value, or the token of a list that failed
	Reason string // SiLK's reason, e.g. "Value is above maximum of 255"
	Form   Form
	// Processed marks a value of one of rwfilter's partitioning switches,
	// which SiLK follows with "Error processing --SWITCH option: 'ARG'".
	Processed bool
	// Arg is the whole argument for that line when Value is one token of
	// it; empty means Value.
	Arg string
	// Fix says what the user probably meant to type ("did you mean
	// --scc=gb (United Kingdom)?"), printed on a hint line; for the
	// Processing form, which gives no reason, it defaults to Reason.
	Fix string
}

func (e *ValueError) Error() string {
	switch e.Form {
	case NoValue:
		return fmt.Sprintf("Invalid %s: %s", e.Switch, e.Reason)
	case Processing:
		return processing(e.Switch, e.arg())
	case Parsing:
		return fmt.Sprintf("Error parsing --%s option: '%s'", e.Switch, e.arg())
	}
	if e.Reason == "" {
		return fmt.Sprintf("Invalid %s '%s'", e.Switch, e.Value)
	}
	return fmt.Sprintf("Invalid %s '%s': %s", e.Switch, e.Value, e.Reason)
}

func (e *ValueError) arg() string {
	if e.Arg != "" {
		return e.Arg
	}
	return e.Value
}

func processing(name, arg string) string {
	return fmt.Sprintf("Error processing --%s option: '%s'", name, arg)
}

// Follow returns the lines SiLK prints after Error: rwfilter's "Error
// processing" line for its partitioning switches.
func (e *ValueError) Follow() []string {
	if e.Processed && e.Form != Processing {
		return []string{processing(e.Switch, e.arg())}
	}
	return nil
}

// Hint returns Fix, or for the Processing form (whose line gives no
// reason) the reason itself.
func (e *ValueError) Hint() string {
	if e.Fix == "" && (e.Form == Processing || e.Form == Parsing) {
		return e.Reason
	}
	return e.Fix
}

// Follower is an error SiLK follows with more lines of its own, each
// printed as "TOOL: LINE" after the error's.
type Follower interface {
	Follow() []string
}

// FollowOf returns the follow-up lines of the first error in err's chain
// that has any.
func FollowOf(err error) []string {
	var f Follower
	if errors.As(err, &f) {
		return f.Follow()
	}
	return nil
}

// Strerror is C's strerror for err: the text of its errno, capitalised as
// C capitalises it ("No such file or directory").
func Strerror(err error) string {
	var errno syscall.Errno
	s := err.Error()
	if errors.As(err, &errno) {
		s = errno.Error()
	} else {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			s = pe.Err.Error()
		}
	}
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// OpenError is SiLK's "Error opening file 'NAME': No such file or
// directory" for an input or output that cannot be opened.
func OpenError(name string, err error) error {
	return &ioError{fmt.Sprintf("Error opening file '%s': %s", name, Strerror(err)), err}
}

// ReadError is SiLK's "Error reading from stream 'NAME': REASON".
func ReadError(name string, err error) error {
	return &ioError{fmt.Sprintf("Error reading from stream '%s': %s", name, Strerror(err)), err}
}

// WriteError is SiLK's "Error writing to stream 'NAME': REASON" for output
// that cannot be written (a full disk). An error it already made is
// returned as it is, so that layers of a tool's output may each use it.
func WriteError(name string, err error) error {
	var ie *ioError
	if errors.As(err, &ie) {
		return err
	}
	return &ioError{fmt.Sprintf("Error writing to stream '%s': %s", name, Strerror(err)), err}
}

// NotSilk is SiLK's "File does not appear to be a SiLK data file 'NAME'"
// for an input that is not a flow file gflow reads (neither gflow's nor
// SiLK's).
func NotSilk(name string, err error) error {
	return &ioError{fmt.Sprintf("File does not appear to be a SiLK data file '%s'", name), err}
}

// ioError is an I/O error in SiLK's words that still unwraps to its cause.
type ioError struct {
	msg string
	err error
}

func (e *ioError) Error() string { return e.msg }
func (e *ioError) Unwrap() error { return e.err }
