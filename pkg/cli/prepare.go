package cli

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// preparedKey marks a command tree already set up by prepare, so that a
// command run twice (in tests) is not wrapped twice.
const preparedKey = "gflow.cli.prepared"

// Prepare applies gflow's conventions to cmd and its subcommands without
// running it, for programs that inspect a command (internal/genman writes
// man pages that show --help and --version as every tool has them). Run
// calls it itself.
func Prepare(cmd *cobra.Command, io IO) { prepare(cmd.Root(), io) }

// prepare applies gflow's conventions to every command of the tree rooted
// at root: streams, silence on error, --help and --version without short
// forms, help layout with examples at the end, SiLK-worded switch errors,
// and the marking of errors returned by RunE as work (not usage) errors.
func prepare(root *cobra.Command, io IO) {
	root.CompletionOptions.DisableDefaultCmd = true
	if root.Version == "" {
		root.Version = Version()
	}
	root.SetVersionTemplate(`{{.Root.Name}} (gflow) {{.Version}}
{{gflowAttributions}}`)
	if root.Flags().Lookup("version") == nil {
		root.Flags().Bool("version", false, "print the version and the attribution of built-in data, then exit")
	}
	visit(root, func(c *cobra.Command) {
		c.SetIn(io.In)
		c.SetOut(io.Out)
		c.SetErr(io.Err)
		if c.Annotations[preparedKey] != "" {
			return
		}
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations[preparedKey] = "yes"
		c.SilenceErrors = true
		c.SilenceUsage = true
		c.DisableSuggestions = true
		c.DisableFlagsInUseLine = true
		if c.Flags().Lookup("help") == nil {
			c.Flags().Bool("help", false, "print this help and exit")
		}
		c.SetFlagErrorFunc(flagError)
		c.SetHelpFunc(helpFunc)
		c.SetUsageFunc(func(c *cobra.Command) error {
			writeUsage(c.OutOrStderr(), c)
			return nil
		})
		if c.RunE != nil {
			run := c.RunE
			c.RunE = func(c *cobra.Command, args []string) error {
				return workErr(run(c, args))
			}
		}
		if c.PostRunE != nil {
			run := c.PostRunE
			c.PostRunE = func(c *cobra.Command, args []string) error {
				return workErr(run(c, args))
			}
		}
		if c.PersistentPostRunE != nil {
			run := c.PersistentPostRunE
			c.PersistentPostRunE = func(c *cobra.Command, args []string) error {
				return workErr(run(c, args))
			}
		}
	})
}

func visit(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		visit(sub, f)
	}
}

// workError marks an error returned while the command did its work: it is
// reported without the "Use 'TOOL --help'" line unless wrapped by UsageError.
type workError struct{ err error }

func (e *workError) Error() string { return e.err.Error() }
func (e *workError) Unwrap() error { return e.err }

func workErr(err error) error {
	if err == nil {
		return nil
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	return &workError{err}
}

// asUsage marks any error that did not come from the work itself (cobra's
// argument checks, required switches, PreRunE) as a usage error.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	var we *workError
	var ie *internalError
	var ee *exitError
	if errors.As(err, &we) || errors.As(err, &ie) || errors.As(err, &ee) || IsClosedPipe(err) {
		return err
	}
	return UsageError(err)
}

// flagError rewords pflag's errors the way getopt (and so SiLK) words them.
func flagError(c *cobra.Command, err error) error {
	var (
		req *pflag.ValueRequiredError
		inv *pflag.InvalidValueError
		ne  *pflag.NotExistError
	)
	switch {
	case errors.As(err, &req):
		if s := req.GetSpecifiedShortnames(); s != "" {
			return Usagef("option requires an argument -- '%s'", req.GetSpecifiedName())
		}
		return Usagef("option '--%s' requires an argument", req.GetFlag().Name)
	case errors.As(err, &inv):
		cause := inv.Unwrap()
		var ve *silkerr.ValueError
		if errors.As(cause, &ve) {
			return UsageError(ve)
		}
		var num *strconv.NumError
		if errors.As(cause, &num) {
			cause = num.Err
		}
		return Usagef("invalid value '%s' for --%s: %v", inv.GetValue(), inv.GetFlag().Name, cause)
	case errors.As(err, &ne):
		if ne.GetSpecifiedShortnames() != "" {
			return Usagef("invalid option -- '%s'", ne.GetSpecifiedName())
		}
		return Usagef("unrecognized option '--%s'", ne.GetSpecifiedName())
	}
	return UsageError(fmt.Errorf("%w", err))
}
