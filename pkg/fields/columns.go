package fields

import (
	"errors"

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
// --column-separator.
func (c *Columns) Layout() (ColumnLayout, error) {
	if c.sep == "" {
		return ColumnLayout{}, errors.New("Invalid column-separator: the separator may not be empty")
	}
	l := ColumnLayout{NoTitles: c.noTitles, NoColumns: c.noColumns, NoFinalDelim: c.noFinal, Delim: c.sep[0]}
	if c.fs != nil && c.fs.Changed("delimited") {
		l.NoColumns, l.NoFinalDelim = true, true
		if c.delimited != "" {
			l.Delim = c.delimited[0]
		}
	}
	return l, nil
}
