package cli

import (
	"fmt"
	"io"
)

// Hinter is implemented by errors that know what the user probably meant.
// Run prints a non-empty Hint() as a second line after the error's own:
//
//	gfilter: Invalid scc 'uk': not a country code
//	gfilter: hint: did you mean --scc=gb (United Kingdom)? 'gstats --help-countries' lists the codes
//
// Packages that must not import cli (pkg/filter, pkg/flowfile) give their
// error types a Hint method; command code wraps an error with Hint.
type Hinter interface {
	Hint() string
}

// hinted is an error with a hint added by Hint.
type hinted struct {
	err  error
	hint string
}

func (e *hinted) Error() string { return e.err.Error() }
func (e *hinted) Unwrap() error { return e.err }
func (e *hinted) Hint() string  { return e.hint }

// Hint returns err with a hint: what to type instead, printed by Run as
// "TOOL: hint: HINT" after the error's line. The error's own text (SiLK's
// wording, where SiLK has one) is unchanged. It returns nil for nil.
func Hint(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: fmt.Sprintf(format, args...)}
}

// HintOf returns the hint of err: that of the outermost error in its chain
// with a non-empty Hint(), or "".
func HintOf(err error) string {
	for e := err; e != nil; {
		if h, ok := e.(Hinter); ok {
			if s := h.Hint(); s != "" {
				return s
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			e = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				if s := HintOf(x); s != "" {
					return s
				}
			}
			return ""
		default:
			return ""
		}
	}
	return ""
}

// Warnf prints a warning, "TOOL: warning: MESSAGE", on one line of w: for
// what the user should know while the tool goes on (a corrupt block
// skipped, a file missing) and the exit status stays 0.
func Warnf(w io.Writer, tool, format string, args ...any) {
	fmt.Fprintf(w, "%s: warning: %s\n", tool, oneLine(fmt.Sprintf(format, args...)))
}

// Hintf prints a hint line, "TOOL: hint: MESSAGE", on w, for tools that
// print a message themselves rather than return an error (after a Warnf,
// say).
func Hintf(w io.Writer, tool, format string, args ...any) {
	fmt.Fprintf(w, "%s: hint: %s\n", tool, oneLine(fmt.Sprintf(format, args...)))
}

// printHint prints err's hint, if it has one.
func printHint(w io.Writer, tool string, err error) {
	if h := HintOf(err); h != "" {
		Hintf(w, tool, "%s", h)
	}
}
