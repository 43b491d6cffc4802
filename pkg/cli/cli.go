package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/spf13/cobra"
)

// IO is a tool's standard streams. Commands read and write only through it,
// never through os.Stdin/os.Stdout directly, so that tests can run them
// in-process.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// StdIO returns the process's standard streams.
func StdIO() IO { return IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }

// Main runs a tool as a process: it builds the command around the process's
// standard streams, runs it with os.Args and returns the exit status for
// os.Exit.
func Main(newCommand func(IO) *cobra.Command) int {
	ignoreSIGPIPE()
	std := StdIO()
	var cmd *cobra.Command
	status := guard(toolName(), std.Err, func() error {
		cmd = newCommand(std)
		return nil
	})
	if status != 0 {
		return status
	}
	return Run(cmd, os.Args[1:], std)
}

// ignoreSIGPIPE asks for SIGPIPE on a channel nobody reads. Without it the Go
// runtime kills the process on a write to a closed stdout or stderr; with it
// the write returns EPIPE, which Run turns into a quiet exit with status 0.
func ignoreSIGPIPE() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

// toolName is the program's name as SiLK prints it in errors: the base name
// of argv[0].
func toolName() string {
	if len(os.Args) == 0 {
		return "gflow"
	}
	name := os.Args[0]
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// Run runs cmd with args (without the program name) on the given streams and
// returns the exit status: 0 on success and on a closed downstream pipe, 1 on
// any error, or the status of an Exit error. An error is printed on io.Err
// as SiLK prints it: "TOOL: message", the lines SiLK follows it with (see
// silkerr.Follower), then gflow's "TOOL: hint: ..." line if the error has a
// hint, then "Use 'TOOL --help' for usage" after an error in how the tool
// was invoked.
func Run(cmd *cobra.Command, args []string, io IO) int {
	name := cmd.Root().Name()
	prepare(cmd.Root(), io)

	var expanded []string
	status := guard(name, io.Err, func() error {
		var err error
		expanded, err = expandArgs(cmd.Root(), args)
		if err != nil {
			return err
		}
		cmd.Root().SetArgs(expanded)
		return asUsage(cmd.Root().Execute())
	})
	return status
}

// guard runs f, recovering from a panic, and turns its error into an exit
// status, printing the error line(s) on errw.
func guard(name string, errw io.Writer, f func() error) (status int) {
	defer func() {
		if v := recover(); v != nil {
			status = report(name, errw, &internalError{value: v, stack: debug.Stack()})
		}
	}()
	return report(name, errw, f())
}

// report prints err the gflow way and returns the exit status for it.
func report(name string, errw io.Writer, err error) int {
	if err == nil {
		return 0
	}
	if IsClosedPipe(err) {
		return 0
	}
	var exit *exitError
	if errors.As(err, &exit) {
		return exit.code
	}
	var ie *internalError
	if errors.As(err, &ie) {
		fmt.Fprintf(errw, "%s: internal error: %v\n", name, ie.value)
		if os.Getenv(EnvDebug) != "" {
			errw.Write(ie.stack)
		}
		return 1
	}
	fmt.Fprintf(errw, "%s: %s\n", name, oneLine(err.Error()))
	for _, line := range silkerr.FollowOf(err) {
		fmt.Fprintf(errw, "%s: %s\n", name, oneLine(line))
	}
	printHint(errw, name, err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(errw, "Use '%s --help' for usage\n", name)
	}
	return 1
}

// oneLine keeps an error message on one line, as scripts reading stderr
// expect one line per error, and printable: see printable.
func oneLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return printable(strings.ReplaceAll(s, "\n", "; "))
}

// maxBinaryMessage is the length past which a message that had to escape
// bytes is shortened: a value echoed from a binary file is junk after its
// first few bytes, and the reason usually ends the message.
const maxBinaryMessage = 160

// printable escapes what a terminal must not be sent: control characters
// (but the tab), bytes that are not UTF-8, and C1 controls, written \xNN
// or \uNNNN as Go writes them. A message echoing a value is often where
// binary data ends up (a flow stream piped into a tool that reads text, a
// mistyped switch), and raw bytes there can garble or reprogram the
// terminal. A message that needed escapes and is long keeps its start and
// end.
func printable(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !printableRune(r) }) < 0 {
		return s
	}
	var parts []string // one per rune or escape, to cut between them
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			parts = append(parts, fmt.Sprintf("\\x%02x", s[i]))
		case !printableRune(r) && r < 0x80:
			parts = append(parts, fmt.Sprintf("\\x%02x", r))
		case !printableRune(r):
			parts = append(parts, fmt.Sprintf("\\u%04x", r))
		default:
			parts = append(parts, s[i:i+n])
		}
		i += n
	}
	out := strings.Join(parts, "")
	if len(out) <= maxBinaryMessage {
		return out
	}
	// keep about two thirds of the room for the start, one for the end
	h, n := 0, 0
	for ; n < maxBinaryMessage*2/3; h++ {
		n += len(parts[h])
	}
	t, n := len(parts), 0
	for n < maxBinaryMessage/3 {
		t--
		n += len(parts[t])
	}
	if h >= t {
		return out
	}
	return strings.Join(parts[:h], "") + " ... " + strings.Join(parts[t:], "")
}

func printableRune(r rune) bool {
	return r == '\t' || r >= 0x20 && r != 0x7f && (r < 0x80 || r > 0x9f)
}

// IsClosedPipe reports whether err comes from writing to a pipe whose reader
// has gone (EPIPE), which ends a tool quietly with status 0.
func IsClosedPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE)
}

// usageError marks an error in how the tool was invoked.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// UsageError marks err as an error in how the tool was invoked, so that it is
// followed by "Use 'TOOL --help' for usage". It returns nil for nil.
func UsageError(err error) error {
	if err == nil {
		return nil
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	return &usageError{err}
}

// Usagef is UsageError(fmt.Errorf(format, args...)).
func Usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exitError ends the tool with a given status and no message.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Exit returns an error that makes Run return code without printing
// anything, for tools whose status carries meaning (the tool has already
// said what it needs to say).
func Exit(code int) error { return &exitError{code} }

// internalError is a recovered panic.
type internalError struct {
	value any
	stack []byte
}

func (e *internalError) Error() string { return fmt.Sprintf("internal error: %v", e.value) }
