// Package gjson is the gjson tool's command: rwstats/gstats text keyed by
// country in, the world map's JSON (and page) out.
package gjson

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/mapjson"
)

func init() {
	cli.Register("gjson", NewCommand)
	cli.RegisterAttribution(func() string { return mapjson.Attribution })
}

// now is the clock, replaced by tests.
var now = time.Now

type options struct {
	format       string
	output       string
	html         string
	pageOnly     bool
	key          string
	valueColumns []string
	separator    string
	dataOrigins  []string
	asnDB        string
}

// NewCommand builds gjson around the given streams.
func NewCommand(io cli.IO) *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "gjson [--output=FILE] [--html=DIR] [FILE]",
		Short: "Turn a top-N table by country into the world map's JSON and page",
		Long: `gjson reads one top-N table keyed by country, as printed by
'gstats --fields=scc' or '--fields=dcc' or by SiLK's rwstats (columnar or
--delimited with any separator, with or without titles), from FILE or
standard input ('-' or 'stdin'), and writes the world map's JSON.

A table keyed by more than the country (--fields=scc,sport) and a flow
listing (gcut, rwcut) are refused: their bubbles would be drawn from a port
number or a single flow. A table with no rows, what gstats prints for a
period without traffic, is a valid map with no bubbles and the note "no
traffic in this period" (exit status 0, so cron stays quiet). Empty input
is an error: the command before gjson failed.

The JSON is an object: generated (UTC), key (scc or dcc), value_name (the
ranking value), unit, values, total and where it came from, input (the
INPUT line's record, bin and total counts), output, no_country (the '--'
share), special (legacy codes a1 a2 o1 eu ap, '??' and other codes kept off
the map), rows (rank, code in upper case, English name, value, percent,
values) and, on a map without bubbles, note. --format=highmaps writes
instead the plain array a Highcharts Highmaps mapbubble series joined on
iso-a2 takes: [{"code":"CH","name":"Switzerland","z":VALUE,"value":PERCENT}, ...].

--output=FILE replaces FILE atomically (temporary file in the same folder,
fsync, rename), so a web server never serves half a file; on any error the
previous FILE stays as it was. When FILE is NAME.json beside the map page,
NAME.js (the same data as a script, which the page opened from file://
reads) is replaced too. New files get the umask's mode; replaced ones keep
theirs.

--html=DIR writes the map page into DIR (created if missing): index.html and
its scripts, all built into gjson, needing no network. With the page it
writes the data as DIR/data.json (read by the page over HTTP) and
DIR/data.js (read from file://, where browsers refuse to fetch files).
--page-only writes the page without data. Page files whose content is
unchanged are not rewritten, so running gjson --html from cron every few
minutes only replaces the data.

The page reads data.json beside it, or another .json file beside it named
as ?data=NAME.json, and reloads it every 60 seconds or every N given as
?refresh=N (0: never), keeping the last good data when a reload fails. It
reads nothing from other folders or sites, unless --data-origin named a
site when the page was written (then ?data=https://that.site/x.json works
over HTTP). Wheel, drag, pinch or double-click zoom and pan; the pointer
picks the bubble whose centre is nearest; a click gives the drill-down
command (gfilter --scc=XX | gstats --fields=sip,sport, or for a dcc map
--dcc=XX and --fields=dip,dport).

A SQL query's tab-separated answer with a title line reads the same way,
so the map can come from ClickHouse (docs/clickhouse.md):
  clickhouse-client -q "SELECT dcc, sum(bytes) AS bytes FROM flows
    WHERE stime >= now() - 3600 GROUP BY dcc ORDER BY bytes DESC
    FORMAT TSVWithNames" | gjson --html=/var/www/map

Text printed with --no-titles names no column: the first column holding
two-letter codes is the key, taken as scc unless --key=dcc says otherwise;
integer columns are the values (name them with --value-columns, primary
first); two decimal columns are the percentages.

A table by country and AS number (gstats --fields=scc,sas --count=0, or
dcc,das) draws the same bubbles, summed per country, and the tooltip lists
each country's largest networks (rows' "networks": as, name, value,
percent). It must hold every bin, or the sums would be short: gjson refuses
one whose INPUT line counts more bins than it prints. The organisations'
names come from a sASName or dASName column when the table has one, else
from the AS database (--asn-db, the site configuration's asn-db,
GFLOW_ASN_DB, else the built-in one).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(io, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "json", "output format: json (the map's document) or highmaps (a mapbubble series array)")
	f.StringVar(&o.output, "output", "stdout", "write the JSON to this file, replaced atomically ('-' or 'stdout': standard output)")
	f.StringVar(&o.html, "html", "", "write the map page and its data (data.json, data.js) into this folder")
	f.BoolVar(&o.pageOnly, "page-only", false, "with --html: write the page alone, read no input")
	f.StringVar(&o.key, "key", "", "for text without titles: the country column is scc or dcc (default scc)")
	f.StringSliceVar(&o.valueColumns, "value-columns", nil, "for text without titles: names of the value columns, primary first (e.g. Bytes,Records)")
	f.StringVar(&o.separator, "column-separator", "", "column separator of the input (default: found from the first line)")
	f.StringVar(&o.asnDB, "asn-db", "", "for a table by country and AS number: take the organisations' names from this AS database `FILE` (GeoLite2-ASN, DB-IP ASN mmdb). Def. the site configuration's, $GFLOW_ASN_DB, the built-in one")
	f.StringArrayVar(&o.dataOrigins, "data-origin", nil, "with --html: let the page load ?data=URL from this `ORIGIN` too (https://host[:port]; repeatable); by default only a .json file beside the page")
	cli.Examples(cmd, `
		gfilter | gstats --fields=scc --values=bytes --count=50 | gjson --output=/var/www/map/data.json
		gfilter | gstats --fields=scc,sas --values=bytes --count=0 | gjson --output=/var/www/map/data.json
		gjson --html=/var/www/map --page-only
		gstats --top --count=50 --fields=dcc --values=bytes hour.gf | gjson --html=/var/www/map
		gfilter --start-date=2026/06/01 --type=all --pass=stdout | gstats --top --count=0 --fields=scc --values=bytes | gjson --html=/var/www/map
		gstats --fields=dcc --values=bytes --count=20 --delimited=, --no-titles hour.gf | gjson --key=dcc --value-columns=Bytes
		gjson --format=highmaps --output=bubbles.json table.txt
		curl -s 'http://127.0.0.1:8123/' --data-binary "SELECT dcc, sum(bytes) AS bytes FROM flows WHERE stime >= now() - 3600 GROUP BY dcc ORDER BY bytes DESC FORMAT TSVWithNames" | gjson --html=/var/www/map
	`)
	return cmd
}

func run(std cli.IO, o options, args []string) error {
	if o.format != "json" && o.format != "highmaps" {
		return cli.Usagef("invalid --format %q: want json or highmaps", o.format)
	}
	if o.key != "" && o.key != "scc" && o.key != "dcc" {
		return cli.Usagef("invalid --key %q: want scc or dcc", o.key)
	}
	if len(o.separator) > 1 {
		return cli.Usagef("invalid --column-separator %q: want one character", o.separator)
	}
	if o.html != "" && o.format == "highmaps" && !o.outputSet() {
		return cli.Usagef("--format=highmaps applies to --output; the page in --html reads the default format")
	}
	page := mapjson.PageOptions{DataOrigins: o.dataOrigins}
	for _, origin := range o.dataOrigins {
		if o.html == "" {
			return cli.Usagef("--data-origin applies to the page: give --html=DIR too")
		}
		if _, err := mapjson.ParseOrigin(origin); err != nil {
			return cli.UsageError(err)
		}
	}
	if o.pageOnly {
		if o.html == "" {
			return cli.Usagef("--page-only needs --html=DIR")
		}
		if len(args) > 0 {
			return cli.Usagef("--page-only reads no input, but %s was given", args[0])
		}
		return mapjson.WritePageWith(o.html, page)
	}

	if o.outputSet() {
		// before reading: cron's table is gone if the write cannot happen
		dir := filepath.Dir(o.output)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return cli.Hint(fmt.Errorf("cannot write %s: the folder %s does not exist", o.output, dir),
				"write the page there first (gjson --html=%s --page-only) or create the folder", dir)
		}
	}
	name, in, closeIn, err := openInput(std, args)
	if err != nil {
		return err
	}
	defer closeIn()
	popts := mapjson.ParseOptions{Key: o.key, ValueColumns: o.valueColumns}
	if o.separator != "" {
		popts.Separator = o.separator[0]
	}
	// a mistyped --asn-db is said even when the table has no AS column
	if err := asn.CheckFile(o.asnDB); err != nil {
		return err
	}
	table, err := mapjson.Parse(in, popts)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if table.AS != "" && !table.HasASName {
		db, err := asn.ForNames(o.asnDB, "")
		if err != nil {
			return err
		}
		for i := range table.Rows {
			table.Rows[i].ASName = db.Name(table.Rows[i].AS)
		}
	}
	doc := mapjson.Build(table, now())

	if o.html != "" {
		if err := mapjson.WritePageWith(o.html, page); err != nil {
			return err
		}
		if err := mapjson.WriteData(o.html, doc); err != nil {
			return err
		}
		if !o.outputSet() {
			return nil
		}
	}

	var out []byte
	if o.format == "highmaps" {
		out, err = doc.HighmapsJSON()
	} else {
		out, err = doc.JSON()
	}
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	if o.output == "stdout" || o.output == "-" {
		if _, err := std.Out.Write(out); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		return nil
	}
	if o.format == "json" && mapjson.IsPage(filepath.Dir(o.output)) {
		// beside the page: keep its file:// companion current too
		return mapjson.WriteDocument(o.output, doc, true)
	}
	return mapjson.WriteFileAtomic(o.output, out, 0o666)
}

func (o options) outputSet() bool { return o.output != "stdout" && o.output != "-" }

// openInput opens the one input: FILE, or standard input for none, '-' and
// 'stdin'. A terminal on standard input is refused: gjson reads a table
// piped from gstats, not typing.
func openInput(std cli.IO, args []string) (string, io.Reader, func(), error) {
	if len(args) == 0 || args[0] == "-" || args[0] == "stdin" {
		if cli.IsTerminal(std.In) {
			return "", nil, nil, cli.Usagef("standard input is a terminal: pipe gstats output into gjson or name a file")
		}
		return "stdin", std.In, func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", nil, nil, fmt.Errorf("open %s: %w", args[0], pe.Err)
		}
		return "", nil, nil, err
	}
	return args[0], f, func() { f.Close() }, nil
}
