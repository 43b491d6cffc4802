package mapjson

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Table is a parsed top-N table keyed by country.
type Table struct {
	Key    string   // "scc" or "dcc"
	Values []string // titles of the value columns, primary (ranking) value first
	Input  *Input   // the INPUT line; nil when the text had none (--no-titles)
	Output string   // the OUTPUT line after "OUTPUT: "; "" when absent
	Rows   []Row    // in input order
	// HasPercent tells whether the text printed the primary value's
	// percentage column (%Bytes …); Row.Percent is valid only then.
	HasPercent bool
	// AS is "sas" or "das" when the table is keyed by the country and the
	// same end's AS number (gstats --fields=scc,sas): each row is then one
	// network in one country, and Row.AS is valid. "" otherwise.
	AS string
	// HasASName tells whether the text printed the organisations' names
	// (sASName or dASName); Row.ASName is valid only then.
	HasASName bool
}

// Input is rwstats' INPUT line:
// "INPUT: <R> Records for <B> Bins and <TOTAL> Total <Title>".
type Input struct {
	Records uint64 `json:"records"`
	Bins    uint64 `json:"bins"`
	Total   uint64 `json:"total"`
	Title   string `json:"title"`
}

// Row is one bin of the table.
type Row struct {
	Line    int      // line number in the input, from 1
	Code    string   // as printed, lower-cased: "ch", "--", "a1", "??"
	Values  []uint64 // in the order of Table.Values
	Percent float64  // the printed percentage of the primary value
	AS      uint32   // the AS number, in a table with an AS column
	ASName  string   // the organisation, in a table with a name column
}

// ParseOptions are hints for text printed without titles, where nothing
// names the columns.
type ParseOptions struct {
	// Key names the country column ("scc" or "dcc") when the text has no
	// titles. Without it such a table is taken as keyed by scc.
	Key string
	// ValueColumns names the value columns, in order, when the text has no
	// titles (for example Bytes,Records). Without it they are called Value,
	// Value2, …
	ValueColumns []string
	// Separator is the column separator; 0 detects it from the first line of
	// the table (rwstats prints '|', --delimited=C prints C).
	Separator byte
}

// ParseError is bad input, located by line number.
type ParseError struct {
	Line int // 0 when the error is about the input as a whole
	Msg  string
	// Fix says what to run instead, for the tool's hint line ("" if
	// nothing better can be said).
	Fix string
}

// Hint returns Fix, for pkg/cli's hint line.
func (e *ParseError) Hint() string { return e.Fix }

// fixCountryTable is the hint for input that is not a table keyed by the
// country alone.
const fixCountryTable = "gjson draws a table keyed by the country alone: gstats --fields=scc --values=bytes (or --fields=dcc)"

// fixASTable is the hint for a table by country and AS number that cannot
// be summed per country.
const fixASTable = "gjson sums a table by country and network per country, so it needs every bin: gstats --fields=scc,sas --values=bytes --count=0"

// fixBinary is the hint for binary input: flows piped straight into gjson.
const fixBinary = "put gstats between them: gfilter ... | gstats --fields=scc --values=bytes | gjson"

// clickhouseError is the answer of ClickHouse's HTTP interface to a query
// it refuses, which curl without --fail passes on as the table: "Code: 47,
// e.displayText() = DB::Exception: Missing columns ..." (before 21.x) or
// "Code: 47. DB::Exception: Missing columns ...".
var clickhouseError = regexp.MustCompile(`^Code: (\d+)[.,] .*?DB::Exception: (.*)$`)

// fixClickHouse is the hint for ClickHouse's error instead of a table.
const fixClickHouse = "the query failed: its table and columns are those of docs/clickhouse.sql; curl --fail-with-body stops the pipeline at such an error"

// silkMagic opens every SiLK flow file and stream (pkg/silk's Magic).
const silkMagic = "\xDE\xAD\xBE\xEF"

// isBinary tells a line of binary data from text: a NUL or another control
// character than the tab, or bytes that are not UTF-8. gstats, rwstats and
// SQL clients print none.
func isBinary(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })
}

// ErrEmpty is input with nothing in it. In a pipe the command before gjson
// failed (its message is above), or printed nothing: gstats --no-titles
// prints nothing for a period without traffic, so keep the titles for cron.
var ErrEmpty = &ParseError{Msg: "the input was empty; the command before it probably failed",
	Fix: "gjson reads a table such as gstats --fields=scc --values=bytes prints; with --no-titles gstats prints nothing for a period without traffic"}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

func errAt(line int, format string, args ...any) error {
	return &ParseError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// inputLine is rwstats' INPUT line; with no records it stops after the
// bins ("INPUT: 0 Records for 0 Bins").
var inputLine = regexp.MustCompile(`^INPUT: (\d+) Records? for (\d+) Bins?(?: and (\d+) Total (\S.*))?$`)

// column roles
const (
	colValue = iota
	colKey
	colPercent // the primary value's percentage
	colIgnored // cumul_%
	colAS      // sAS or dAS beside the country
	colASName  // sASName or dASName beside the AS number
)

type parser struct {
	opts     ParseOptions
	t        Table
	sep      byte
	roles    []int // nil until the layout is known
	seen     map[string]int
	nonBlank int
}

// Parse reads one rwstats/gstats table from r: columnar or delimited by any
// one-byte separator, with or without the final delimiter, with or without
// titles. Any line it cannot read is a *ParseError naming the line.
func Parse(r io.Reader, opts ParseOptions) (*Table, error) {
	if opts.Key != "" && opts.Key != "scc" && opts.Key != "dcc" {
		return nil, fmt.Errorf("key %q: want scc or dcc", opts.Key)
	}
	p := &parser{opts: opts, sep: opts.Separator, seen: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		if err := p.line(line, strings.TrimRight(sc.Text(), "\r")); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if p.nonBlank == 0 {
		return nil, ErrEmpty
	}
	if err := p.checkAS(); err != nil {
		return nil, err
	}
	if p.roles == nil {
		// INPUT/OUTPUT lines only: "No bins above threshold", or titles cut off
		if p.t.Input == nil {
			return nil, errAt(line, "no table after the OUTPUT line")
		}
		if p.t.Key == "" {
			p.t.Key = "scc"
			if p.opts.Key != "" {
				p.t.Key = p.opts.Key
			}
			if p.t.Input.Title != "" {
				p.t.Values = []string{p.t.Input.Title}
			} else if f := strings.Fields(p.t.Output); len(f) > 0 {
				p.t.Values = []string{f[len(f)-1]} // "No bins above threshold of 5 Bytes"
			}
		}
	}
	return &p.t, nil
}

func (p *parser) line(n int, s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	p.nonBlank++
	if isBinary(s) {
		msg := "binary data, not a text table"
		if n == 1 && (strings.HasPrefix(s, flowfile.FileMagic) || strings.HasPrefix(s, silkMagic)) {
			msg = "a flow stream (binary, as gfilter or rwfilter writes it), not a table"
		}
		return &ParseError{Line: n, Msg: msg, Fix: fixBinary}
	}
	if m := clickhouseError.FindStringSubmatch(s); m != nil && p.roles == nil {
		msg := m[2]
		if len(msg) > 100 {
			msg = msg[:97] + "..."
		}
		return &ParseError{Line: n, Msg: fmt.Sprintf("an error from ClickHouse (code %s), not a table: %s", m[1], msg), Fix: fixClickHouse}
	}
	if strings.HasPrefix(s, "INPUT:") {
		if p.t.Input != nil || p.roles != nil {
			return errAt(n, "unexpected INPUT line inside a table")
		}
		m := inputLine.FindStringSubmatch(s)
		if m == nil {
			return errAt(n, "cannot read the INPUT line %q", s)
		}
		in := &Input{Title: m[4]}
		var err error
		for i, dst := range []*uint64{&in.Records, &in.Bins, &in.Total} {
			if m[i+1] == "" {
				continue // no records: no total
			}
			if *dst, err = strconv.ParseUint(m[i+1], 10, 64); err != nil {
				return errAt(n, "INPUT line: %v", err)
			}
		}
		p.t.Input = in
		return nil
	}
	if strings.HasPrefix(s, "OUTPUT:") {
		if p.roles != nil {
			return errAt(n, "unexpected OUTPUT line inside a table")
		}
		p.t.Output = strings.TrimSpace(strings.TrimPrefix(s, "OUTPUT:"))
		return nil
	}
	if strings.HasPrefix(s, "FLOW STATISTICS") {
		return errAt(n, "protocol statistics (--overall-stats) have no country column; run gstats --top --fields=scc or --fields=dcc")
	}
	if p.sep == 0 {
		sep, ok := detectSeparator(s)
		if !ok {
			return errAt(n, "cannot find a column separator in %q", clip(s))
		}
		p.sep = sep
	}
	cells := split(s, p.sep)
	if p.roles == nil {
		if isTitleLine(cells) {
			return p.titles(n, cells)
		}
		if err := p.guessLayout(n, cells); err != nil {
			return err
		}
	}
	return p.row(n, cells)
}

// detectSeparator finds the separator as the first byte that can be in
// neither a title nor a value: titles hold letters, digits, '%', '_' and '-'
// (sIP-Distinct, cumul_%), values digits and '.', codes letters or "--"/"??".
func detectSeparator(s string) (byte, bool) {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if strings.HasPrefix(s[i:], "--") || strings.HasPrefix(s[i:], "??") {
		i += 2
	}
	for ; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == ' ' || c == '%' || c == '_' || c == '-' || c == '.' {
			continue
		}
		return c, true
	}
	return 0, false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// split cuts a line at sep, trims the padding of columnar output and drops
// the empty cell after a final delimiter.
func split(s string, sep byte) []string {
	cells := strings.Split(s, string(sep))
	if len(cells) > 1 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

func isTitleLine(cells []string) bool {
	for _, c := range cells {
		l := strings.ToLower(c)
		if l == "scc" || l == "dcc" || strings.HasPrefix(l, "%") || l == "cumul_%" {
			return true
		}
		if c != "" && !isCode(c) && !isNumber(c) {
			return true // a word: sIP, Bytes, …
		}
	}
	return false
}

func isCode(c string) bool {
	if len(c) != 2 {
		return false
	}
	if c == "--" || c == "??" {
		return true
	}
	l := strings.ToLower(c)
	return l[0] >= 'a' && l[0] <= 'z' && isAlnum(l[1])
}

func isNumber(c string) bool {
	if c == "" {
		return false
	}
	for i := 0; i < len(c); i++ {
		if (c[i] < '0' || c[i] > '9') && c[i] != '.' {
			return false
		}
	}
	return true
}

// valueTitles are the titles rwstats and rwuniq print for values (keys
// print lower case: "bytes", "packets").
var valueTitles = map[string]bool{"Bytes": true, "Packets": true, "Records": true, "Flows": true,
	"sTime-Earliest": true, "eTime-Latest": true}

// keyTitles are the titles rwstats, rwuniq and rwcut print for key fields
// other than the countries, lower-cased, full and cut to their column
// widths ("pro", "sen", "initialF"). "bytes" and "packets" are not among
// them: a SQL query's columns (ClickHouse's TSVWithNames) use them for
// values.
var keyTitles = map[string]bool{
	"sip": true, "dip": true, "sport": true, "dport": true, "pro": true, "protocol": true, "flags": true,
	"stime": true, "durat": true, "duration": true, "dur": true, "etime": true, "sen": true, "sensor": true,
	"in": true, "out": true, "nhip": true, "cla": true, "class": true, "type": true,
	"initialf": true, "initialflags": true, "sessionf": true, "sessionflags": true, "attribut": true, "attributes": true,
	"appli": true, "application": true, "ity": true, "ico": true, "itype": true, "icode": true,
	"stime+msec": true, "etime+msec": true, "dur+msec": true, "icmptypecode": true,
	"stype": true, "dtype": true, "sas": true, "das": true, "sasname": true, "dasname": true,
}

// isKeyTitle tells a key column's title (before the values) from a
// value's. rwstats prints the keys first, then the values: "Bytes",
// "sIP-Distinct", or a distinct:FIELD's title cut to the field's width
// ("dPort" for dPort-Distinct), which the INPUT line names in full when it
// ranks. Lower-case "bytes" and "packets" are keys in rwstats' tables and
// values in a SQL query's.
func (p *parser) isKeyTitle(c string) bool {
	if valueTitles[c] || strings.HasSuffix(c, "-Distinct") {
		return false
	}
	if p.t.Input != nil && p.t.Input.Title != "" && strings.HasPrefix(p.t.Input.Title, c) {
		return false
	}
	if c == "bytes" || c == "packets" {
		return p.t.Input != nil
	}
	return keyTitles[strings.ToLower(c)]
}

func (p *parser) titles(n int, cells []string) error {
	p.roles = make([]int, len(cells))
	key := -1
	var otherKeys []string
	names := ""       // the name column's title
	inValues := false // past the keys
	for i, c := range cells {
		l := strings.ToLower(c)
		switch {
		case l == "cumul_%":
			p.roles[i] = colIgnored
			inValues = true
		case strings.HasPrefix(l, "%"):
			p.roles[i] = colPercent
			p.t.HasPercent = true
			inValues = true
		case !inValues && (l == "scc" || l == "dcc"):
			if key >= 0 {
				return &ParseError{Line: n, Msg: fmt.Sprintf("two country columns (%s and %s): the map needs a table keyed by scc or dcc alone", cells[key], c),
					Fix: fixCountryTable}
			}
			key = i
			p.roles[i] = colKey
			p.t.Key = l
		case !inValues && (l == "sas" || l == "das") && p.t.AS == "":
			p.roles[i] = colAS
			p.t.AS = l
		case !inValues && (l == "sasname" || l == "dasname") && !p.t.HasASName:
			p.roles[i] = colASName
			p.t.HasASName = true
			names = c
		case !inValues && p.isKeyTitle(c):
			p.roles[i] = colIgnored
			otherKeys = append(otherKeys, c)
		default:
			p.roles[i] = colValue
			p.t.Values = append(p.t.Values, c)
			inValues = true
		}
	}
	if key < 0 {
		return &ParseError{Line: n, Msg: fmt.Sprintf("no country column: titles are %s", strings.Join(cells, ", ")),
			Fix: fixCountryTable}
	}
	if p.t.Input == nil && (len(otherKeys) > 0 || len(p.t.Values) == 0) {
		// no INPUT line and no value column, or columns of flows: a listing
		return &ParseError{Line: n, Msg: fmt.Sprintf("a flow listing (gcut or rwcut, titles %s), not a table keyed by country", strings.Join(cells, ", ")),
			Fix: fixCountryTable}
	}
	if len(otherKeys) > 0 {
		return &ParseError{Line: n, Msg: fmt.Sprintf("the table is keyed by %s and %s: bubbles need the country alone",
			cells[key], strings.Join(otherKeys, " and ")), Fix: fixCountryTable}
	}
	if len(p.t.Values) == 0 {
		return errAt(n, "no value column after the country column")
	}
	return p.asTitles(n, names)
}

// asTitles checks the AS columns of a table by country and network: the
// same end's AS number as the country's (scc with sAS, dcc with dAS), its
// names if any, and values that add up per country.
func (p *parser) asTitles(n int, names string) error {
	if p.t.AS == "" {
		if names != "" {
			return &ParseError{Line: n, Msg: fmt.Sprintf("the table has %s but no AS number column beside the country", names),
				Fix: fixCountryTable}
		}
		return nil
	}
	end := p.t.Key[:1] // "s" or "d"
	if p.t.AS[:1] != end {
		return &ParseError{Line: n, Msg: fmt.Sprintf("the table is keyed by %s and %s: the networks must be the country's end of the flows", p.t.Key, p.t.AS),
			Fix: fmt.Sprintf("gstats --fields=%scc,%sas --values=bytes --count=0", end, end)}
	}
	if names != "" && !strings.EqualFold(names[:1], end) {
		return &ParseError{Line: n, Msg: fmt.Sprintf("the table has %s beside %s: the names must be of the same AS numbers", names, p.t.AS),
			Fix: fmt.Sprintf("gstats --fields=%scc,%sas,%sasname --values=bytes --count=0", end, end, end)}
	}
	for _, v := range p.t.Values {
		if unitOf(v) == "count" {
			return &ParseError{Line: n, Msg: fmt.Sprintf("%s cannot be summed per country over the networks", v), Fix: fixASTable}
		}
	}
	return nil
}

// checkAS refuses a table by country and network that lacks bins (the
// INPUT line counts more than it prints): its countries' sums would be
// short.
func (p *parser) checkAS() error {
	if p.t.AS == "" || p.t.Input == nil || p.t.Input.Bins <= uint64(len(p.t.Rows)) {
		return nil
	}
	return &ParseError{Msg: fmt.Sprintf("the table by %s and %s prints %d of its %d bins: the countries' totals would be short",
		p.t.Key, p.t.AS, len(p.t.Rows), p.t.Input.Bins), Fix: fixASTable}
}

// guessLayout names the columns of a table printed without titles: the
// first column holding a country code is the key; integer columns are the
// values (named by the hints); two trailing decimal columns are the
// percentage and cumulative percentage.
func (p *parser) guessLayout(n int, cells []string) error {
	p.roles = make([]int, len(cells))
	key := -1
	for i, c := range cells {
		if isCode(c) {
			key = i
			break
		}
	}
	if key < 0 {
		return &ParseError{Line: n, Msg: fmt.Sprintf("no country column: no titles and no two-letter country code in %q", clip(strings.Join(cells, string(p.sep)))),
			Fix: fixCountryTable}
	}
	if key > 0 {
		// rwstats prints the keys first: something else keys the table
		return &ParseError{Line: n, Msg: fmt.Sprintf("the first column (%q) is not a country code: the table is keyed by more than the country", clip(cells[0])),
			Fix: fixCountryTable}
	}
	p.roles[key] = colKey
	p.t.Key = "scc"
	if p.opts.Key != "" {
		p.t.Key = p.opts.Key
	}
	var values []int
	for i, c := range cells {
		if i == key {
			continue
		}
		if strings.Contains(c, ".") || c == "?" {
			continue
		}
		values = append(values, i)
	}
	pct := 0
	for i, c := range cells {
		if i == key || contains(values, i) {
			continue
		}
		if !strings.Contains(c, ".") && c != "?" {
			return &ParseError{Line: n, Msg: fmt.Sprintf("column %d (%q) is neither a count nor a percentage", i+1, clip(c)), Fix: fixCountryTable}
		}
		if pct == 0 {
			p.roles[i] = colPercent
			p.t.HasPercent = true
		} else {
			p.roles[i] = colIgnored
		}
		pct++
	}
	if pct != 0 && pct != 2 {
		return errAt(n, "expected a percentage and a cumulative percentage column, found %d decimal columns", pct)
	}
	if len(values) == 0 {
		return errAt(n, "no value column beside the country column")
	}
	if h := p.opts.ValueColumns; len(h) > 0 && len(h) != len(values) {
		return errAt(n, "%d value columns named (%s) but the table has %d", len(h), strings.Join(h, ","), len(values))
	}
	for j := range values {
		name := "Value"
		if j > 0 {
			name = "Value" + strconv.Itoa(j+1)
		}
		if len(p.opts.ValueColumns) > 0 {
			name = p.opts.ValueColumns[j]
		}
		p.t.Values = append(p.t.Values, name)
	}
	return nil
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (p *parser) row(n int, cells []string) error {
	if len(cells) != len(p.roles) {
		return errAt(n, "%d columns where the table has %d", len(cells), len(p.roles))
	}
	r := Row{Line: n, Values: make([]uint64, 0, len(p.t.Values)), Percent: math.NaN()}
	for i, c := range cells {
		switch p.roles[i] {
		case colKey:
			if !isCode(c) {
				return errAt(n, "%q is not a country code", clip(c))
			}
			r.Code = strings.ToLower(c)
		case colAS:
			v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(c), "AS"), 10, 32)
			if err != nil {
				return errAt(n, "%q is not an AS number", clip(c))
			}
			r.AS = uint32(v)
		case colASName:
			r.ASName = c
		case colValue:
			v, err := strconv.ParseUint(c, 10, 64)
			if err != nil {
				return errAt(n, "%q is not a count; gjson reads tables keyed by scc or dcc alone", clip(c))
			}
			r.Values = append(r.Values, v)
		case colPercent:
			if c == "?" {
				continue
			}
			f, err := strconv.ParseFloat(c, 64)
			if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
				return errAt(n, "%q is not a percentage", clip(c))
			}
			r.Percent = f
		}
	}
	bin := r.Code
	if p.t.AS != "" {
		bin += "|" + strconv.FormatUint(uint64(r.AS), 10)
	}
	if first, dup := p.seen[bin]; dup {
		if p.t.AS != "" {
			return errAt(n, "country %q and AS %d already on line %d", r.Code, r.AS, first)
		}
		return &ParseError{Line: n, Msg: fmt.Sprintf("country %q already on line %d: the table must be keyed by scc or dcc alone", r.Code, first),
			Fix: fixCountryTable}
	}
	p.seen[bin] = n
	p.t.Rows = append(p.t.Rows, r)
	return nil
}

// clip shortens text quoted in an error message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
