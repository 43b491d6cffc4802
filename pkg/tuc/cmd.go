package tuc

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
	_ "github.com/gflow/gflow/pkg/parquetflow" // --output-format=parquet
	"github.com/gflow/gflow/pkg/pipe"
	"github.com/gflow/gflow/pkg/site"
)

func init() { cli.Register("gtuc", NewCommand) }

// fixedSwitches are rwtuc's switches that give one value to every record.
var fixedSwitches = []struct {
	name string
	id   fields.ID
}{
	{"saddress", fields.SIP}, {"daddress", fields.DIP},
	{"sport", fields.SPort}, {"dport", fields.DPort}, {"protocol", fields.Protocol},
	{"packets", fields.Packets}, {"bytes", fields.Bytes}, {"flags-all", fields.Flags},
	{"stime", fields.STime}, {"duration", fields.Duration}, {"etime", fields.ETime},
	{"sensor", fields.Sensor},
	{"input-index", fields.In}, {"output-index", fields.Out}, {"next-hop-ip", fields.NhIP},
	{"flags-initial", fields.InitFlags}, {"flags-session", fields.SessionFlags},
	{"attributes", fields.Attributes}, {"application", fields.Application},
	{"class", fields.Class}, {"type", fields.Type},
	{"icmp-type", fields.IType}, {"icmp-code", fields.ICode},
}

type options struct {
	fields, sep, outputPath, badLines string
	outputFormat                      string
	verbose, stopOnError, noTitles    bool
	fixed                             []string
	siteConfig                        string
}

// NewCommand builds gtuc around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	o := &options{fixed: make([]string, len(fixedSwitches))}
	cmd := &cobra.Command{
		Use:   "gtuc [SWITCHES] [FILES]",
		Short: "Turn flows written as text into a binary flow stream (SiLK's rwtuc)",
		Long: `gtuc reads flows written as text, one per line, and writes them as a
binary flow stream (or file, --output-path) for the other gflow tools. It
reads the FILES named (names ending in .gz are gunzipped), or standard
input when none are named ("-" or "stdin" to read a terminal).

The text is rwcut's (gcut's) layout: values separated by '|' (or
--column-separator), whitespace around them ignored, a final separator
allowed. The first line names the columns (a title line such as gcut
prints), unless --fields names them; with --fields a first line that looks
like titles is still skipped, unless --no-titles. Names: sIP dIP sPort dPort
protocol packets (pkts) bytes flags sTime duration eTime sensor class type
in out nhIP initialFlags sessionFlags attributes application iType iCode
sTime+msec eTime+msec dur+msec, scc dcc (gflow's country codes), sAS dAS
(gflow's AS numbers; the organisation columns sASName dASName are skipped),
and ignore for a column to skip; any unique
prefix (gcut's truncated titles such as pro, durat, sen work), numeric ids.

It also reads nfdump's CSV output (nfdump -r FILE -o csv): a first line
starting "ts,te,td,sa,da,sp,dp,pr," is recognised, its columns ts td sa da
sp dp pr flg stos ipkt ibyt in out sas das nh are read and the summary at
the end is skipped. nfdump's times have whole seconds; the duration keeps
its milliseconds. Its flows get their type (in, out, inweb, ...) from the
site configuration's networks, as gflowcap types what it collects, unless
--type gives one.

Values: times YYYY/MM/DD[:hh[:mm[:ss[.sss]]]] ('T' or a space may stand
before the hour; YYYY-MM-DD and MM/DD/YYYY hh:mm:ss work too) or epoch
seconds with an optional fraction, always UTC; durations in seconds with
an optional fraction; addresses dotted, IPv6 or an integer; TCP flags as
letters (FSRPAUEC, any order) or a number; sensors by name, S<id> or id.

Fields no column gives take rwtuc's defaults: packets 1, bytes the packets
(1 without packets), sTime the current time, duration 0, sensor 0, type in.
Of sTime, duration and eTime only two are used (sTime and duration when all
three are given). The fixed-value switches (--saddress ... --icmp-code) give
a field one value for every line and override a column of that field.

A line that does not parse is skipped and counted; at the end one line on
stderr says how many. --verbose prints the reason for each, --stop-on-error
stops at the first, --bad-input-lines writes them to a file (each prefixed
by the input's name and the line number). Packet and byte counts up to
2^64-1 and interface indexes up to 2^32-1 are accepted (SiLK stops at
2^32-1 and 65535).`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, o, args, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.fields, "fields", "", "Parse these columns: names, ids or id ranges, comma separated. Def. the first line's titles")
	f.StringVar(&o.sep, "column-separator", "|", "Split input columns on this character")
	f.StringVar(&o.outputPath, "output-path", "stdout", "Write the binary flows to this file, or stdout/-; a terminal is refused")
	pipe.AddOutputFormat(f, &o.outputFormat)
	f.StringVar(&o.badLines, "bad-input-lines", "", "Write each line that does not parse to this file (or stderr), prefixed by input name and line number")
	f.BoolVar(&o.verbose, "verbose", false, "Print the reason for each line that does not parse on stderr")
	f.BoolVar(&o.stopOnError, "stop-on-error", false, "Print the reason for the first line that does not parse and exit with status 1")
	f.BoolVar(&o.noTitles, "no-titles", false, "Parse the first line as data even if it looks like titles (requires --fields)")
	f.StringVar(&o.siteConfig, "site-config-file", "", "Site configuration for sensor names. Def. $GFLOW_SITE_CONFIG or ROOT/gflow.toml")
	for i, s := range fixedSwitches {
		f.StringVar(&o.fixed[i], s.name, "", "Use this value for the "+s.id.Name()+" field of every record")
	}
	cli.Examples(cmd, `
		gcut --all-fields flows.gf | gtuc --output-path=copy.gf
		gtuc --fields=sip,dip,sport,dport,protocol,bytes,stime --column-separator=, --sensor=S1 flows.csv > flows.gf
		nfdump -r nfcapd.202311142210 -o csv | gtuc | gstats --fields=sip --values=bytes --count=10
		gtuc --output-format=silk flows.txt | rwcut --fields=sip,dip,bytes
	`)
	return cmd
}

func run(cmd *cobra.Command, o *options, args []string, std cli.IO) error {
	if len(o.sep) == 0 {
		return cli.Usagef("Invalid column-separator: May not be the end-of-string character")
	}
	switch o.sep[0] {
	case '\n':
		return cli.Usagef("Invalid column-separator: May not be the newline character")
	case '\r':
		return cli.Usagef("Invalid column-separator: May not be the carriage return character")
	}
	popts := Options{Sep: o.sep[0], NoTitles: o.noTitles, Now: time.Now().UnixMilli(), Fixed: map[fields.ID]string{}}
	if cmd.Flags().Changed("fields") {
		ids, err := ParseFieldList(o.fields)
		if err != nil {
			return cli.Usagef("Invalid fields: %w", err)
		}
		popts.Fields = ids
	}
	for i, s := range fixedSwitches {
		if cmd.Flags().Changed(s.name) {
			popts.Fixed[s.id] = o.fixed[i]
		}
	}
	cfg, err := site.Open(o.siteConfig, "")
	if err != nil {
		return err
	}
	popts.SensorID = func(name string) (uint16, bool) {
		s, ok := cfg.SensorByName(name)
		if !ok {
			return 0, false
		}
		return s.ID, true
	}
	p, err := NewParser(popts)
	if err != nil {
		return err
	}
	if o.badLines != "" && o.badLines == o.outputPath {
		return errors.New("Cannot use same stream for bad input and records")
	}
	if err := pipe.CheckNotTerminal(o.outputPath, std.Out); err != nil {
		return cli.Hint(err, "write to a file (--output-path=FILE) or into a pipe (| gcut ...)")
	}
	// As rwtuc: typing flows at a terminal needs the input named.
	if len(args) == 0 && cli.IsTerminal(std.In) {
		return errors.New("Will not read flows from a terminal unless 'stdin' or '-' is named")
	}

	var bad *badSink
	if o.badLines != "" {
		if bad, err = openBadSink(o.badLines, std); err != nil {
			return err
		}
	}
	if err := pipe.CheckOutputFormat(o.outputFormat); err != nil {
		return err
	}
	w, err := pipe.CreateFormat(o.outputPath, std.Out, o.outputFormat)
	if err != nil {
		if bad != nil {
			bad.close(false)
		}
		return fmt.Errorf("Could not open output file: %w", err)
	}
	c := &converter{p: p, w: w, std: std, verbose: o.verbose, stop: o.stopOnError, bad: bad}
	if !cmd.Flags().Changed("type") {
		// nfdump knows no SiLK types: the site's networks give them, as
		// gflowcap gives them to the flows it collects.
		c.classify = func(r *flowfile.Record) { cfg.Classify(r, nil) }
	}
	runErr := c.all(args)
	cerr := w.Close()
	if bad != nil {
		if err := bad.close(c.badCount > 0); err != nil && runErr == nil {
			runErr = err
		}
	}
	if runErr != nil {
		return runErr
	}
	if cerr != nil {
		return fmt.Errorf("write: %w", cerr)
	}
	if c.badCount > 0 && !o.verbose {
		s := "s"
		if c.badCount == 1 {
			s = ""
		}
		if bad != nil {
			fmt.Fprintf(std.Err, "gtuc: Could not parse %d line%s; invalid input written to '%s'\n", c.badCount, s, o.badLines)
		} else {
			fmt.Fprintf(std.Err, "gtuc: Could not parse %d line%s; try again with --stop-on-error or --verbose for details\n", c.badCount, s)
		}
	}
	return nil
}

// converter reads the inputs line by line and writes records.
type converter struct {
	p        *Parser
	w        pipe.FlowWriter
	std      cli.IO
	verbose  bool
	stop     bool
	bad      *badSink
	badCount int
	classify func(*flowfile.Record) // types nfdump's flows; nil to leave them
}

// maxLine is the longest line read; longer lines are bad lines.
const maxLine = 64 << 10

func (c *converter) all(names []string) error {
	if len(names) == 0 {
		names = []string{"-"}
	}
	for _, name := range names {
		if err := c.input(name); err != nil {
			return err
		}
	}
	return nil
}

// badLine counts a line that did not parse, copies it to the bad-lines
// file and reports it as asked.
func (c *converter) badLine(name string, lineno int, line []byte, msg string) error {
	c.badCount++
	if c.bad != nil {
		if err := c.bad.write(name, lineno, line); err != nil {
			return err
		}
	}
	if c.verbose || c.stop {
		fmt.Fprintf(c.std.Err, "gtuc: %s:%d:%s\n", name, lineno, msg)
		if c.stop {
			return cli.Exit(1)
		}
	}
	return nil
}

// badSink is the --bad-input-lines destination.
type badSink struct {
	w    *bufio.Writer
	f    *os.File // nil for stdout/stderr
	path string
}

func openBadSink(dest string, std cli.IO) (*badSink, error) {
	switch dest {
	case "stderr":
		return &badSink{w: bufio.NewWriter(std.Err)}, nil
	case "stdout", "-":
		return &badSink{w: bufio.NewWriter(std.Out)}, nil
	}
	f, err := os.Create(dest)
	if err != nil {
		return nil, fmt.Errorf("Unable to open bad-input-lines '%s': %w", dest, err)
	}
	return &badSink{w: bufio.NewWriter(f), f: f, path: dest}, nil
}

func (b *badSink) write(name string, lineno int, line []byte) error {
	fmt.Fprintf(b.w, "%s:%d:", name, lineno)
	b.w.Write(line)
	if err := b.w.WriteByte('\n'); err != nil {
		return fmt.Errorf("write bad-input-lines: %w", err)
	}
	return nil
}

// close flushes; a file that received no lines is removed, as rwtuc does.
func (b *badSink) close(keep bool) error {
	err := b.w.Flush()
	if b.f == nil {
		return err
	}
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	if !keep {
		if fi, serr := os.Stat(b.path); serr == nil && fi.Mode().IsRegular() {
			os.Remove(b.path)
		}
	}
	return err
}
