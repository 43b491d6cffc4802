package count

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/gflow/gflow/pkg/cut/textout"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/filter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
)

func init() { cli.Register("gcount", NewCommand) }

type options struct {
	binSize, loadScheme  string
	startTime, endTime   string
	skipZeroes, binSlots bool
	times                fields.TimeSwitches
	columns              fields.Columns
	inputs               pipe.InputSwitches
	outputPath, pager    string
	json                 bool
	plot, plotValue      string
}

// NewCommand builds gcount around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "gcount [SWITCHES] [FILES]",
		Short: "Records, bytes and packets per time bin (SiLK's rwcount)",
		Long: `gcount sums the records, bytes and packets of flows per time bin and prints
one row per bin in rwcount's layout (Date|Records|Bytes|Packets, values with
two decimals because a flow's volume may be split between bins). Records
are read from the FILES named (gflow or SiLK flow files or streams; "-" or
"stdin" is standard input), or from standard input when none are named.

Rows run from the first bin with bytes to the last one (or from
--start-time to --end-time), empty bins included unless --skip-zeroes.
Bins are multiples of --bin-size from --start-time (or back from
--end-time), else from a midnight before the first flow as rwcount does;
for sizes that divide a day, that is multiples of the size since the epoch.

Load schemes (--load-scheme, name or number) say how a flow spanning
several bins is counted:
  time-proportional,4  split volume in proportion to the time active in
                       each bin (default)
  bin-uniform,0        split volume evenly across the bins it spans
  start-spike,1        all of it in the bin of its start time
  end-spike,2          all of it in the bin of its end time
  middle-spike,3       all of it in the bin of its midpoint
  maximum-volume,5     all of it in every bin it spans
  minimum-volume,6     the record in every bin it spans; bytes and
                       packets only when it lies within one bin

--json prints one JSON object per row instead:
  {"date", "epoch" (seconds), "slot", "records", "bytes", "packets"}
--plot=FILE.svg also draws the rows as a chart (--plot-value=bytes,
packets or records), with UTC time ticks.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, o, args, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.binSize, "bin-size", "30", "Size of the bins in seconds; may be fractional (>= 0.001)")
	f.StringVar(&o.loadScheme, "load-scheme", "time-proportional", "Split a flow's volume among the bins it spans by this scheme (see above), name or number")
	f.StringVar(&o.startTime, "start-time", "", "Print bins from this time (YYYY/MM/DD[:HH[:MM[:SS[.sss]]]], YYYY-MM-DD[THH[:MM[:SS[.sss]]]] or epoch seconds, UTC). Def. first bin with bytes")
	f.StringVar(&o.endTime, "end-time", "", "Print bins until this time (its last millisecond included). Def. last bin with bytes")
	// rwcount's old names: aliases that set the same value, so that
	// --start and --end still abbreviate --start-time and --end-time
	f.Var(f.Lookup("start-time").Value, "start-epoch", "DEPRECATED. Alias for --start-time")
	f.Var(f.Lookup("end-time").Value, "end-epoch", "DEPRECATED. Alias for --end-time")
	f.BoolVar(&o.skipZeroes, "skip-zeroes", false, "Do not print bins that have no records")
	f.BoolVar(&o.binSlots, "bin-slots", false, "Label rows with the internal bin index instead of the date")
	o.times.Register(f, "epoch-slots", "Print dates as seconds since the epoch (--timestamp-format=epoch)",
		"Print dates as default, iso, m/d/y or epoch, optionally with ,utc or ,local", "m/d/y")
	o.columns.Register(f, "Do not print the column titles")
	f.StringVar(&o.outputPath, "output-path", "", "Write the text to this file (or stdout, stderr) instead of standard output through the pager")
	f.StringVar(&o.pager, "pager", "", "Page output on a terminal with this program. Def. $GFLOW_PAGER, $PAGER, less")
	o.inputs.Register(f)
	f.BoolVar(&o.json, "json", false, "Print one JSON object per row (see above) instead of text")
	f.StringVar(&o.plot, "plot", "", "Also draw the rows as an SVG chart into this file")
	f.StringVar(&o.plotValue, "plot-value", "bytes", "What --plot shows: bytes, packets or records")
	cli.Examples(cmd, `
		gfilter --start-date=2015/10/09 --scc=ch --type=all --pass=stdout | gcount --bin-size=3600
		gcount --bin-size=300 --load-scheme=start-spike --skip-zeroes flows.gf
		gcount --bin-size=60 --plot=day.svg --plot-value=bytes --output-path=/dev/null flows.gf
	`)
	return cmd
}

func run(cmd *cobra.Command, o *options, args []string, std cli.IO) error {
	fl := cmd.Flags()
	secs, reason := silkerr.ParseFloat(o.binSize, 0.001, 1<<31-1)
	if reason != "" {
		return cli.UsageError(&silkerr.ValueError{Switch: "bin-size", Value: o.binSize, Reason: reason})
	}
	spec := Spec{Size: int64(1000 * secs), Start: NoStart, End: NoEnd}
	var err error
	if spec.Scheme, err = ParseScheme(o.loadScheme); err != nil {
		return cli.UsageError(err)
	}
	if err := parseWindow(o, &spec); err != nil {
		return err
	}
	cl, err := o.columns.Layout()
	if err != nil {
		return cli.UsageError(err)
	}
	lo := Layout{NoTitles: cl.NoTitles, NoColumns: cl.NoColumns, NoFinalDelim: cl.NoFinalDelim, Delim: cl.Delim, NULDelim: cl.Delim == 0, BinSlots: o.binSlots}
	tf := os.Getenv("GFLOW_TIMESTAMP_FORMAT")
	if o.times.Format() != "" {
		tf = o.times.Format()
	}
	if tf != "" {
		if lo.Time, err = fields.ParseTimeFormat(tf, false); err != nil {
			return cli.UsageError(err)
		}
	}
	var pv PlotValue
	if fl.Changed("plot-value") && o.plot == "" {
		return errors.New("The --plot-value switch requires --plot")
	}
	if o.plot != "" {
		if pv, err = ParsePlotValue(o.plotValue); err != nil {
			return cli.UsageError(err)
		}
	}

	c := NewCounter(spec)
	in, err := o.inputs.Inputs(args, std, pipe.TextToStdout(o.outputPath))
	if err != nil {
		return err
	}
	// Corrupt blocks are reported as they are met and the intact ones
	// counted: like gfilter, gstats and gcut, a warning, not a failure.
	rerr := readAll(in, std, c.AddBlock)
	cerr := in.Close()
	if rerr != nil && !errors.Is(rerr, errCorrupt) {
		return rerr
	}
	if cerr != nil {
		return cerr
	}
	if err := c.Err(); err != nil {
		return err
	}
	rows := c.All(o.skipZeroes)
	if o.plot != "" {
		if err := writePlot(o.plot, Plot{Value: pv, BinSize: spec.Size, Scheme: spec.Scheme}, c.Rows(o.skipZeroes)); err != nil {
			return err
		}
	}
	out, err := textout.Open(o.outputPath, o.pager, std)
	if err != nil {
		return err
	}
	if o.json {
		err = WriteJSON(out, rows, spec.Size, lo.Time)
	} else {
		err = WriteText(out, rows, spec.Size, lo)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return out.WriteError(err)
	}
	return nil
}

func writePlot(path string, p Plot, rows []Row) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("Unable to open plot file '%s': %w", path, err)
	}
	if err := p.WriteSVG(f, rows); err != nil {
		f.Close()
		return silkerr.WriteError(path, err)
	}
	return f.Close()
}

// timeHint is the hint line of a time gcount cannot read: the forms it
// takes, with today's date as the example.
func timeHint(name string) string {
	return "times are " + filter.DateForms + ", to the millisecond, or epoch seconds (--" + name + "=" +
		time.Now().UTC().Format("2006/01/02") + ")"
}

// parseWindow applies rwcount's --start-time and --end-time: the end time
// is rounded up to the end of its precision (2015/10/09T01 means up to
// 01:59:59.999) and then to a whole bin.
func parseWindow(o *options, spec *Spec) error {
	if o.startTime != "" {
		// rwcount reads the times after its switches: no usage line
		t, reason := filter.ParseTime(o.startTime)
		if reason != "" {
			return &silkerr.ValueError{Switch: "start-time", Value: o.startTime, Reason: reason, Fix: timeHint("start-time")}
		}
		if t.Ms == NoStart {
			return &silkerr.ValueError{Switch: "start-time", Value: o.startTime, Reason: "Value is below minimum"}
		}
		spec.Start = t.Ms
	}
	if o.endTime == "" {
		return nil
	}
	t, reason := filter.ParseTime(o.endTime)
	if reason != "" {
		return &silkerr.ValueError{Switch: "end-time", Value: o.endTime, Reason: reason, Fix: timeHint("end-time")}
	}
	ceil := t.Ceiling() + 1
	if spec.Start != NoStart {
		if ceil <= spec.Start {
			return fmt.Errorf("The end-time is less than start-time: %s < %s",
				time.UnixMilli(ceil).UTC().Format("2006/01/02T15:04:05"),
				time.UnixMilli(spec.Start).UTC().Format("2006/01/02T15:04:05"))
		}
		n := 1 + (ceil-spec.Start-1)/spec.Size
		spec.End = spec.Start + spec.Size*n
		return nil
	}
	n := 1 + (ceil-t.Ms-1)/spec.Size
	spec.End = t.Ms + n*spec.Size
	return nil
}

var errCorrupt = errors.New("corrupt blocks skipped")

// readAll feeds every block of every input to add. Corrupt blocks are
// reported on stderr and skipped; the error is then errCorrupt.
func readAll(in *pipe.InputList, std cli.IO, add func([]flowfile.Record)) error {
	in.SkipBad(false, func(err error) { cli.Warnf(std.Err, "gcount", "%v", err) })
	corrupt := false
	for in.Next() {
		// Blocks are decoded on other cores; counting stays in file
		// order, so sums are added in the order rwcount adds them. Only
		// the times and counters are decompressed.
		if !in.Copying() {
			in.Reader().SetFields(flowfile.FieldTimes | flowfile.FieldCounts)
		}
		r := flowfile.NewParallelReader(in.Reader(), 0)
		for {
			blk, err := r.NextBlock()
			if err == io.EOF {
				break
			}
			var be *flowfile.BlockError
			if errors.As(err, &be) {
				cli.Warnf(std.Err, "gcount", "%v", be)
				corrupt = true
				continue
			}
			if err != nil {
				r.Close()
				if err := in.Bad(err); err != nil {
					return err
				}
				break
			}
			if err := in.Copy(blk); err != nil {
				r.Close()
				return err
			}
			add(blk)
		}
		r.Close()
	}
	if err := in.Err(); err != nil {
		return err
	}
	if corrupt {
		return errCorrupt
	}
	return nil
}
