package mapjson

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Document is the JSON the map page reads (gjson's default output).
type Document struct {
	// Generated is when gjson wrote the document, RFC 3339 in UTC.
	Generated string `json:"generated"`
	// Key is the country column of the table: "scc" or "dcc".
	Key string `json:"key"`
	// ValueName is the ranking (primary) value's title: "Bytes", "Records", …
	ValueName string `json:"value_name"`
	// Unit tells the page how to print values: "bytes", "packets", "flows"
	// or "count" (distinct counts and unnamed columns).
	Unit string `json:"unit"`
	// Values lists every value column's title, primary first.
	Values []string `json:"values"`
	// Total is the primary value's total over all input (the INPUT line's),
	// which percentages are relative to.
	Total uint64 `json:"total"`
	// TotalSource says where Total came from: "input" (the INPUT line),
	// "percent" (worked back from the printed percentage of the largest
	// row, for text without titles) or "rows" (the sum of the rows).
	TotalSource string `json:"total_source"`
	// Input is the INPUT line's record, bin and total counts; null without titles.
	Input *Input `json:"input"`
	// Output is the OUTPUT line's text ("Top 20 Bins by Bytes"); "" without titles.
	Output string `json:"output"`
	// NoCountry is the share of the "--" bin: private, reserved or unknown
	// addresses. Zero when the table has no such row.
	NoCountry Share `json:"no_country"`
	// Special lists the bins that are not drawn: legacy codes (a1 a2 o1 eu
	// ap), "??" and codes that are not ISO countries.
	Special []SpecialRow `json:"special"`
	// Rows are the countries drawn on the map, largest value first.
	Rows []CountryRow `json:"rows"`
	// Note is said on the map when it has no bubbles: "no traffic in this
	// period" for a table without records (a quiet hour in cron), which is
	// a valid map, not an error.
	Note string `json:"note,omitempty"`
}

// Notes on a map without bubbles.
const (
	NoteNoTraffic = "no traffic in this period"
	NoteNoCountry = "no traffic with a country in this period"
)

// Share is a value and its percentage of Total.
type Share struct {
	Value   uint64  `json:"value"`
	Percent float64 `json:"percent"`
}

// SpecialRow is a bin kept off the map.
type SpecialRow struct {
	Code    string  `json:"code"` // upper-case as printed: "A1", "??", "XF"
	Name    string  `json:"name"` // "" when unknown
	Value   uint64  `json:"value"`
	Percent float64 `json:"percent"`
}

// CountryRow is one country on the map.
type CountryRow struct {
	Rank    int               `json:"rank"`    // 1 for the largest
	Code    string            `json:"code"`    // upper-case ISO 3166-1 alpha-2 (or XK)
	Name    string            `json:"name"`    // English short name
	Value   uint64            `json:"value"`   // the primary value
	Percent float64           `json:"percent"` // of Total, 6 decimals like rwstats
	Values  map[string]uint64 `json:"values"`  // every value column by title
	// Networks are the country's largest networks, largest first, from a
	// table by country and AS number; absent otherwise.
	Networks []Network `json:"networks,omitempty"`
}

// Network is one of a country's largest networks: an AS number and the
// organisation running it.
type Network struct {
	AS      uint32  `json:"as"`
	Name    string  `json:"name"`    // "" when the AS database has none
	Value   uint64  `json:"value"`   // the primary value
	Percent float64 `json:"percent"` // of Total, as the country's own
}

// TopNetworks is how many networks a country row lists.
const TopNetworks = 5

// Build turns a parsed table into the map's document. now is the generation
// time (stored in UTC).
func Build(t *Table, now time.Time) *Document {
	var networks map[string][]Row
	if t.AS != "" {
		t, networks = byCountry(t)
	}
	d := &Document{
		Generated: now.UTC().Format(time.RFC3339),
		Key:       t.Key,
		Values:    append([]string{}, t.Values...),
		Input:     t.Input,
		Output:    t.Output,
		Special:   []SpecialRow{},
		Rows:      []CountryRow{},
	}
	if len(t.Values) > 0 {
		d.ValueName = t.Values[0]
	}
	d.Unit = unitOf(d.ValueName)
	d.Total, d.TotalSource = total(t)

	percent := func(r *Row) float64 {
		if t.HasPercent && !math.IsNaN(r.Percent) {
			return r.Percent
		}
		if d.Total == 0 {
			return 0
		}
		return round6(100 * float64(primary(r)) / float64(d.Total))
	}
	for i := range t.Rows {
		r := &t.Rows[i]
		v, pct := primary(r), percent(r)
		switch {
		case r.Code == "--":
			d.NoCountry = Share{Value: v, Percent: pct}
		case r.Code == "??" || isLegacySpecial(r.Code) || countryName(r.Code) == "":
			d.Special = append(d.Special, SpecialRow{
				Code: strings.ToUpper(r.Code), Name: countryName(r.Code), Value: v, Percent: pct,
			})
		default:
			values := make(map[string]uint64, len(t.Values))
			for j, name := range t.Values {
				values[name] = r.Values[j]
			}
			d.Rows = append(d.Rows, CountryRow{
				Code: strings.ToUpper(r.Code), Name: countryName(r.Code),
				Value: v, Percent: pct, Values: values,
			})
		}
	}
	// Largest first; ties by code so the order never depends on the
	// input's (hash) order.
	sort.SliceStable(d.Rows, func(i, j int) bool {
		if d.Rows[i].Value != d.Rows[j].Value {
			return d.Rows[i].Value > d.Rows[j].Value
		}
		return d.Rows[i].Code < d.Rows[j].Code
	})
	for i := range d.Rows {
		d.Rows[i].Rank = i + 1
		d.Rows[i].Networks = topNetworks(networks[strings.ToLower(d.Rows[i].Code)], d.Total)
	}
	if len(d.Rows) == 0 {
		d.Note = NoteNoCountry
		if len(t.Rows) == 0 && (t.Input == nil || t.Input.Records == 0) {
			d.Note = NoteNoTraffic
		}
	}
	return d
}

// byCountry sums a table by country and network per country, in the
// order countries first appear, and returns the networks of each country
// (AS 0, no network, is counted in the country but not listed).
func byCountry(t *Table) (*Table, map[string][]Row) {
	sums := *t
	sums.Rows = nil
	sums.HasPercent = false // printed per network
	at := map[string]int{}
	networks := map[string][]Row{}
	for _, r := range t.Rows {
		i, ok := at[r.Code]
		if !ok {
			i = len(sums.Rows)
			at[r.Code] = i
			sums.Rows = append(sums.Rows, Row{Line: r.Line, Code: r.Code, Values: make([]uint64, len(r.Values))})
		}
		for j, v := range r.Values {
			sums.Rows[i].Values[j] = flowfile.AddCount(sums.Rows[i].Values[j], v)
		}
		if r.AS != 0 {
			networks[r.Code] = append(networks[r.Code], r)
		}
	}
	return &sums, networks
}

// topNetworks returns the largest TopNetworks of rows (ties by AS number),
// their percentages of total.
func topNetworks(rows []Row, total uint64) []Network {
	if len(rows) == 0 {
		return nil
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if a, b := primary(&rows[i]), primary(&rows[j]); a != b {
			return a > b
		}
		return rows[i].AS < rows[j].AS
	})
	nets := make([]Network, 0, min(len(rows), TopNetworks))
	for _, r := range rows[:min(len(rows), TopNetworks)] {
		n := Network{AS: r.AS, Name: r.ASName, Value: primary(&r)}
		if total > 0 {
			n.Percent = round6(100 * float64(n.Value) / float64(total))
		}
		nets = append(nets, n)
	}
	return nets
}

func primary(r *Row) uint64 {
	if len(r.Values) == 0 {
		return 0
	}
	return r.Values[0]
}

// total finds the primary value's total: the INPUT line's, else worked back
// from the largest row's printed percentage, else the sum of the rows.
func total(t *Table) (uint64, string) {
	if t.Input != nil {
		return t.Input.Total, "input"
	}
	if t.HasPercent {
		var best *Row
		for i := range t.Rows {
			r := &t.Rows[i]
			if !math.IsNaN(r.Percent) && r.Percent > 0 && (best == nil || primary(r) > primary(best)) {
				best = r
			}
		}
		if best != nil {
			// at most the largest uint64, as gstats's sums (a float
			// beyond it converts to anything)
			f := math.Round(float64(primary(best)) * 100 / best.Percent)
			if f >= math.MaxUint64 {
				return math.MaxUint64, "percent"
			}
			return uint64(f), "percent"
		}
	}
	var sum uint64
	for i := range t.Rows {
		sum = flowfile.AddCount(sum, primary(&t.Rows[i]))
	}
	return sum, "rows"
}

// unitOf names what a value column counts, from its title: rwstats' and
// gstats' (Bytes, Records), or a SQL query's (bytes, sum(bytes), count()).
func unitOf(title string) string {
	t := strings.ToLower(strings.TrimSpace(title))
	if inner, ok := strings.CutPrefix(t, "sum("); ok {
		t = strings.TrimSuffix(inner, ")")
	}
	switch t {
	case "count()":
		return "flows"
	case "bytes":
		return "bytes"
	case "packets":
		return "packets"
	case "records", "flows":
		return "flows"
	}
	return "count"
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// JSON encodes the document, indented, with a final newline. Go's encoder
// escapes <, > and & in strings, so the text is also safe inside a script.
func (d *Document) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Script wraps the document as JavaScript that sets window.gflowData, for
// pages opened from file://, where browsers refuse to fetch data.json.
func (d *Document) Script() ([]byte, error) {
	js, err := d.JSON()
	if err != nil {
		return nil, err
	}
	return append(append([]byte("window.gflowData = "), bytes.TrimRight(js, "\n")...), ";\n"...), nil
}

// HighmapsPoint is one point of a Highcharts Highmaps mapbubble series
// joined on iso-a2: z sizes the bubble, value is the percentage.
type HighmapsPoint struct {
	Code  string  `json:"code"`
	Name  string  `json:"name"`
	Z     uint64  `json:"z"`
	Value float64 `json:"value"`
}

// Highmaps returns the rows as the plain array a mapbubble series takes.
func (d *Document) Highmaps() []HighmapsPoint {
	pts := make([]HighmapsPoint, len(d.Rows))
	for i, r := range d.Rows {
		pts[i] = HighmapsPoint{Code: r.Code, Name: r.Name, Z: r.Value, Value: r.Percent}
	}
	return pts
}

// HighmapsJSON encodes Highmaps() with a final newline.
func (d *Document) HighmapsJSON() ([]byte, error) {
	b, err := json.Marshal(d.Highmaps())
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
