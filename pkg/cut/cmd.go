package cut

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/gflow/gflow/pkg/cut/textout"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
	"github.com/gflow/gflow/pkg/site"
)

func init() { cli.Register("gcut", NewCommand) }

type options struct {
	fields                          string
	allFields                       bool
	numRecs, startRec, endRec, tail string
	dryRun                          bool
	icmpTypeAndCode                 bool
	columns                         fields.Columns
	ipFormat                        string
	integerIPs, zeroPadIPs          bool
	times                           fields.TimeSwitches
	integerSensors, integerTCPFlags bool
	inputs                          pipe.InputSwitches
	helpFields                      bool
	ipv6Policy                      string
	outputPath, pager               string
	json                            bool
	siteConfig                      string
	asnDB                           string
}

// NewCommand builds gcut around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "gcut [SWITCHES] [FILES]",
		Short: "Print flow records as text (SiLK's rwcut)",
		Long: `gcut prints flow records as text, one line per record in input order, in
rwcut's layout: columns right-aligned and separated by '|', a title line
first. Records are read from the FILES named (gflow or SiLK flow files or
streams; "-" or "stdin" is standard input), or from standard input when
none are named.
When standard output is a terminal the text goes through $GFLOW_PAGER,
$PAGER or less (--pager to choose, --output-path to avoid).

Fields (--fields; names in any case, a unique prefix, numeric ids, id
ranges such as 1-5,9): sIP(1) dIP(2) sPort(3) dPort(4) protocol(5)
packets(6) bytes(7) flags(8) sTime(9) duration(10) eTime(11) sensor(12)
in(13) out(14) nhIP(15) scc(18) dcc(19) class(20) type(21) sTime+msec(22)
eTime+msec(23) dur+msec(24) initialFlags(26) sessionFlags(27)
attributes(28) application(29) iType iCode; icmpTypeCode means iType,iCode.
gflow adds sAS dAS (AS numbers: the exporter's, else the AS database's when
collected) and sASName dASName (the organisations, looked up when printed;
the column is as wide as the database's longest name, as SiLK sizes label
columns). Default 1-12. Times print with milliseconds unless --timestamp-format has
no-msec (then the duration prints in whole seconds, titled durat).

--json prints one JSON object per record and line instead, keys the field
names above in --fields order; counts, ports and durations (seconds) are
numbers, epoch times too; addresses, other times, flags (letters), sensors,
class, type and organisations are strings; iType and iCode are null for non-ICMP flows.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, o, args, std)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.helpFields, "help-fields", false, "Describe each field and exit")
	f.StringVar(&o.fields, "fields", "", "Print these fields: names, ids or id ranges, comma separated. Def. 1-12")
	f.BoolVar(&o.allFields, "all-fields", false, "Print all fields")
	f.StringVar(&o.numRecs, "num-recs", "", "Print no more than this number of records. Def. all")
	f.StringVar(&o.startRec, "start-rec-num", "", "Start printing with this record number, where 1 is the first. Conflicts with --tail-recs")
	f.StringVar(&o.endRec, "end-rec-num", "", "End printing with this record number. Conflicts with --tail-recs")
	f.StringVar(&o.tail, "tail-recs", "", "Print this number of records from the end of the input. Conflicts with --start-rec-num and --end-rec-num")
	f.BoolVar(&o.dryRun, "dry-run", false, "Check the switches, print the column titles and exit")
	f.BoolVar(&o.icmpTypeAndCode, "icmp-type-and-code", false, "Print the ICMP type and code in the sPort and dPort columns (deprecated; use iType,iCode)")
	o.columns.Register(f, "Do not print the column titles")
	f.StringVar(&o.ipFormat, "ip-format", "", "Print addresses as canonical, no-mixed, decimal, hexadecimal, zero-padded, map-v4, unmap-v6, force-ipv6 (comma-combinable). Def. $GFLOW_IP_FORMAT or canonical")
	f.BoolVar(&o.integerIPs, "integer-ips", false, "Print addresses as integers (--ip-format=decimal)")
	f.BoolVar(&o.zeroPadIPs, "zero-pad-ips", false, "Print addresses zero-padded (--ip-format=zero-padded)")
	o.times.Register(f, "epoch-time", "Print times as seconds since the epoch (--timestamp-format=epoch)",
		"Print times as default, iso, m/d/y or epoch, optionally with ,utc or ,local and ,no-msec. Def. $GFLOW_TIMESTAMP_FORMAT or default",
		"m/d/y,no-msec")
	f.BoolVar(&o.integerSensors, "integer-sensors", false, "Print sensors as integers")
	f.BoolVar(&o.integerTCPFlags, "integer-tcp-flags", false, "Print TCP flags as integers")
	f.StringVar(&o.ipv6Policy, "ipv6-policy", "", "ignore (skip IPv6 flows, 15-wide IP columns), asv4, mix, force (print IPv4 as IPv6) or only (skip IPv4 flows). Def. $GFLOW_IPV6_POLICY or mix")
	f.StringVar(&o.outputPath, "output-path", "", "Write the text to this file (or stdout, stderr) instead of standard output through the pager")
	f.StringVar(&o.pager, "pager", "", "Page output on a terminal with this program. Def. $GFLOW_PAGER, $PAGER, less")
	o.inputs.Register(f)
	f.BoolVar(&o.json, "json", false, "Print one JSON object per record (see above) instead of text")
	f.StringVar(&o.siteConfig, "site-config-file", "", "Site configuration for sensor names. Def. $GFLOW_SITE_CONFIG or ROOT/gflow.toml")
	f.StringVar(&o.asnDB, "asn-db", "", "Take sASName, dASName from this AS database `FILE` (GeoLite2-ASN, DB-IP ASN mmdb). Def. the site configuration's, $GFLOW_ASN_DB, the built-in one")
	cli.Examples(cmd, `
		gfilter --start-date=2015/10/09 --scc=ch --type=all --pass=stdout | gcut --fields=sip,dip,dport,bytes,stime
		gcut --all-fields --timestamp-format=epoch --num-recs=20 flows.gf
		gcut --fields=1-5,bytes --delimited=, --no-titles --tail-recs=100 flows.gf
		gcut --json --fields=sip,dip,bytes,stime flows.gf | jq .
	`)
	return cmd
}

// selection says which records print: skip, then at most num (0 = all);
// with tail, the last tail records (at most num of them).
type selection struct {
	skip, num, tail uint64
}

// parseCount parses a record count as rwcut does, with its words.
func parseCount(name, v string, min uint64) (uint64, error) {
	n, reason := silkerr.ParseUint(v, min, 0)
	if reason != "" {
		return 0, cli.UsageError(&silkerr.ValueError{Switch: name, Value: v, Reason: reason})
	}
	return n, nil
}

// parseSelection applies rwcut's rules for the record-number switches.
func parseSelection(o *options, changed func(string) bool) (selection, error) {
	var s selection
	var start, end uint64
	var err error
	if changed("num-recs") {
		if s.num, err = parseCount("num-recs", o.numRecs, 0); err != nil {
			return s, err
		}
	}
	if changed("start-rec-num") {
		if start, err = parseCount("start-rec-num", o.startRec, 1); err != nil {
			return s, err
		}
	}
	if changed("end-rec-num") {
		if end, err = parseCount("end-rec-num", o.endRec, 0); err != nil {
			return s, err
		}
	}
	if changed("tail-recs") {
		if s.tail, err = parseCount("tail-recs", o.tail, 1); err != nil {
			return s, err
		}
		if start != 0 || end != 0 {
			return s, errors.New("May not use --tail-recs when --start-rec-num or --end-rec-num is specified")
		}
		if s.num >= s.tail {
			s.num = 0
		}
	}
	if start != 0 {
		s.skip = start - 1
	}
	if end != 0 {
		switch {
		case end < start:
			return s, fmt.Errorf("The end-rec-num is less than the start-rec-num: %d < %d", end, start)
		case start != 0:
			s.num = end - s.skip
		case s.num > 0 && s.num < end:
			s.skip = end - s.num
		default:
			s.num = end
		}
	}
	return s, nil
}

func run(cmd *cobra.Command, o *options, args []string, std cli.IO) error {
	fl := cmd.Flags()
	if o.helpFields {
		return fields.WriteHelp(std.Out, fields.CutFields, true)
	}
	if fl.Changed("fields") && o.allFields {
		return cli.Usagef("Invalid all-fields: The --fields switch was already given")
	}
	ids := fields.CutDefault
	switch {
	case o.allFields:
		ids = AllFields
	case fl.Changed("fields"):
		if o.fields == "" {
			return errors.New("Missing --fields value")
		}
		var err error
		if ids, err = ParseFields(o.fields); err != nil {
			// rwcut parses --fields after its switches: no usage line
			return fmt.Errorf("Invalid fields: %w", err)
		}
	}
	sel, err := parseSelection(o, fl.Changed)
	if err != nil {
		return err
	}
	cl, err := o.columns.Layout()
	if err != nil {
		return cli.UsageError(err)
	}
	lo := Layout{NoTitles: cl.NoTitles, NoColumns: cl.NoColumns, NoFinalDelim: cl.NoFinalDelim, Delim: cl.Delim, NULDelim: cl.Delim == 0, ICMPTypeAndCode: o.icmpTypeAndCode}
	fo, err := formatOptions(fields.Switches{
		IPFormat: o.ipFormat, IntegerIPs: o.integerIPs, ZeroPadIPs: o.zeroPadIPs,
		TimestampFormat: o.times.Format(),
		IntegerSensors:  o.integerSensors, IntegerTCPFlags: o.integerTCPFlags,
	}, o.ipv6Policy)
	if err != nil {
		return cli.UsageError(err)
	}
	for _, id := range ids {
		if id == fields.Sensor && !o.integerSensors {
			cfg, err := site.Open(o.siteConfig, "")
			if err != nil {
				return err
			}
			fo.SensorName = cfg.SensorName
			fo.SensorWidth = 3
			for _, s := range cfg.Sensors {
				fo.SensorWidth = max(fo.SensorWidth, len(s.Name))
			}
		}
	}
	if slices.ContainsFunc(ids, fields.ID.IsASName) {
		db, err := asn.ForNames(o.asnDB, o.siteConfig)
		if err != nil {
			return err
		}
		fo.ASName, fo.ASNameWidth = db.Name, db.NameWidth()
	} else if err := asn.CheckFile(o.asnDB); err != nil {
		return err
	}
	p := NewPrinter(fields.NewFormatter(fo), ids, lo)

	out, err := textout.Open(o.outputPath, o.pager, std)
	if err != nil {
		return err
	}
	c := &cutter{p: p, out: out, sel: sel, policy: fo.Policy, json: o.json, std: std}
	if o.dryRun {
		c.titles()
		return out.Close()
	}
	in, err := o.inputs.Inputs(args, std, pipe.TextToStdout(o.outputPath))
	if err != nil {
		out.Close()
		return err
	}
	rerr := c.run(in)
	if err := in.Close(); err != nil && rerr == nil {
		rerr = err
	}
	if errors.Is(rerr, errCorrupt) {
		// Corrupt blocks were reported as they were met and every intact
		// block was printed: like gfilter, gstats and gcount, that is a
		// warning, not a failure.
		rerr = nil
	}
	if cerr := out.Close(); cerr != nil && rerr == nil {
		return cerr
	}
	return rerr
}

// ParseFields reads a gcut --fields value: rwcut's names and ids, plus
// icmpTypeCode for iType,iCode.
func ParseFields(spec string) ([]fields.ID, error) {
	reg := fields.NewRegistry(fields.CutFields)
	toks := strings.Split(spec, ",")
	for i, tok := range toks {
		if strings.EqualFold(strings.TrimSpace(tok), "icmpTypeCode") {
			toks[i] = "iType,iCode"
		}
	}
	return reg.Parse(strings.Join(toks, ","))
}

// formatOptions turns the switches (and $GFLOW_IPV6_POLICY) into field
// options with rwcut's milliseconds, unless the timestamp format says no-msec.
func formatOptions(s fields.Switches, ipv6Policy string) (fields.Options, error) {
	policy := fields.DefaultPolicy()
	if ipv6Policy != "" {
		p, err := fields.ParsePolicy(ipv6Policy)
		if err != nil {
			return fields.Options{}, err
		}
		policy = p
	}
	fo, err := s.Options(policy, true)
	if err != nil {
		return fo, err
	}
	fo.Msec = !fo.Time.NoMsec
	return fo, nil
}

var errCorrupt = errors.New("corrupt blocks skipped")

// cutter reads the inputs and prints the selected records.
type cutter struct {
	p      *Printer
	out    *textout.Writer
	sel    selection
	policy fields.Policy
	json   bool
	std    cli.IO
	buf    []byte
	ring   []flowfile.Record
	next   int // tail: where the next record goes once ring is full
}

func (c *cutter) titles() {
	if c.json {
		return
	}
	c.buf = c.p.AppendTitles(c.buf[:0])
	c.out.Write(c.buf)
}

func (c *cutter) row(r *flowfile.Record) error {
	if c.json {
		c.buf = c.p.AppendJSON(c.buf[:0], r)
	} else {
		c.buf = c.p.AppendRow(c.buf[:0], r)
	}
	if _, err := c.out.Write(c.buf); err != nil {
		return c.out.WriteError(err)
	}
	return nil
}

// run reads every input. It returns errCorrupt (after printing what it
// could) when corrupt blocks were skipped.
func (c *cutter) run(in *pipe.InputList) error {
	in.SkipBad(false, func(err error) { cli.Warnf(c.std.Err, "gcut", "%v", err) })
	corrupt := false
	limited := c.sel.num > 0
	titled := false
	done := false
	rows := newRowPipeline(c)
	defer rows.close()
	for !done && in.Next() {
		if !titled && c.sel.tail == 0 {
			c.titles()
			titled = true
		}
		// Blocks are decoded on other cores; lines are formatted on
		// every core (rowPipeline), and printed in input order.
		r := flowfile.NewParallelReader(in.Reader(), 0)
		for !done {
			blk, err := r.NextBlock()
			if err == io.EOF {
				break
			}
			var be *flowfile.BlockError
			if errors.As(err, &be) {
				cli.Warnf(c.std.Err, "gcut", "%v", be)
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
			for i := range blk {
				rec := &blk[i]
				if !c.policy.Keep(rec.IsIPv6()) {
					continue
				}
				if c.sel.tail > 0 {
					c.keep(rec)
					continue
				}
				if c.sel.skip > 0 {
					c.sel.skip--
					continue
				}
				if err := rows.add(rec); err != nil {
					r.Close()
					return err
				}
				if limited {
					if c.sel.num--; c.sel.num == 0 {
						done = true
						break
					}
				}
			}
		}
		r.Close()
	}
	if err := rows.flush(); err != nil {
		return err
	}
	if err := in.Err(); err != nil {
		return err
	}
	if c.sel.tail > 0 {
		if err := c.printTail(); err != nil {
			return err
		}
	} else if !titled {
		c.titles()
	}
	if corrupt {
		return errCorrupt
	}
	return nil
}

// keep remembers the last sel.tail records.
func (c *cutter) keep(r *flowfile.Record) {
	if uint64(len(c.ring)) < c.sel.tail {
		c.ring = append(c.ring, *r)
		return
	}
	c.ring[c.next] = *r
	c.next++
	if c.next == len(c.ring) {
		c.next = 0
	}
}

// printTail prints the kept records oldest first; with --num-recs only the
// first (oldest) num of them, as rwcut does.
func (c *cutter) printTail() error {
	c.titles()
	n := uint64(len(c.ring))
	if c.sel.num > 0 && c.sel.num < n {
		n = c.sel.num
	}
	for i := uint64(0); i < n; i++ {
		if err := c.row(&c.ring[(uint64(c.next)+i)%uint64(len(c.ring))]); err != nil {
			return err
		}
	}
	return nil
}
