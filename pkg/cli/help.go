package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Examples sets the examples that end cmd's --help (and its man page),
// SiLK-style: real command lines a user can copy. The text may be indented
// as it sits in the source; common indentation is removed and every line is
// indented by two spaces.
func Examples(cmd *cobra.Command, text string) {
	cmd.Example = indentExamples(text)
}

func indentExamples(text string) string {
	lines := strings.Split(strings.TrimLeft(strings.TrimRight(text, " \t\n"), "\n"), "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if common < 0 || n < common {
			common = n
		}
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = ""
			continue
		}
		lines[i] = "  " + strings.TrimRight(l[common:], " \t")
	}
	return strings.Join(lines, "\n")
}

// helpFunc prints the description, then the usage: the synopsis, every
// switch, subcommands if any, and the examples last.
func helpFunc(c *cobra.Command, _ []string) {
	w := c.OutOrStdout()
	if text := strings.TrimSpace(c.Long); text != "" {
		fmt.Fprintf(w, "%s\n\n", text)
	} else if text := strings.TrimSpace(c.Short); text != "" {
		fmt.Fprintf(w, "%s\n\n", text)
	}
	writeUsage(w, c)
}

func writeUsage(w io.Writer, c *cobra.Command) {
	fmt.Fprint(w, "Usage:")
	if c.Runnable() {
		fmt.Fprintf(w, "\n  %s", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s COMMAND", c.CommandPath())
		fmt.Fprint(w, "\n\nCommands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(w, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprint(w, "\n\nSwitches:\n")
		fmt.Fprint(w, strings.TrimRight(c.LocalFlags().FlagUsages(), " \n"))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprint(w, "\n\nSwitches of all commands:\n")
		fmt.Fprint(w, strings.TrimRight(c.InheritedFlags().FlagUsages(), " \n"))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n\nUse '%s COMMAND --help' for more about a command.", c.CommandPath())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "\n\nExamples:\n%s", c.Example)
	}
	fmt.Fprintln(w)
}
