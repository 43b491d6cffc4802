// Package gfilter is the gfilter command: rwfilter's job with rwfilter's
// switches. It selects flows from the repository, from files or from a
// pipe, partitions them with the tests of package filter, and writes those
// that pass (and, on request, those that fail) as binary streams.
package gfilter

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/gflow/gflow/pkg/filter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo/country"
	_ "github.com/gflow/gflow/pkg/parquetflow" // --output-format=parquet
	"github.com/gflow/gflow/pkg/pipe"
	"github.com/gflow/gflow/pkg/silk"
	"github.com/gflow/gflow/pkg/site"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() { cli.Register("gfilter", NewCommand) }

// options holds the switches that are not partitioning tests.
type options struct {
	dataRoot, siteConfig   string
	startDate, endDate     string
	class, types, flowtype string
	sensors                string
	printMissing, dryRun   bool
	printFilenames         bool
	helpCountries          bool
	xargs                  string
	pass, fail, all        []string
	maxPass, maxFail       uint64
	printStats, printVol   string
	threads                int
	outputFormat           string
	tests                  map[string]*[]string

	// allPass proves from a block's summary that every record passes
	// (nil: the tests given cannot be proven that way)
	allPass allPass
	// need is the record fields the tests and the statistics read
	need flowfile.Fields
}

const statsDefault = "stderr"

// now is the clock for the default date (the current day); tests set it.
var now = time.Now

// isTerminal tells a terminal from a pipe or file; tests replace it.
var isTerminal = cli.IsTerminal

// NewCommand builds the gfilter command around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	o := &options{tests: map[string]*[]string{}}
	cmd := &cobra.Command{
		Use:   "gfilter [switches] [FILES | stdin | -]",
		Short: "select flows from the repository or files and partition them (like rwfilter)",
		Long: `gfilter reads flows from the repository (--start-date, --end-date, --type,
--sensors, ...), from the files named (stdin or - for standard input) or from
the files listed by --xargs, keeps those that pass every partitioning switch,
and writes them as a binary stream for gstats and the other tools. Switches
and values are rwfilter's: a SiLK command works after changing rw to g. Any
unique prefix of a switch works (--proto, --pass). gflow adds --sas, --das
and --any-as: AS numbers, lists and ranges as for ports (an "AS" before a
number is allowed; 0 is no AS: internal addresses and those no network
announces).

The short way works too. With no output switch, the passing records go to
standard output when it is a pipe or a file (gfilter --scc=ch | gstats);
on a terminal gfilter says how to go on. With no partitioning switch every
record passes (rwfilter wants --proto=0-255). With no input named, gfilter
reads the repository's files of today (UTC) of the default types, unless
flows are piped in (gfilter --scc=ch | gfilter --proto=6): then it reads
them, as if - had been named. Standard input is otherwise read only when
named (stdin or -), as in rwfilter.

Exactly one input method may be used. With file names, --type, --class,
--flowtypes and --sensors test each record instead of choosing files. With
no --type, the repository query reads SiLK's default types in,inweb,inicmp:
incoming traffic only (--type=all reads every type). Dates are UTC, written
YYYY/MM/DD[:HH] or YYYY-MM-DD[THH]; the granularity of --start-date and
--end-date is the hour.

SiLK's files and streams are read as gflow's are, recognised by their
magic number (a SiLK repository, or a root that holds both kinds of file,
works with the repository switches); --output-format=silk writes SiLK's
FT_RWIPV6ROUTING for SiLK's tools instead of gflow's stream, and
--output-format=parquet a Parquet file for DuckDB, Spark or ClickHouse,
with the column names of docs/clickhouse.sql; a --pass destination that is
a directory (existing, or ending in /) gets Hive-style partitions
DIR/date=YYYY-MM-DD/hour=HH/*.parquet of the flows' start hours (UTC).

A corrupt block is reported on stderr ("gfilter: warning: ...") with its
file and byte offset; the rest of the input is still read and the exit
status stays 0, as rwfilter goes on past bad data. A file that cannot be
read at all (missing, unreadable, empty, not flows) among several, or in
the repository, is one warning line too, and the other files are read;
the user's one file that cannot be read is an error. Output ends quietly,
with status 0, when the reader downstream goes away.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return run(c, o, args, std)
		},
	}
	cli.Examples(cmd, `
		gfilter --scc=ch | gstats --fields=sip,sport --values=bytes
		gfilter --start-date=2015/10/09:00 --end-date=2015/10/09:23 --type=all \
		    --proto=6 --dport=443 --pass=stdout | gstats --fields=dip --values=bytes --count=20
		gfilter --start-date=2015-10-09 --type=all --dcc=us,gb --pass=us-gb.gf
		gfilter --proto=17 --aport=53 --print-statistics flows.gf
		gfilter --type=all --any-as=AS13335,15169 | gstats --fields=dip,dasname --values=bytes --count=10
		gfilter --data-rootdir=/data/silk --type=all --proto=6 --pass=stdout --output-format=silk | rwstats --fields=dport --count=10
		gfilter --start-date=2024/05/01 --end-date=2024/05/31 --type=all --all-destination=export/ --output-format=parquet
	`)
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringVar(&o.dataRoot, "data-rootdir", "", "repository root `DIR` (default $GFLOW_DATA_ROOTDIR, then the site configuration's, then "+cli.DefaultDataRoot+")")
	fl.StringVar(&o.siteConfig, "site-config-file", "", "site configuration `FILE` (default $GFLOW_SITE_CONFIG, then ROOT/gflow.toml)")
	fl.StringVar(&o.startDate, "start-date", "", "first hour or day to read: `DATE` YYYY/MM/DD[:HH], YYYY-MM-DD[THH] or epoch seconds (default today, UTC)")
	fl.StringVar(&o.endDate, "end-date", "", "last hour or day to read, `DATE` (needs --start-date)")
	fl.StringVar(&o.class, "class", "", "`CLASS` to read; the only class is all")
	fl.StringVar(&o.types, "type", "", "`TYPES` to read: all or a list of in,out,inweb,outweb,innull,outnull,int2int,ext2ext,inicmp,outicmp,other (default in,inweb,inicmp)")
	fl.StringVar(&o.flowtype, "flowtypes", "", "`CLASS/TYPE` pairs to read (all/in,all/out); not with --class or --type")
	fl.StringVar(&o.sensors, "sensors", "", "`SENSORS` to read: names, ids or id ranges (default all)")
	fl.BoolVar(&o.printMissing, "print-missing-files", false, "report missing repository files on stderr")
	fl.BoolVar(&o.dryRun, "dry-run", false, "print the files that would be read, one per line, and stop")
	fl.BoolVar(&o.helpCountries, "help-countries", false, "list the country codes --scc, --dcc and --any-cc take, with their names, and exit")
	fl.StringVar(&o.xargs, "xargs", "", "read the names of the input files from `FILE` (default stdin), one per line")
	fl.Lookup("xargs").NoOptDefVal = "stdin"

	for _, s := range filter.Switches {
		v := new([]string)
		o.tests[s.Name] = v
		fl.StringArrayVar(v, s.Name, nil, s.Help)
	}

	fl.StringArrayVar(&o.pass, "pass-destination", nil, "write passing records to `DEST`: a path, stdout, - or stderr (repeatable)")
	fl.StringArrayVar(&o.fail, "fail-destination", nil, "write failing records to `DEST` (repeatable)")
	fl.StringArrayVar(&o.all, "all-destination", nil, "write every record to `DEST` (repeatable)")
	cli.Uint64Var(fl, &o.maxPass, "max-pass-records", 0, 0, 0, "write at most `N` passing records to each pass destination")
	cli.Uint64Var(fl, &o.maxFail, "max-fail-records", 0, 0, 0, "write at most `N` failing records to each fail destination")
	fl.StringVar(&o.printStats, "print-statistics", "", "print the count of files and records read, passed and failed on stderr, or to `PATH`")
	fl.Lookup("print-statistics").NoOptDefVal = statsDefault
	fl.StringVar(&o.printVol, "print-volume-statistics", "", "print records, packets and bytes read, passed and failed on stderr, or to `PATH`")
	fl.Lookup("print-volume-statistics").NoOptDefVal = statsDefault
	fl.BoolVar(&o.printFilenames, "print-filenames", false, "print the name of each input file on stderr as it is read")
	cli.IntVar(fl, &o.threads, "threads", runtime.GOMAXPROCS(0), 1, 0, "`N` goroutines reading and filtering")
	pipe.AddOutputFormat(fl, &o.outputFormat)
	return cmd
}

// inputs is what run reads: a list of files (repository or named), or
// standard input among them.
type inputs struct {
	names []string
	repo  bool
}

func changed(fl *pflag.FlagSet, names ...string) bool {
	for _, n := range names {
		if fl.Changed(n) {
			return true
		}
	}
	return false
}

func run(c *cobra.Command, o *options, args []string, std cli.IO) error {
	fl := c.Flags()

	if o.helpCountries {
		return country.WriteList(std.Out)
	}
	// outputs and partitioning rules, before anything is read. With no
	// output named, the passing records go to standard output when it is a
	// pipe or a file (gfilter --scc=ch | gstats ...); a terminal gets a
	// word on how to go on instead of binary bytes.
	if len(o.pass)+len(o.fail)+len(o.all) == 0 && o.printStats == "" && o.printVol == "" && !o.dryRun {
		if isTerminal(std.Out) {
			return cli.Hint(errors.New("No output(s) specified"),
				"pipe the flows into another tool (gfilter ... | gstats --fields=sip) or write them to a file with --pass=FILE")
		}
		o.pass = []string{"stdout"}
	}
	if err := pipe.CheckOutputFormat(o.outputFormat); err != nil {
		return err
	}
	if o.printStats != "" && o.printVol != "" {
		return errors.New("Cannot use --print-statistics and --print-volume-statistics together")
	}
	// rwfilter checks the partitioning switches while it parses the
	// command line: a bad one is followed by its usage line
	b := filter.NewBuilder()
	for _, s := range filter.Switches {
		for _, v := range *o.tests[s.Name] {
			if err := b.Set(s.Name, v); err != nil {
				return cli.UsageError(err)
			}
		}
	}

	// input method
	repoSwitches := changed(fl, "start-date", "end-date", "print-missing-files")
	selectSwitches := changed(fl, "class", "type", "flowtypes", "sensors")
	methods := 0
	if len(args) > 0 {
		methods++
	}
	if fl.Changed("xargs") {
		methods++
	}
	fileMode := methods > 0
	if repoSwitches || (selectSwitches && !fileMode) {
		methods++
	}
	if methods > 1 {
		return errors.New("Multiple input sources were specified: input must come from only one of --xargs, file names on the command line, or a combination of the file selection switches")
	}
	// no input named: the repository's files of today (UTC) and the
	// default types, as rwfilter's --start-date defaults to today
	if o.flowtype != "" && (o.class != "" || o.types != "") {
		return errors.New("Cannot use --flowtypes when either --class or --type are specified")
	}
	if o.class != "" {
		if err := checkClass("class", o.class); err != nil {
			return err
		}
	}
	var types []flowfile.FlowType
	var err error
	switch {
	case o.types != "":
		types, err = parseTypes(o.types)
	case o.flowtype != "":
		types, err = parseFlowtypes(o.flowtype)
	}
	if err != nil {
		return err
	}
	var cfg *site.Config
	if o.sensors != "" || !fileMode || o.siteConfig != "" {
		if cfg, err = site.Open(o.siteConfig, o.dataRoot); err != nil {
			return err
		}
		// SiLK records get their countries under this site's rule
		silk.UseSite(cfg)
	}
	var sensors sensorSel
	if o.sensors != "" {
		if sensors, err = parseSensors(o.sensors, cfg, fileMode); err != nil {
			return err
		}
	}
	if fileMode {
		// selection switches test each record
		if types != nil {
			b.SetTypes(types)
		}
		if o.sensors != "" {
			b.SetSensors(sensors.ids)
		}
	}
	f, err := b.Build()
	if err != nil {
		return cli.UsageError(err)
	}
	var selTypes []flowfile.FlowType
	var selSensors []uint16
	if fileMode {
		selTypes = types
		if o.sensors != "" {
			selSensors = append([]uint16{}, sensors.ids...) // never nil: the test is on
		}
	}
	o.allPass = newAllPass(o.tests, selTypes, selSensors)
	o.need = testFields(o.tests, selTypes != nil || selSensors != nil)
	if o.printVol != "" {
		o.need |= flowfile.FieldCounts
	}
	// With no partitioning switch every record passes: the flows the
	// selection switches chose, as the user meant (rwfilter refuses and
	// wants --proto=0-255). A fail destination would get nothing, though.
	if f.Len() == 0 && len(o.fail) > 0 {
		return cli.Hint(errors.New("Must specify partitioning rules when using --fail-destination"),
			"with no partitioning switch every record passes; add one, e.g. --proto=6 --fail=FILE")
	}

	// one stream per destination: two headers on one pipe would be garbage
	seenDest := map[string]bool{}
	for _, d := range append(append(append([]string{}, o.pass...), o.fail...), o.all...) {
		key := d
		if d == "-" {
			key = "stdout"
		}
		if seenDest[key] {
			return fmt.Errorf("The destination '%s' is named more than once; each destination takes one stream", d)
		}
		seenDest[key] = true
	}

	// refuse a terminal before reading anything
	if !o.dryRun {
		for _, d := range append(append(append([]string{}, o.pass...), o.fail...), o.all...) {
			if err := pipe.CheckNotTerminal(d, std.Out); err != nil {
				return cli.Hint(err, "write to a file (--pass=FILE) or into a pipe (| gstats ...)")
			}
		}
	}

	var in inputs
	switch {
	case len(args) > 0:
		in.names = args
	case fl.Changed("xargs"):
		if in.names, err = pipe.ReadXargs(o.xargs, std.In); err != nil {
			return err
		}
	case !repoSwitches && !selectSwitches && flowsPipedIn(&std.In):
		// flows piped into a gfilter that names no input: what the
		// user meant is the pipe, not today's repository
		in.names = []string{"-"}
	default:
		in.repo = true
		first, last, err := hourRange(o.startDate, o.endDate, now())
		if err != nil {
			return err
		}
		root := cfg.DataRoot
		if err := cli.CheckDataRoot(root, ", or name flow files on the command line"); err != nil {
			return err
		}
		files, err := flowfile.Repo{Root: root}.List(first, last, types, sensors.names)
		if err != nil {
			return err
		}
		if err := checkUnknownSensors(sensors, files, cfg, root); err != nil {
			return err
		}
		for _, rf := range files {
			if !rf.Exists {
				if o.printMissing {
					fmt.Fprintf(std.Err, "Missing %s\n", rf.Path)
				}
				continue
			}
			in.names = append(in.names, rf.Path)
		}
		if len(in.names) == 0 && isTerminal(std.Err) {
			// someone typing gets a word; cron on a quiet hour does not
			cli.Warnf(std.Err, "gfilter", "no files of types %s in %s for %s", typeList(types), root, hoursText(first, last))
		}
	}
	// a missing input is reported before any output is created; among
	// several, one that cannot be read is a warning when it is reached
	if !in.repo && len(in.names) == 1 {
		for _, n := range in.names {
			if n == "stdin" || n == "-" {
				continue
			}
			if _, err := os.Stat(n); err != nil {
				return silkerr.OpenError(n, err)
			}
		}
	}
	if o.dryRun {
		w := bufio.NewWriter(std.Out)
		for _, n := range in.names {
			fmt.Fprintln(w, n)
		}
		return w.Flush()
	}
	return process(f, o, in, std)
}
