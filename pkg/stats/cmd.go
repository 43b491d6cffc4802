package stats

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
	"github.com/gflow/gflow/pkg/site"
)

func init() { cli.Register("gstats", NewCommand) }

type options struct {
	fields, values                  string
	count, threshold                uint64
	percentage                      float64
	top, bottom                     bool
	binTime                         string
	noPercents                      bool
	overall                         bool
	detailProtos                    string
	columns                         fields.Columns
	ipFormat                        string
	integerIPs, zeroPadIPs          bool
	times                           fields.TimeSwitches
	integerSensors, integerTCPFlags bool
	inputs                          pipe.InputSwitches
	helpFields, presorted           bool
	ipv6Policy                      string
	outputPath, pager               string
	json                            bool
	siteConfig                      string
	asnDB                           string
	workers                         int
}

// NewCommand builds gstats around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "gstats [SWITCHES] [FILES]",
		Short: "Top-N and bottom-N tables of flow records (SiLK's rwstats)",
		Long: `gstats bins flow records by the --fields key, computes the --values for
each bin and prints the Top-N or Bottom-N bins by the first value, in
rwstats' text layout. Alternatively (--overall-stats, --detail-proto-stats)
it prints minima, maxima, quartiles and interval counts of bytes, packets
and bytes per packet, over all flows or per protocol.

Records are read from the FILES named (gflow or SiLK flow files or
streams; "-" or "stdin" is standard input), or from standard input when
none are named.

With no --count, --threshold or --percentage, gstats prints the top 10 bins
(rwstats wants one of them): gfilter --scc=ch | gstats --fields=sip,sport
works as typed.

Bins whose primary value ties are printed in ascending order of their key:
the key fields in --fields order, addresses numerically (IPv4 as
::ffff:a.b.c.d), so the output does not depend on input order or on the
number of CPUs (rwstats prints ties in hash order).

Key fields (--fields; names in any case, a unique prefix, numeric ids,
id ranges such as 1,3-5): sIP(1) dIP(2) sPort(3) dPort(4) protocol(5)
packets(6) bytes(7) flags(8) sTime(9) duration(10) eTime(11) sensor(12)
in(13) out(14) nhIP(15) scc(18) dcc(19) class(20) type(21)
initialFlags(26) sessionFlags(27) attributes(28) application(29) iType iCode;
gflow adds sAS dAS (AS numbers) and sASName dASName (the organisations,
binned by AS number, named from the AS database).

Values (--values): Bytes, Packets, Records (alias Flows), sIP-Distinct,
dIP-Distinct, Distinct:FIELD. The first value ranks the bins. Sums that
would pass 2^64-1 stay at 18446744073709551615 (they saturate, never
wrap): only bogus records reach it.

--json prints one JSON object instead of the table:
  {"input": {"records", "bins", "total", "total_of"},
   "output": {"direction", "limit", "count", "threshold", "percentage", "rows"},
   "fields": [...], "values": [...],
   "rows": [{"key": {FIELD: text}, "values": {TITLE: n},
             "percent": p, "cumulative": c}]}`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, o, args, std)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.helpFields, "help-fields", false, "Describe each field and value and exit")
	f.StringVar(&o.fields, "fields", "", "Use these fields as the grouping key: names, ids or id ranges, comma separated")
	f.StringVar(&o.values, "values", "", "Compute these values for each bin; the first is the basis for the Top-N/Bottom-N. Def. Records")
	cli.Uint64Var(f, &o.count, "count", defaultCount, 0, 0, "Print this number of bins; 0 prints all bins. Def. 10 when no --threshold or --percentage is given")
	cli.Uint64Var(f, &o.threshold, "threshold", 0, 0, 0, "Print bins whose primary value is >= (top) or <= (bottom) this threshold")
	cli.Float64Var(f, &o.percentage, "percentage", 0, 0, 100, "Print bins whose primary value is >= (top) or <= (bottom) this percentage of the total (0-100)")
	f.BoolVar(&o.top, "top", false, "Print the top N bins. Def. Yes")
	f.BoolVar(&o.bottom, "bottom", false, "Print the bottom N bins")
	f.StringVar(&o.binTime, "bin-time", "", "Floor sTime/eTime keys to multiples of this many seconds (fractional allowed, >= 0.001); without a value, 60")
	f.Lookup("bin-time").NoOptDefVal = "60"
	f.BoolVar(&o.presorted, "presorted-input", false, "Accepted for rwstats' scripts (input sorted by rwsort or gfilter on the --fields): gstats bins any input by hash, sorted or not, with the same output")
	f.BoolVar(&o.noPercents, "no-percents", false, "Do not print the percentage columns")
	f.BoolVar(&o.overall, "overall-stats", false, "Print minima, maxima, quartiles and interval counts for bytes, packets, bytes/packet over all flows")
	f.StringVar(&o.detailProtos, "detail-proto-stats", "", "Print the same statistics for each of these protocols (list or ranges, e.g. 6,17)")
	o.columns.Register(f, "Do not print the INPUT/OUTPUT lines and the column titles")
	f.StringVar(&o.ipFormat, "ip-format", "", "Print addresses as canonical, no-mixed, decimal, hexadecimal, zero-padded, map-v4, unmap-v6, force-ipv6 (comma-combinable). Def. canonical")
	f.BoolVar(&o.integerIPs, "integer-ips", false, "Print addresses as integers (--ip-format=decimal)")
	f.BoolVar(&o.zeroPadIPs, "zero-pad-ips", false, "Print addresses zero-padded (--ip-format=zero-padded)")
	o.times.Register(f, "epoch-time", "Print times as seconds since the epoch (--timestamp-format=epoch)",
		"Print times as default, iso, m/d/y or epoch, optionally with ,utc or ,local. Def. default,utc", "m/d/y")
	f.BoolVar(&o.integerSensors, "integer-sensors", false, "Print sensors as integers")
	f.BoolVar(&o.integerTCPFlags, "integer-tcp-flags", false, "Print TCP flags as integers")
	f.StringVar(&o.ipv6Policy, "ipv6-policy", "", "ignore (drop IPv6 flows), asv4, mix, force or only (drop IPv4 flows). Def. $GFLOW_IPV6_POLICY or mix")
	f.StringVar(&o.outputPath, "output-path", "", "Write the output to this file instead of standard output")
	f.StringVar(&o.pager, "pager", "", "Page output on a terminal with this program. Def. $GFLOW_PAGER, $PAGER, less")
	o.inputs.Register(f)
	f.BoolVar(&o.json, "json", false, "Print the table as JSON (see above) instead of text")
	f.StringVar(&o.siteConfig, "site-config-file", "", "Site configuration for sensor names. Def. $GFLOW_SITE_CONFIG or ROOT/gflow.toml")
	f.StringVar(&o.asnDB, "asn-db", "", "Take sASName, dASName from this AS database `FILE` (GeoLite2-ASN, DB-IP ASN mmdb). Def. the site configuration's, $GFLOW_ASN_DB, the built-in one")
	cli.IntVar(f, &o.workers, "threads", 0, 0, 0, "Decode and aggregate with this many threads. Def. one per CPU")
	cli.Examples(cmd, `
		gfilter --scc=ch | gstats --fields=sip,sport --values=bytes
		gfilter --start-date=2015/10/09 --proto=0-255 --type=all --pass=stdout | gstats --fields=sip --values=bytes --count=20
		gstats --fields=sip,sport --values=bytes,records --top --count=10 flows.gf
		gstats --fields=dport --values=dip-distinct,bytes --percentage=5 --delimited=, flows.gf
		gstats --fields=sip,dip,sport,dport,protocol --values=bytes --bottom --threshold=100 flows.gf
		gstats --overall-stats --detail-proto-stats=6,17 flows.gf
		gstats --fields=sas,sasname --values=bytes --count=10 --no-columns flows.gf
	`)
	return cmd
}

// defaultCount is the number of bins printed when no limit is given.
const defaultCount = 10

func run(cmd *cobra.Command, o *options, args []string, std cli.IO) error {
	fl := cmd.Flags()
	if o.helpFields {
		return writeHelpFields(std.Out)
	}
	policy := fields.DefaultPolicy()
	if o.ipv6Policy != "" {
		p, err := fields.ParsePolicy(o.ipv6Policy)
		if err != nil {
			return cli.UsageError(err)
		}
		policy = p
	}
	cl, err := o.columns.Layout()
	if err != nil {
		return cli.UsageError(err)
	}
	lo := Layout{NoTitles: cl.NoTitles, NoColumns: cl.NoColumns, NoFinalDelim: cl.NoFinalDelim, Delim: cl.Delim, NULDelim: cl.Delim == 0, NoPercents: o.noPercents}

	protoMode := o.overall || fl.Changed("detail-proto-stats")
	if protoMode {
		if fl.Changed("fields") || fl.Changed("values") {
			return cli.Usagef("Cannot combine the protocol statistics (--overall-stats, --detail-proto-stats) with --fields or --values")
		}
		var protos []uint8
		if fl.Changed("detail-proto-stats") {
			var err error
			if protos, err = parseProtoList(o.detailProtos); err != nil {
				return cli.UsageError(err)
			}
		}
		ps := NewProtoStats(protos, policy)
		in, err := o.inputs.Inputs(args, std, pipe.TextToStdout(o.outputPath))
		if err != nil {
			return err
		}
		if err := readAll(in, std, ps.Add); err != nil && !isBlockErr(err) {
			in.Close()
			return err
		}
		if err := in.Close(); err != nil {
			return err
		}
		return writeOut(o, std, func(w io.Writer) error { return ps.WriteProtoStats(w, lo) })
	}

	spec := Spec{Policy: policy, Bottom: o.bottom}
	if o.top && o.bottom {
		return cli.Usagef("May only specify one of --top or --bottom.")
	}
	nlimits := 0
	for _, n := range []string{"count", "threshold", "percentage"} {
		if fl.Changed(n) {
			nlimits++
		}
	}
	switch {
	case nlimits == 0:
		// the short form: rwstats refuses ("No stopping condition was
		// entered"); the top ten is what people want to see
		spec.Limit, spec.Count = LimitCount, defaultCount
	case nlimits > 1:
		return cli.Usagef("May only specify one of --count, --threshold, or --percentage.")
	case fl.Changed("count"):
		spec.Limit, spec.Count = LimitCount, o.count
	case fl.Changed("threshold"):
		spec.Limit, spec.Threshold = LimitThreshold, o.threshold
	default:
		spec.Limit, spec.Percentage = LimitPercentage, o.percentage
	}
	if o.fields == "" {
		return cli.Hint(cli.Usagef("The --fields switch is required"),
			"name the key, e.g. --fields=sip for the top sources, --fields=scc for countries, --fields=dport for services")
	}
	reg := fields.NewRegistry(fields.StatsKeys)
	keys, err := reg.Parse(o.fields)
	if err != nil {
		// rwstats parses --fields after its switches: no usage line
		return fmt.Errorf("Invalid fields: %w", err)
	}
	spec.Keys = keys
	vals := "Records"
	if fl.Changed("values") {
		vals = o.values
	}
	if spec.Values, err = ParseValues(vals, reg); err != nil {
		return err
	}
	if fl.Changed("bin-time") {
		secs := 60.0 // --bin-time= as --bin-time
		if o.binTime != "" {
			var reason string
			if secs, reason = silkerr.ParseFloat(o.binTime, 0.001, 1<<31-1); reason != "" {
				return cli.UsageError(&silkerr.ValueError{Switch: "bin-time", Value: o.binTime, Reason: reason})
			}
		}
		spec.BinTime = int64(1000 * secs)
	}
	fopts, err := formatOptions(o, policy, spec)
	if err != nil {
		return cli.UsageError(err)
	}
	if slices.ContainsFunc(spec.Keys, fields.ID.IsASName) {
		db, err := asn.ForNames(o.asnDB, o.siteConfig)
		if err != nil {
			return err
		}
		fopts.ASName, fopts.ASNameWidth = db.Name, db.NameWidth()
	} else if err := asn.CheckFile(o.asnDB); err != nil {
		return err
	}

	workers := o.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	agg, err := NewAggregator(spec, workers)
	if err != nil {
		return cli.UsageError(err)
	}
	defer agg.Release()
	in, err := o.inputs.Inputs(args, std, pipe.TextToStdout(o.outputPath))
	if err != nil {
		return err
	}
	var rerr error
	if dst, ok := spec.EndpointSide(); ok && !in.Copying() {
		// keyed by addresses or countries of one side: summed by the
		// blocks' endpoint dictionaries, records never built
		counts := spec.Needs() & flowfile.FieldCounts
		rerr = readInputs(in, std, func(r *flowfile.Reader, onBad func(*flowfile.BlockError)) error {
			return flowfile.ProcessEndpoints(r, workers, dst, counts, func(w int, sums []flowfile.EndpointSum) error {
				agg.AddSums(w, sums, dst)
				return nil
			}, onBad)
		})
	} else {
		rerr = readRuns(in, std, workers, spec.Needs(), agg.AddRun)
	}
	cerr := in.Close()
	res := agg.Finish()
	if rerr != nil && !isBlockErr(rerr) {
		return rerr
	}
	if cerr != nil {
		return cerr
	}
	sel := res.Select()
	fm := fields.NewFormatter(fopts)
	werr := writeOut(o, std, func(w io.Writer) error {
		if o.json {
			return WriteJSON(w, res, sel, fm, o.noPercents)
		}
		return WriteText(w, res, sel, fm, lo)
	})
	// corrupt blocks were reported on stderr as they were met; like
	// gfilter, the tool goes on past them and the status stays 0
	return werr
}

// formatOptions builds the field formatting from the switches.
func formatOptions(o *options, policy fields.Policy, spec Spec) (fields.Options, error) {
	fo, err := fields.Switches{
		IPFormat: o.ipFormat, IntegerIPs: o.integerIPs, ZeroPadIPs: o.zeroPadIPs,
		TimestampFormat: o.times.Format(),
		IntegerSensors:  o.integerSensors, IntegerTCPFlags: o.integerTCPFlags,
	}.Options(policy, false)
	if err != nil {
		return fo, err
	}
	// a fractional --bin-time keeps milliseconds in the key and the text
	fo.Msec = spec.BinTime > 0 && spec.BinTime%1000 != 0
	for _, k := range spec.Keys {
		if k == fields.Sensor && !o.integerSensors {
			cfg, err := site.Open(o.siteConfig, "")
			if err != nil {
				return fo, err
			}
			fo.SensorName = cfg.SensorName
			fo.SensorWidth = 3
			for _, s := range cfg.Sensors {
				fo.SensorWidth = max(fo.SensorWidth, len(s.Name))
			}
		}
	}
	return fo, nil
}

func parseProtoList(s string) ([]uint8, error) {
	var out []uint8
	for _, tok := range strings.Split(s, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(tok, "-")
		a, err := strconv.ParseUint(lo, 10, 8)
		b := a
		if err == nil && isRange {
			b, err = strconv.ParseUint(hi, 10, 8)
		}
		if err != nil || b < a {
			return nil, fmt.Errorf("Invalid detail-proto-stats '%s': Protocols must be numbers or ranges from 0 to 255", s)
		}
		for p := a; p <= b; p++ {
			out = append(out, uint8(p))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Invalid detail-proto-stats '%s': No protocols given", s)
	}
	return out, nil
}

type blockErrSeen struct{}

func (blockErrSeen) Error() string { return "corrupt blocks skipped" }

func isBlockErr(err error) bool {
	var b blockErrSeen
	return errors.As(err, &b)
}

// readAll feeds every block of every input to add. Corrupt blocks are
// reported on stderr and skipped; the returned error is then blockErrSeen.
func readAll(in *pipe.InputList, std cli.IO, add func([]flowfile.Record)) error {
	in.SkipBad(false, func(err error) { cli.Warnf(std.Err, "gstats", "%v", err) })
	corrupt := false
	for in.Next() {
		r := in.Reader()
		for {
			blk, err := r.NextBlock()
			if err == io.EOF {
				break
			}
			var be *flowfile.BlockError
			if errors.As(err, &be) {
				cli.Warnf(std.Err, "gstats", "%v", be)
				corrupt = true
				continue
			}
			if err != nil {
				if err := in.Bad(err); err != nil {
					return err
				}
				break
			}
			if err := in.Copy(blk); err != nil {
				return err
			}
			add(blk)
		}
	}
	if err := in.Err(); err != nil {
		return err
	}
	if corrupt {
		return blockErrSeen{}
	}
	return nil
}

// readRuns decodes every input on workers goroutines and hands runs of
// records, built with the fields need, to add, in no particular order.
// Corrupt blocks are reported on stderr and skipped; the returned error is
// then blockErrSeen. With --copy-input the records are read in input
// order by one goroutine, every field of them, and copied.
func readRuns(in *pipe.InputList, std cli.IO, workers int, need flowfile.Fields, add func(w int, run []flowfile.Record)) error {
	if in.Copying() {
		return readAll(in, std, func(blk []flowfile.Record) { add(0, blk) })
	}
	return readInputs(in, std, func(r *flowfile.Reader, onBad func(*flowfile.BlockError)) error {
		r.SetFields(need)
		return flowfile.Process(r, workers, func(w int, run []flowfile.Record) error {
			add(w, run)
			return nil
		}, onBad)
	})
}

// readInputs hands every input's Reader to process, with the function
// that reports corrupt blocks on stderr; the returned error is then
// blockErrSeen.
func readInputs(in *pipe.InputList, std cli.IO, process func(*flowfile.Reader, func(*flowfile.BlockError)) error) error {
	in.SkipBad(false, func(err error) { cli.Warnf(std.Err, "gstats", "%v", err) })
	corrupt := false
	onBad := func(be *flowfile.BlockError) {
		cli.Warnf(std.Err, "gstats", "%v", be)
		corrupt = true
	}
	for in.Next() {
		if err := process(in.Reader(), onBad); err != nil {
			if err := in.Bad(err); err != nil {
				return err
			}
		}
	}
	if err := in.Err(); err != nil {
		return err
	}
	if corrupt {
		return blockErrSeen{}
	}
	return nil
}

// writeOut sends the output to --output-path, the pager or stdout.
func writeOut(o *options, std cli.IO, write func(io.Writer) error) error {
	if o.outputPath != "" && o.outputPath != "-" && o.outputPath != "stdout" {
		f, err := os.Create(o.outputPath)
		if err != nil {
			return fmt.Errorf("Unable to open output-path '%s': %s", o.outputPath, silkerr.Strerror(err))
		}
		if err := write(f); err != nil {
			f.Close()
			return silkerr.WriteError(o.outputPath, err)
		}
		return f.Close()
	}
	var out io.WriteCloser
	if o.outputPath == "" {
		p, err := cli.Pager(std, o.pager)
		if err != nil {
			return err
		}
		out = p
	} else {
		out = nopWriteCloser{std.Out}
	}
	if err := write(out); err != nil {
		out.Close()
		return silkerr.WriteError("stdout", err)
	}
	return out.Close()
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// writeHelpFields prints the names --fields and --values take, as
// rwstats --help-fields does.
func writeHelpFields(w io.Writer) error {
	if err := fields.WriteHelp(w, fields.StatsKeys, true); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, `
The following names may be used in the --values switch. The first value
ranks the bins.
  Records,Flows              Number of flow records in the bin (default)
  Packets                    Sum of packets of the flows in the bin
  Bytes                      Sum of bytes of the flows in the bin
  sIP-Distinct               Number of distinct source addresses in the bin
  dIP-Distinct               Number of distinct destination addresses in the bin
  Distinct:FIELD             Number of distinct values of FIELD (not a key) in the bin
`)
	return err
}
