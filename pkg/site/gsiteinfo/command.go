// Package gsiteinfo is the gsiteinfo command (SiLK's rwsiteinfo): the
// sensors of the site configuration with their exporters and networks,
// the flow types, and what the repository holds per sensor and type.
package gsiteinfo

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cut/textout"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
	"github.com/gflow/gflow/pkg/site/learn"
)

func init() { cli.Register("gsiteinfo", NewCommand) }

type options struct {
	fields                   string
	classes, types, flowtype string
	sensors                  string
	listDelim                string
	timestampFormat          string
	columns                  fields.Columns
	outputPath, pager        string
	stateDir                 string
	site                     site.Flags
}

// defaultSensorFields and defaultRepoFields are the two tables gsiteinfo
// prints without --fields.
const (
	defaultSensorFields = "sensor,id-sensor,describe-sensor,exporters,internal,learned"
	defaultRepoFields   = "sensor,type,repo-start-date,repo-end-date,repo-file-count,repo-record-count,repo-byte-count"
)

// NewCommand builds gsiteinfo around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "gsiteinfo [SWITCHES]",
		Short: "Sensors, exporters, networks, types, and what the repository holds (SiLK's rwsiteinfo)",
		Long: `gsiteinfo prints what the site configuration defines and what the
repository holds, in rwsiteinfo's layout: one row per combination of the
classes, types and sensors that --fields names, in the order it names
them, with lists and repository figures for each row.

Without --fields it prints two tables: the sensors with their exporters,
internal networks and what gflowcap learned of their sites
(` + defaultSensorFields + `),
then, for every sensor and type that holds files, the first and last
hour held, the files, records and bytes
(` + defaultRepoFields + `).

The repository's hours and file counts come from the file names, as in
rwsiteinfo; records from the 88-byte header of each block, read without
decompressing anything, so a year of hourly files takes seconds; bytes
from the directory entries. Sensors that hold files but that the site
configuration does not name (a renamed or retired sensor) are listed
after the configured ones, without an id.

Fields (names or unique prefixes):
` + fieldHelp(),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(o, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.fields, "fields", "", "print these `FIELDS`, comma-separated (see above; default: the two tables)")
	f.StringVar(&o.classes, "classes", "", "restrict the output to these `CLASSES` (the only class is all; @ is the default class)")
	f.StringVar(&o.types, "types", "", "restrict the output to these `TYPES`: names, all, or @ for the default types (in,inweb,inicmp)")
	f.StringVar(&o.flowtype, "flowtypes", "", "restrict the output to these `CLASS/TYPE` pairs (all/in,all/out; all for either part); not with --classes or --types")
	f.StringVar(&o.sensors, "sensors", "", "restrict the output to these `SENSORS`: names, ids or id ranges")
	f.StringVar(&o.listDelim, "list-delimiter", ",", "separate the items of list fields with this `CHAR`")
	f.StringVar(&o.timestampFormat, "timestamp-format", "", "print dates as default, iso or epoch, optionally with ,utc or ,local")
	o.columns.Register(f, "Do not print the column titles")
	f.StringVar(&o.outputPath, "output-path", "", "write the text to this `FILE` (or stdout, stderr) instead of standard output through the pager")
	f.StringVar(&o.pager, "pager", "", "page output on a terminal with this `PROGRAM` (default $GFLOW_PAGER, $PAGER, less)")
	o.site.Register(f)
	f.StringVar(&o.stateDir, "state-dir", "", "where gflowcap keeps what it learned, learned.json (default ROOT/.gflowcap, as gflowcap's --state-dir)")
	cli.Examples(cmd, `
		# The sensors, their exporters and networks, and what each holds
		gsiteinfo

		# The earliest and latest hour of the whole repository (a cron job's sanity check)
		gsiteinfo --fields=repo-start-date,repo-end-date

		# Per type, for one sensor, as rwsiteinfo prints it
		gsiteinfo --sensors=S0 --fields=type,repo-file-count,repo-start-date,repo-end-date

		# Everything of each sensor on one line, for a script
		gsiteinfo --fields=sensor,exporters,internal,repo-record-count --delimited=,`)
	cli.ManSection(cmd, cli.ManSeeAlso, cli.ManItem{Term: "rwsiteinfo(1)"})
	return cmd
}

func run(o *options, std cli.IO) error {
	cl, err := o.columns.Layout()
	if err != nil {
		return cli.UsageError(err)
	}
	if len(o.listDelim) != 1 {
		return cli.Usagef("Invalid list-delimiter '%s': give one character", o.listDelim)
	}
	var fo fields.Options
	if o.timestampFormat != "" {
		if fo.Time, err = fields.ParseTimeFormat(o.timestampFormat, false); err != nil {
			return cli.UsageError(err)
		}
	}
	var tables [][]fieldDef
	if o.fields == "" {
		a, _ := parseFields(defaultSensorFields)
		b, _ := parseFields(defaultRepoFields)
		tables = [][]fieldDef{a, b}
	} else {
		t, err := parseFields(o.fields)
		if err != nil {
			return cli.UsageError(err)
		}
		tables = [][]fieldDef{t}
	}
	cfg, err := o.site.Open()
	if err != nil {
		return err
	}
	sel, err := o.selection(cfg)
	if err != nil {
		return cli.UsageError(err)
	}
	needRepo, needRecords := false, false
	for _, t := range tables {
		for _, f := range t {
			needRepo = needRepo || f.kind == kindRepo || f.dim == dimSensor || f.id == fSensorList || f.id == fSensorIDList
			needRecords = needRecords || f.id == fRepoRecords
		}
	}
	s := &siteInfo{cfg: cfg, sel: sel, delim: o.listDelim, tf: fields.NewFormatter(fo), brief: o.fields == ""}
	if usesField(tables, fLearned) {
		stateDir := o.stateDir
		if stateDir == "" {
			stateDir = filepath.Join(cfg.DataRoot, ".gflowcap")
		}
		if s.learned, err = learn.Load(learn.Path(stateDir)); err != nil {
			cli.Warnf(std.Err, "gsiteinfo", "%v; nothing learned is shown", err)
		}
	}
	if needRepo {
		if err := cli.CheckDataRoot(cfg.DataRoot, ""); err != nil {
			return err
		}
		if s.repo, err = scanRepo(cfg.DataRoot, sel.types, sel.sensorNames, needRecords); err != nil {
			return err
		}
		for _, e := range s.repo.bad {
			cli.Warnf(std.Err, "gsiteinfo", "%v (its records are not counted)", e)
		}
	}
	s.sensors = s.sensorList()

	out, err := textout.Open(o.outputPath, o.pager, std)
	if err != nil {
		return err
	}
	for i, t := range tables {
		rows := s.rows(t)
		if o.fields == "" && i == 1 {
			rows = nonEmpty(rows, t)
			if len(rows) == 0 {
				cli.Warnf(std.Err, "gsiteinfo", "the repository %s holds no flow files", cfg.DataRoot)
				continue
			}
			fmt.Fprintln(out)
		}
		writeTable(out, t, rows, cl)
	}
	return out.Close()
}

// selection is what --classes, --types, --flowtypes and --sensors keep.
type selection struct {
	types       map[flowfile.FlowType]bool // nil: all
	typeList    []flowfile.FlowType        // the types kept, in id order
	sensorIDs   map[uint16]bool            // nil: all
	sensorNames map[string]bool            // nil: all
}

func (o *options) selection(cfg *site.Config) (selection, error) {
	var sel selection
	if o.flowtype != "" && (o.classes != "" || o.types != "") {
		return sel, fmt.Errorf("Cannot use --flowtypes with --classes or --types")
	}
	if o.classes != "" {
		for tok := range strings.SplitSeq(o.classes, ",") {
			if tok = strings.TrimSpace(tok); tok != "" && tok != "@" && !strings.EqualFold(tok, flowfile.ClassName) {
				return sel, fmt.Errorf("Invalid classes '%s': the only class is '%s'", o.classes, flowfile.ClassName)
			}
		}
	}
	typeSpec := o.types
	if o.flowtype != "" {
		var parts []string
		for tok := range strings.SplitSeq(o.flowtype, ",") {
			tok = strings.TrimSpace(tok)
			if tok == "" {
				continue
			}
			class, typ, ok := strings.Cut(tok, "/")
			if !ok || (!strings.EqualFold(class, "all") && class != "@") {
				return sel, fmt.Errorf("Invalid flowtypes '%s': expected CLASS/TYPE pairs, e.g. all/in; the only class is '%s'", o.flowtype, flowfile.ClassName)
			}
			parts = append(parts, typ)
		}
		typeSpec = strings.Join(parts, ",")
	}
	if typeSpec != "" {
		sel.types = map[flowfile.FlowType]bool{}
		for tok := range strings.SplitSeq(typeSpec, ",") {
			tok = strings.TrimSpace(tok)
			switch {
			case tok == "":
			case strings.EqualFold(tok, "all"):
				for _, t := range flowfile.AllTypes() {
					sel.types[t] = true
				}
			case tok == "@":
				for _, t := range flowfile.DefaultTypes {
					sel.types[t] = true
				}
			default:
				t, err := flowfile.ParseFlowType(tok)
				if err != nil {
					return sel, fmt.Errorf("Invalid types '%s': '%s' is not a type; types are all, @ or %s", typeSpec, tok, typeNames())
				}
				sel.types[t] = true
			}
		}
	}
	for _, t := range flowfile.AllTypes() {
		if sel.types == nil || sel.types[t] {
			sel.typeList = append(sel.typeList, t)
		}
	}
	if o.sensors != "" {
		sel.sensorIDs, sel.sensorNames = map[uint16]bool{}, map[string]bool{}
		for tok := range strings.SplitSeq(o.sensors, ",") {
			tok = strings.TrimSpace(tok)
			if tok == "" {
				continue
			}
			if tok[0] >= '0' && tok[0] <= '9' {
				lo, hi, isRange := strings.Cut(tok, "-")
				a, err1 := strconv.ParseUint(lo, 10, 16)
				b, err2 := a, error(nil)
				if isRange {
					b, err2 = strconv.ParseUint(hi, 10, 16)
				}
				if err1 != nil || err2 != nil || b < a {
					return sel, fmt.Errorf("Invalid sensors '%s': expected sensor names, ids or id ranges", o.sensors)
				}
				for id := a; id <= b; id++ {
					sel.sensorIDs[uint16(id)] = true
					if s, ok := cfg.SensorByID(uint16(id)); ok {
						sel.sensorNames[s.Name] = true
					}
				}
				continue
			}
			// A name the configuration does not know may still have
			// files (a renamed sensor).
			sel.sensorNames[tok] = true
			if s, ok := cfg.SensorByName(tok); ok {
				sel.sensorIDs[s.ID] = true
			}
		}
	}
	return sel, nil
}

func usesField(tables [][]fieldDef, id fieldID) bool {
	for _, t := range tables {
		for _, f := range t {
			if f.id == id {
				return true
			}
		}
	}
	return false
}

func typeNames() string {
	var names []string
	for _, t := range flowfile.AllTypes() {
		names = append(names, t.String())
	}
	return strings.Join(names, ",")
}
