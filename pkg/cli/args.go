package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// expandArgs rewrites every long switch given as a unique prefix of a known
// switch into its full name, as getopt_long does for SiLK's tools:
//
//	--proto=6        → --protocol=6
//	--pass stdout    → --pass-destination stdout
//
// An exact name always wins (--count is --count even if --count-all exists).
// An ambiguous prefix and an unknown switch are usage errors worded as
// getopt words them. Arguments after "--" and the values of switches are
// left alone. Subcommands are followed so that their switches are known.
func expandArgs(root *cobra.Command, args []string) ([]string, error) {
	out := make([]string, 0, len(args))
	c := root
	flags := knownFlags(c)
	seenPositional := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...), nil

		case strings.HasPrefix(a, "--"):
			name, value, hasValue := strings.Cut(a[2:], "=")
			f, err := matchFlag(flags, name, a)
			if err != nil {
				return nil, err
			}
			if hasValue {
				out = append(out, "--"+f.Name+"="+value)
				continue
			}
			out = append(out, "--"+f.Name)
			if takesValue(f) && i+1 < len(args) {
				// "--opt value": the next argument is the value, even if
				// it starts with "--" (getopt and pflag agree).
				i++
				out = append(out, args[i])
			}

		case len(a) > 1 && a[0] == '-':
			// Short switches are left to pflag; only skip the value of
			// a lone "-x value".
			out = append(out, a)
			if len(a) == 2 {
				if f := shorthand(c, a[1]); f != nil && takesValue(f) && i+1 < len(args) {
					i++
					out = append(out, args[i])
				}
			}

		default:
			out = append(out, a)
			if !seenPositional {
				if sub := findSub(c, a); sub != nil {
					c = sub
					flags = knownFlags(c)
					continue
				}
			}
			seenPositional = true
		}
	}
	return out, nil
}

// matchFlag finds the switch named name or, failing that, the one switch
// whose name starts with name. arg is the argument as given, for messages.
func matchFlag(flags map[string]*pflag.Flag, name, arg string) (*pflag.Flag, error) {
	if f, ok := flags[name]; ok {
		return f, nil
	}
	var matches []string
	if name != "" {
		for n := range flags {
			if strings.HasPrefix(n, name) {
				matches = append(matches, n)
			}
		}
	}
	switch len(matches) {
	case 0:
		return nil, Usagef("unrecognized option '%s'", arg)
	case 1:
		return flags[matches[0]], nil
	}
	sort.Strings(matches)
	if f := aliasOf(flags, matches); f != nil {
		return f, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "option '%s' is ambiguous; possibilities:", arg)
	for _, m := range matches {
		fmt.Fprintf(&b, " '--%s'", m)
	}
	return nil, Usagef("%s", b.String())
}

// knownFlags returns every long switch c accepts: its own, the persistent
// switches of it and its parents, and --help/--version.
func knownFlags(c *cobra.Command) map[string]*pflag.Flag {
	m := map[string]*pflag.Flag{}
	add := func(f *pflag.Flag) {
		if _, ok := m[f.Name]; !ok {
			m[f.Name] = f
		}
	}
	c.Flags().VisitAll(add)
	for p := c; p != nil; p = p.Parent() {
		p.PersistentFlags().VisitAll(add)
	}
	return m
}

func shorthand(c *cobra.Command, b byte) *pflag.Flag {
	s := string(b)
	if f := c.Flags().ShorthandLookup(s); f != nil {
		return f
	}
	for p := c; p != nil; p = p.Parent() {
		if f := p.PersistentFlags().ShorthandLookup(s); f != nil {
			return f
		}
	}
	return nil
}

// takesValue reports whether a switch consumes the next argument when given
// without "=": switches with an optional value (booleans, NoOptDefVal) never do.
func takesValue(f *pflag.Flag) bool { return f.NoOptDefVal == "" }

func findSub(c *cobra.Command, name string) *cobra.Command {
	for _, sub := range c.Commands() {
		if sub.Name() == name || sub.HasAlias(name) {
			return sub
		}
	}
	return nil
}

// aliasOf returns the switch that names stand for when they are all names
// of one switch (rwcount's --start-epoch for --start-time: the same
// Value), so that a prefix of them is not ambiguous (--start): the one
// whose help is not DEPRECATED. It returns nil otherwise.
func aliasOf(flags map[string]*pflag.Flag, names []string) *pflag.Flag {
	var main *pflag.Flag
	for _, n := range names {
		f := flags[n]
		if f.Value != flags[names[0]].Value {
			return nil
		}
		if main == nil || !strings.HasPrefix(f.Usage, "DEPRECATED") {
			main = f
		}
	}
	return main
}
