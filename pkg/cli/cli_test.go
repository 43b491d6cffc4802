package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"
)

// childEnv makes the test binary run testCommand through Main instead of
// the tests, so that process-level behaviour (SIGPIPE, exit status) is
// tested on a real process.
const childEnv = "GFLOW_CLI_TEST_CHILD"

func TestMain(m *testing.M) {
	RegisterAttribution(func() string { return "Test data: example attribution line." })
	if os.Getenv(childEnv) != "" {
		os.Exit(Main(testCommand))
	}
	os.Exit(m.Run())
}

// testCommand is a small tool with SiLK-like switches. Its first argument,
// if any, selects something for it to do.
func testCommand(io IO) *cobra.Command {
	var (
		protocol   string
		passDest   string
		failDest   string
		printStats bool
		values     string
		count      int
		countAll   bool
		ipVersion  int
	)
	cmd := &cobra.Command{
		Use:   "gtest [switches] [ACTION]",
		Short: "Exercise the gflow command-line conventions.",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			action := ""
			if len(args) > 0 {
				action = args[0]
			}
			switch action {
			case "fail":
				return fmt.Errorf("open %s: %w", "nofile.rw", os.ErrNotExist)
			case "usage":
				return UsageError(errors.New("No output(s) specified"))
			case "panic":
				panic("index out of range in the test tool")
			case "epipe":
				// Write until the reader has gone; return the error
				// wrapped, as tools do.
				line := []byte(strings.Repeat("x", 1023) + "\n")
				for i := 0; ; i++ {
					if _, err := io.Out.Write(line); err != nil {
						return fmt.Errorf("write line %d: %w", i, err)
					}
				}
			case "exit3":
				return Exit(3)
			}
			fmt.Fprintf(io.Out, "protocol=%s pass=%s fail=%s stats=%v values=%s count=%d count-all=%v ip-version=%d\n",
				protocol, passDest, failDest, printStats, values, count, countAll, ipVersion)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&protocol, "protocol", "", "pass flows whose protocol is in `LIST`")
	f.StringVar(&passDest, "pass-destination", "", "write passing flows to `PATH`")
	f.StringVar(&failDest, "fail-destination", "", "write failing flows to `PATH`")
	f.BoolVar(&printStats, "print-statistics", false, "print counts of flows read and passed")
	f.StringVar(&values, "values", "records", "aggregate `FIELDS`")
	f.IntVar(&count, "count", 0, "print the top `N`")
	f.BoolVar(&countAll, "count-all", false, "print every bin")
	f.IntVar(&ipVersion, "ip-version", 0, "pass flows of IP `VERSION`")
	Examples(cmd, `
		gtest --proto=6 --pass=stdout
		gtest --value=bytes --count=5
	`)
	return cmd
}

func runTest(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	status = Run(testCommand(IO{In: strings.NewReader(""), Out: &out, Err: &errb}), args,
		IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	return out.String(), errb.String(), status
}

func TestUniquePrefixes(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		// The classic command's three abbreviations.
		{[]string{"--proto=6", "--pass=stdout", "--value=bytes"}, "protocol=6 pass=stdout fail= stats=false values=bytes"},
		// Value as the next argument.
		{[]string{"--pass", "stdout", "--proto", "17"}, "protocol=17 pass=stdout"},
		// A value that looks like a switch belongs to the switch.
		{[]string{"--pass", "--fail"}, "pass=--fail fail="},
		{[]string{"--print-stat"}, "stats=true"},
		{[]string{"--ip-vers=4"}, "ip-version=4"},
		// The exact name wins over a longer name it prefixes.
		{[]string{"--count=5"}, "count=5 count-all=false"},
		{[]string{"--count", "5"}, "count=5 count-all=false"},
		{[]string{"--count-a"}, "count=0 count-all=true"},
		// Full names still work.
		{[]string{"--protocol=1", "--pass-destination=x"}, "protocol=1 pass=x"},
	}
	for _, tt := range tests {
		out, errs, status := runTest(t, tt.args...)
		if status != 0 || errs != "" {
			t.Errorf("%q: status %d, stderr %q", tt.args, status, errs)
			continue
		}
		if !strings.Contains(out, tt.want) {
			t.Errorf("%q: got %q, want it to contain %q", tt.args, out, tt.want)
		}
	}
}

func TestDoubleDashEndsSwitches(t *testing.T) {
	// After "--" an argument that looks like a switch is an argument, not
	// expanded and not rejected.
	out, errs, status := runTest(t, "--proto=6", "--", "--pa")
	if status != 0 {
		t.Fatalf("status %d, stderr %q", status, errs)
	}
	if !strings.Contains(out, "protocol=6 pass= ") {
		t.Errorf("got %q", out)
	}
}

func TestSwitchErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--p"}, "gtest: option '--p' is ambiguous; possibilities: '--pass-destination' '--print-statistics' '--protocol'\n" +
			"Use 'gtest --help' for usage\n"},
		{[]string{"--co"}, "gtest: option '--co' is ambiguous; possibilities: '--count' '--count-all'\n" +
			"Use 'gtest --help' for usage\n"},
		// Missing hyphens are not forgiven.
		{[]string{"--ipversion=4"}, "gtest: unrecognized option '--ipversion=4'\nUse 'gtest --help' for usage\n"},
		{[]string{"--count=abc"}, "gtest: invalid value 'abc' for --count: invalid syntax\nUse 'gtest --help' for usage\n"},
		{[]string{"--count"}, "gtest: option '--count' requires an argument\nUse 'gtest --help' for usage\n"},
		{[]string{"-z"}, "gtest: invalid option -- 'z'\nUse 'gtest --help' for usage\n"},
		{[]string{"a", "b"}, "gtest: accepts at most 1 arg(s), received 2\nUse 'gtest --help' for usage\n"},
	}
	for _, tt := range tests {
		out, errs, status := runTest(t, tt.args...)
		if status != 1 {
			t.Errorf("%q: status %d, want 1", tt.args, status)
		}
		if errs != tt.want {
			t.Errorf("%q: stderr\n%q\nwant\n%q", tt.args, errs, tt.want)
		}
		if out != "" {
			t.Errorf("%q: stdout %q, want nothing", tt.args, out)
		}
	}
}

func TestWorkAndUsageErrors(t *testing.T) {
	tests := []struct {
		action string
		status int
		want   string
	}{
		// An error while working is one line, no usage hint.
		{"fail", 1, "gtest: open nofile.rw: file does not exist\n"},
		// A usage error found by the tool itself gets the hint.
		{"usage", 1, "gtest: No output(s) specified\nUse 'gtest --help' for usage\n"},
		{"panic", 1, "gtest: internal error: index out of range in the test tool\n"},
		{"exit3", 3, ""},
	}
	t.Setenv(EnvDebug, "")
	for _, tt := range tests {
		_, errs, status := runTest(t, tt.action)
		if status != tt.status || errs != tt.want {
			t.Errorf("%s: status %d stderr %q; want %d %q", tt.action, status, errs, tt.status, tt.want)
		}
	}
}

func TestPanicStackOnlyWithDebug(t *testing.T) {
	t.Setenv(EnvDebug, "1")
	_, errs, status := runTest(t, "panic")
	if status != 1 || !strings.HasPrefix(errs, "gtest: internal error: index out of range in the test tool\n") {
		t.Fatalf("status %d stderr %q", status, errs)
	}
	if !strings.Contains(errs, "goroutine ") {
		t.Errorf("GFLOW_DEBUG set but no stack in %q", errs)
	}
}

func TestEPIPEInProcess(t *testing.T) {
	var errb bytes.Buffer
	io := IO{In: strings.NewReader(""), Out: epipeWriter{}, Err: &errb}
	if status := Run(testCommand(io), []string{"epipe"}, io); status != 0 || errb.Len() != 0 {
		t.Errorf("status %d stderr %q; want 0 and nothing", status, errb.String())
	}
}

type epipeWriter struct{}

func (epipeWriter) Write([]byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: "/dev/stdout", Err: errPipe}
}

// TestClosedPipeChild runs the tool as a real process whose stdout is a pipe
// with no reader: it must end quietly with status 0, not die of SIGPIPE.
func TestClosedPipeChild(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader is gone before the first write
	var errb bytes.Buffer
	cmd := exec.Command(os.Args[0], "epipe")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout = w
	cmd.Stderr = &errb
	err = cmd.Run()
	w.Close()
	if err != nil {
		t.Fatalf("child: %v (stderr %q); want status 0", err, errb.String())
	}
	if errb.Len() != 0 {
		t.Errorf("child stderr %q; want nothing", errb.String())
	}
}

func TestChildErrorLine(t *testing.T) {
	var out, errb bytes.Buffer
	cmd := exec.Command(os.Args[0], "--ipversion=4")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("child: %v; want exit status 1", err)
	}
	want := "gtest: unrecognized option '--ipversion=4'\nUse 'gtest --help' for usage\n"
	if errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
}

func TestVersion(t *testing.T) {
	old := BuildVersion
	BuildVersion = "1.2.3"
	defer func() { BuildVersion = old }()
	for _, arg := range []string{"--version", "--vers"} {
		out, errs, status := runTest(t, arg)
		want := "gtest (gflow) 1.2.3\nTest data: example attribution line.\n"
		if status != 0 || errs != "" || out != want {
			t.Errorf("%s: status %d stdout %q stderr %q; want %q", arg, status, out, errs, want)
		}
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	old := BuildVersion
	BuildVersion = ""
	defer func() { BuildVersion = old }()
	// A test binary has build info with Main.Version "(devel)" or empty.
	if v := Version(); v == "" || v == "(devel)" {
		t.Errorf("Version() = %q", v)
	}
}

func TestHelpListsSwitchesAndEndsWithExamples(t *testing.T) {
	out, errs, status := runTest(t, "--help")
	if status != 0 || errs != "" {
		t.Fatalf("status %d stderr %q", status, errs)
	}
	for _, name := range []string{"--protocol", "--pass-destination", "--fail-destination",
		"--print-statistics", "--values", "--count", "--count-all", "--ip-version", "--help", "--version"} {
		if !strings.Contains(out, name+" ") {
			t.Errorf("help does not list %s:\n%s", name, out)
		}
	}
	wantEnd := "Examples:\n  gtest --proto=6 --pass=stdout\n  gtest --value=bytes --count=5\n"
	if !strings.HasSuffix(out, wantEnd) {
		t.Errorf("help does not end with the examples:\n%s", out)
	}
	if !strings.HasPrefix(out, "Exercise the gflow command-line conventions.\n\nUsage:\n  gtest [switches] [ACTION]\n") {
		t.Errorf("help does not start with the description and usage:\n%s", out)
	}
	// --help wins even when other switches are wrong-valued but known.
	if out2, _, st := runTest(t, "--he"); st != 0 || out2 != out {
		t.Errorf("--he: status %d, output differs from --help", st)
	}
}

func TestSubcommands(t *testing.T) {
	var got string
	newCmd := func(io IO) *cobra.Command {
		root := &cobra.Command{Use: "gtool"}
		root.PersistentFlags().String("data-rootdir", "", "repository root")
		sub := &cobra.Command{
			Use: "list",
			RunE: func(cmd *cobra.Command, args []string) error {
				root, _ := cmd.Flags().GetString("data-rootdir")
				long, _ := cmd.Flags().GetBool("long-format")
				got = fmt.Sprintf("root=%s long=%v args=%v", root, long, args)
				return nil
			},
		}
		sub.Flags().Bool("long-format", false, "one file per line with sizes")
		root.AddCommand(sub)
		return root
	}
	var out, errb bytes.Buffer
	io := IO{Out: &out, Err: &errb}
	if st := Run(newCmd(io), []string{"--data=/d", "list", "--long", "x"}, io); st != 0 {
		t.Fatalf("status %d stderr %q", st, errb.String())
	}
	if want := "root=/d long=true args=[x]"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	errb.Reset()
	if st := Run(newCmd(io), []string{"lst"}, io); st != 1 ||
		errb.String() != "gtool: unknown command \"lst\" for \"gtool\"\nUse 'gtool --help' for usage\n" {
		t.Errorf("unknown subcommand: status %d stderr %q", st, errb.String())
	}
}

func TestRunTwice(t *testing.T) {
	// Tests may run one command value more than once; its RunE must not be
	// wrapped twice nor its switches defined twice.
	var out, errb bytes.Buffer
	io := IO{Out: &out, Err: &errb}
	cmd := testCommand(io)
	for i := range 2 {
		if st := Run(cmd, []string{"--proto=6"}, io); st != 0 {
			t.Fatalf("run %d: status %d stderr %q", i, st, errb.String())
		}
	}
}

func TestExamplesIndentation(t *testing.T) {
	got := indentExamples("\n\t\tgfilter --proto=6 \\\n\t\t  --pass=stdout\n\n\t\tgstats --top\n\t")
	want := "  gfilter --proto=6 \\\n    --pass=stdout\n\n  gstats --top"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

var errPipe = syscall.EPIPE
