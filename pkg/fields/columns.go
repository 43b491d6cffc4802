package fields

import (
	"github.com/spf13/pflag"
)

// Columns are the column switches that gstats, gcut and gcount share with
// rwstats, rwcut and rwcount: --no-titles, --no-columns, --column-separator,
// --no-final-delimiter and --delimited[=C].
type Columns struct {
	noTitles, noColumns, noFinal bool
	sep, delimited               string
	fs                           *pflag.FlagSet
}

// ColumnLayout is what the column switches ask for.
type ColumnLayout struct {
	NoTitles     bool
	NoColumns    bool // no padding
	NoFinalDelim bool // no separator after the last column
	Delim        byte
}

// Register adds the switches to fs; titlesHelp describes --no-titles for
// the tool (gstats' also drops its INPUT/OUTPUT lines).
func (c *Columns) Register(fs *pflag.FlagSet, titlesHelp string) {
	c.fs = fs
	fs.BoolVar(&c.noTitles, "no-titles", false, titlesHelp)
	fs.BoolVar(&c.noColumns, "no-columns", false, "Disable fixed-width columnar output")
	fs.StringVar(&c.sep, "column-separator", "|", "Use this character between columns")
	fs.BoolVar(&c.noFinal, "no-final-delimiter", false, "Suppress the column delimiter at the end of each line")
	fs.StringVar(&c.delimited, "delimited", "", "Shortcut for --no-columns --no-final-delimiter --column-separator=CHAR (default '|')")
	fs.Lookup("delimited").NoOptDefVal = "|"
}

// Layout resolves the switches as SiLK does: --delimited implies
// --no-columns and --no-final-delimiter, and its character wins over
// --column-separator. The separator is the first character of the value;
// an empty value (--column-separator=) separates with NUL, as in SiLK,
// for xargs -0 and the like.
func (c *Columns) Layout() (ColumnLayout, error) {
	l := ColumnLayout{NoTitles: c.noTitles, NoColumns: c.noColumns, NoFinalDelim: c.noFinal, Delim: first(c.sep)}
	if c.fs != nil && c.fs.Changed("delimited") {
		l.NoColumns, l.NoFinalDelim = true, true
		l.Delim = first(c.delimited)
	}
	return l, nil
}

// first returns the first byte of s, or NUL for an empty s (C's opt_arg[0]).
func first(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}
