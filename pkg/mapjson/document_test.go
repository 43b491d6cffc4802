package mapjson

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

var testTime = time.Date(2026, 6, 18, 9, 30, 0, 0, time.FixedZone("CEST", 2*3600))

func mustParse(t testing.TB, text string, opts ParseOptions) *Table {
	t.Helper()
	tb, err := Parse(strings.NewReader(text), opts)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestBuildDocument(t *testing.T) {
	text := `INPUT: 1200 Records for 9 Bins and 100000 Total Bytes
OUTPUT: Top 9 Bins by Bytes
dcc|               Bytes|   Records|    %Bytes|   cumul_%|
 --|               30000|       500| 30.000000| 30.000000|
 us|               20000|       100| 20.000000| 50.000000|
 hk|               20000|       300| 20.000000| 70.000000|
 ch|               15000|        50| 15.000000| 85.000000|
 a1|                5000|        10|  5.000000| 90.000000|
 xk|                4000|        10|  4.000000| 94.000000|
 ??|                3000|        10|  3.000000| 97.000000|
 eu|                2000|        10|  2.000000| 99.000000|
 zz|                1000|        10|  1.000000|100.000000|
`
	d := Build(mustParse(t, text, ParseOptions{}), testTime)
	if d.Generated != "2026-06-18T07:30:00Z" {
		t.Errorf("generated %q, want UTC", d.Generated)
	}
	if d.Key != "dcc" || d.ValueName != "Bytes" || d.Unit != "bytes" || d.Total != 100000 || d.TotalSource != "input" {
		t.Errorf("metadata: %+v", d)
	}
	if d.Input == nil || d.Input.Records != 1200 || d.Input.Bins != 9 {
		t.Errorf("input: %+v", d.Input)
	}
	if d.NoCountry != (Share{Value: 30000, Percent: 30}) {
		t.Errorf("no_country: %+v", d.NoCountry)
	}
	var special []string
	for _, s := range d.Special {
		special = append(special, s.Code)
	}
	if strings.Join(special, ",") != "A1,??,EU,ZZ" {
		t.Errorf("special codes %v, want A1,??,EU,ZZ", special)
	}
	// ties (US and HK, 20000 each) are broken by code
	var got []string
	for _, r := range d.Rows {
		got = append(got, r.Code+":"+r.Name)
	}
	want := "HK:Hong Kong,US:United States,CH:Switzerland,XK:Kosovo"
	if strings.Join(got, ",") != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	hk := d.Rows[0]
	if hk.Rank != 1 || hk.Value != 20000 || hk.Percent != 20 || hk.Values["Records"] != 300 || hk.Values["Bytes"] != 20000 {
		t.Errorf("HK row %+v", hk)
	}
	if d.Rows[3].Rank != 4 {
		t.Errorf("last rank %d", d.Rows[3].Rank)
	}
}

// Without titles or percentages the total is the rows' sum and the
// percentages are computed; with percentages but no INPUT line the total is
// worked back from them.
func TestBuildTotals(t *testing.T) {
	d := Build(mustParse(t, "us|300|\nch|100|\n--|100|\n", ParseOptions{Key: "scc", ValueColumns: []string{"Records"}}), testTime)
	if d.Total != 500 || d.TotalSource != "rows" || d.Rows[0].Percent != 60 || d.NoCountry.Percent != 20 || d.Unit != "flows" {
		t.Errorf("%+v", d)
	}
	d = Build(mustParse(t, "us|300|30.000000|30.000000|\nch|100|10.000000|40.000000|\n", ParseOptions{}), testTime)
	if d.Total != 1000 || d.TotalSource != "percent" || d.Rows[1].Percent != 10 || d.ValueName != "Value" || d.Unit != "count" {
		t.Errorf("%+v", d)
	}
}

func TestHighmapsJSON(t *testing.T) {
	d := Build(mustParse(t, "INPUT: 3 Records for 3 Bins and 200 Total Bytes\nOUTPUT: Top 3 Bins by Bytes\ndcc|Bytes|%Bytes|cumul_%|\nch|150|75.000000|75.000000|\n--|40|20.000000|95.000000|\nhk|10|5.000000|100.000000|\n", ParseOptions{}), testTime)
	b, err := d.HighmapsJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"code":"CH","name":"Switzerland","z":150,"value":75},{"code":"HK","name":"Hong Kong","z":10,"value":5}]` + "\n"
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

// The document round-trips through JSON with the field names the page and
// users' scripts read.
func TestDocumentJSONFields(t *testing.T) {
	text, err := os.ReadFile("testdata/dcc-bytes.txt")
	if err != nil {
		t.Fatal(err)
	}
	d := Build(mustParse(t, string(text), ParseOptions{}), testTime)
	b, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"generated", "key", "value_name", "unit", "values", "total", "total_source", "input", "output", "no_country", "special", "rows"} {
		if _, ok := m[k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}
	row := m["rows"].([]any)[0].(map[string]any)
	for _, k := range []string{"rank", "code", "name", "value", "percent", "values"} {
		if _, ok := row[k]; !ok {
			t.Errorf("row field %q missing", k)
		}
	}
	if len(d.Rows) != 24 || d.Special[0].Code != "A1" {
		t.Errorf("%d rows, special %+v", len(d.Rows), d.Special)
	}
	js, err := d.Script()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(js), "window.gflowData = {") || !strings.HasSuffix(string(js), "};\n") {
		t.Errorf("data.js: %.40q…%q", js, js[len(js)-10:])
	}
}

// A crafted name cannot close a script element when data.js is inlined or
// read as a script: Go's encoder escapes <, > and &.
func TestScriptEscapesMarkup(t *testing.T) {
	d := &Document{Rows: []CountryRow{{Code: "CH", Name: "</script><script>alert(1)</script>"}}}
	js, err := d.Script()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), "<") || strings.Contains(string(js), ">") {
		t.Errorf("markup left unescaped: %s", js)
	}
}

// The value columns of a SQL query name their unit as gstats' titles do.
func TestUnitOfSQLColumns(t *testing.T) {
	for title, want := range map[string]string{
		"Bytes": "bytes", "sum(bytes)": "bytes", "Records": "flows", "count()": "flows",
		"packets": "packets", "sum(packets)": "packets", "sIP-Distinct": "count",
	} {
		if got := unitOf(title); got != want {
			t.Errorf("unitOf(%q) = %q, want %q", title, got, want)
		}
	}
}
