// Package cli holds the command-line conventions shared by every gflow tool,
// so that each cmd/<tool>/main.go is one line:
//
//	func main() { os.Exit(cli.Main(newCommand)) }
//
// where newCommand(io cli.IO) *cobra.Command builds the tool's command around
// the given standard streams (tests run it in-process with Run and buffers).
//
// What every tool gets from Run:
//
//   - SiLK's long switches: any unique prefix of a long switch is accepted
//     (--proto=6 for --protocol=6, --pass for --pass-destination, --value for
//     --values); an exact name always wins over longer names it prefixes;
//     an ambiguous prefix and an unknown switch are errors worded as SiLK's
//     (getopt's) are. Missing hyphens are not forgiven.
//   - Errors: one line on stderr, "TOOL: message", exit status 1; never a Go
//     stack trace and never a usage dump. An error that knows what the user
//     probably meant (Hint, or any error type with a Hint() string method)
//     adds a line "TOOL: hint: what to type". A usage error (see below) then
//     gets SiLK's line "Use 'TOOL --help' for usage".
//   - Warnings, while the tool goes on with status 0, are one line
//     "TOOL: warning: message" (Warnf), never another form.
//   - Error, hint and warning lines never carry raw binary: control
//     characters, bytes that are not UTF-8 and C1 controls are written
//     \xNN or \uNNNN, and a long message that needed them keeps its start
//     and end. A value echoed from the wrong input (a flow stream piped
//     into a text reader) cannot garble the terminal.
//   - A panic in the command prints "TOOL: internal error: …" and exits 1;
//     the stack is printed only when GFLOW_DEBUG is set.
//   - A write to a closed downstream pipe (gfilter … | head) ends the tool
//     quietly with status 0: Main asks for SIGPIPE so that writes return
//     EPIPE, and Run maps any error that wraps syscall.EPIPE to status 0.
//     Tools must wrap write errors with %w for this to work.
//   - --help lists every switch and ends with the command's examples
//     (set them with Examples); --version prints "TOOL (gflow) VERSION" and
//     the attributions of built-in data registered with RegisterAttribution.
//
// # Usage errors
//
// The rule for the second line "Use 'TOOL --help' for usage": an error in how
// the tool was invoked gets it, an error while doing the work does not.
// Invocation errors are those found before the command's RunE starts (unknown
// or ambiguous switch, bad switch value, wrong arguments, missing required
// switch, errors returned from PreRunE) and any error a tool wraps with
// UsageError (for checks of switch combinations done inside RunE). Every other
// error returned from RunE (cannot open a file, corrupt data) is one line.
//
// # Hints and warnings
//
// One rule for every tool. The first line of an error keeps SiLK's wording
// where SiLK has one; the fix goes on a second line, so scripts matching
// SiLK's text keep working:
//
//	return cli.Hint(errors.New("No output(s) specified"),
//		"pipe it into another tool (gfilter ... | gstats --fields=sip) or add --pass=FILE")
//
// prints
//
//	gfilter: No output(s) specified
//	gfilter: hint: pipe it into another tool (gfilter ... | gstats --fields=sip) or add --pass=FILE
//
// A package that must stay free of CLI code gives its error type a method
// Hint() string instead (an empty string means no hint); Run finds it
// through any wrapping. Warnings are printed where they happen:
//
//	cli.Warnf(std.Err, "gstats", "%v", blockErr) // gstats: warning: f.gf: corrupt block …
//
// and Hintf prints a hint line after a warning when there is a fix to name.
//
// # Registering a tool
//
// internal/genman builds man pages for every tool, so each tool's command
// constructor lives in an importable package (package main cannot be
// imported) that registers it in init:
//
//	func init() { cli.Register("gfilter", NewCommand) }
//
// and internal/genman/tools.go imports that package for its side effect
// (one blank import line per tool).
package cli
