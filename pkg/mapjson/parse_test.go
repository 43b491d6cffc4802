package mapjson

import (
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
)

type wantRow struct {
	code   string
	values []uint64
	pct    float64 // NaN: not printed
}

func checkRows(t *testing.T, tb *Table, want []wantRow) {
	t.Helper()
	if len(tb.Rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(tb.Rows), len(want), tb.Rows)
	}
	for i, w := range want {
		r := tb.Rows[i]
		if r.Code != w.code || !reflect.DeepEqual(r.Values, w.values) {
			t.Errorf("row %d = %s %v, want %s %v", i, r.Code, r.Values, w.code, w.values)
		}
		if math.IsNaN(w.pct) != math.IsNaN(r.Percent) || !math.IsNaN(w.pct) && r.Percent != w.pct {
			t.Errorf("row %d percent = %v, want %v", i, r.Percent, w.pct)
		}
	}
}

var nan = math.NaN()

// The same top-3 table by destination country in every layout rwstats and
// gstats print (silk-reference.md section b): columnar with titles, no
// titles, --delimited=',' with and without titles, --no-columns (final
// delimiter kept), --no-final-delimiter, and a tab separator.
func TestParseLayouts(t *testing.T) {
	const input = "INPUT: 9 Records for 5 Bins and 85726 Total Bytes\nOUTPUT: Top 3 Bins by Bytes\n"
	want := []wantRow{
		{"us", []uint64{64000}, 74.656464},
		{"ch", []uint64{17000}, 19.830623},
		{"--", []uint64{3000}, 3.499522},
	}
	tests := []struct {
		name, text string
		opts       ParseOptions
		titled     bool
	}{
		{"columnar", input +
			"dcc|               Bytes|    %Bytes|   cumul_%|\n" +
			" us|               64000| 74.656464| 74.656464|\n" +
			" ch|               17000| 19.830623| 94.487087|\n" +
			" --|                3000|  3.499522| 97.986608|\n", ParseOptions{}, true},
		{"no-titles", "" +
			" us|               64000| 74.656464| 74.656464|\n" +
			" ch|               17000| 19.830623| 94.487087|\n" +
			" --|                3000|  3.499522| 97.986608|\n", ParseOptions{Key: "dcc", ValueColumns: []string{"Bytes"}}, false},
		{"delimited-comma", input +
			"dcc,Bytes,%Bytes,cumul_%\n" +
			"us,64000,74.656464,74.656464\n" +
			"ch,17000,19.830623,94.487087\n" +
			"--,3000,3.499522,97.986608\n", ParseOptions{}, true},
		{"delimited-comma-no-titles", "" +
			"us,64000,74.656464,74.656464\n" +
			"ch,17000,19.830623,94.487087\n" +
			"--,3000,3.499522,97.986608\n", ParseOptions{Key: "dcc", ValueColumns: []string{"Bytes"}}, false},
		{"no-columns", input +
			"dcc|Bytes|%Bytes|cumul_%|\n" +
			"us|64000|74.656464|74.656464|\n" +
			"ch|17000|19.830623|94.487087|\n" +
			"--|3000|3.499522|97.986608|\n", ParseOptions{}, true},
		{"no-final-delimiter", input +
			"dcc|               Bytes|    %Bytes|   cumul_%\n" +
			" us|               64000| 74.656464| 74.656464\n" +
			" ch|               17000| 19.830623| 94.487087\n" +
			" --|                3000|  3.499522| 97.986608\n", ParseOptions{}, true},
		{"tab-crlf", strings.ReplaceAll(input+
			"dcc\tBytes\t%Bytes\tcumul_%\n"+
			"us\t64000\t74.656464\t74.656464\n"+
			"ch\t17000\t19.830623\t94.487087\n"+
			"--\t3000\t3.499522\t97.986608\n", "\n", "\r\n"), ParseOptions{}, true},
		{"no-country-row-first", "" +
			"--;3000;3.499522;3.499522\n" +
			"us;64000;74.656464;78.155986\n" +
			"ch;17000;19.830623;97.986608\n", ParseOptions{Key: "dcc", ValueColumns: []string{"Bytes"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := Parse(strings.NewReader(tc.text), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tb.Key != "dcc" || !reflect.DeepEqual(tb.Values, []string{"Bytes"}) || !tb.HasPercent {
				t.Errorf("key %q values %v percent %v", tb.Key, tb.Values, tb.HasPercent)
			}
			if tc.titled {
				if tb.Input == nil || *tb.Input != (Input{Records: 9, Bins: 5, Total: 85726, Title: "Bytes"}) {
					t.Errorf("INPUT = %+v", tb.Input)
				}
				if tb.Output != "Top 3 Bins by Bytes" {
					t.Errorf("OUTPUT = %q", tb.Output)
				}
				checkRows(t, tb, want)
			} else {
				if tb.Input != nil {
					t.Errorf("INPUT = %+v without titles", tb.Input)
				}
				if tc.name == "no-country-row-first" {
					checkRows(t, tb, []wantRow{want[2], want[0], want[1]})
				} else {
					checkRows(t, tb, want)
				}
			}
		})
	}
}

// Several values, a distinct-count primary (whose cumulative column has four
// decimals and passes 100), a source-country key, a singular INPUT line.
func TestParseValuesAndDistinct(t *testing.T) {
	text := `INPUT: 9 Records for 3 Bins and 7 Total dIP-Distinct
OUTPUT: Top 3 Bins by dIP-Distinct
scc|        dIP-Distinct|               Bytes|   Records|%dIP-Disti|   cumul_%|
 ch|                   4|               84900|         5| 57.142857|   57.1429|
 de|                   3|                 574|         3| 42.857143|  100.0000|
 a1|                   1|                 252|         1| 14.285714|  114.2857|
`
	tb, err := Parse(strings.NewReader(text), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Key != "scc" || !reflect.DeepEqual(tb.Values, []string{"dIP-Distinct", "Bytes", "Records"}) {
		t.Fatalf("key %q values %v", tb.Key, tb.Values)
	}
	checkRows(t, tb, []wantRow{
		{"ch", []uint64{4, 84900, 5}, 57.142857},
		{"de", []uint64{3, 574, 3}, 42.857143},
		{"a1", []uint64{1, 252, 1}, 14.285714},
	})

	one, err := Parse(strings.NewReader("INPUT: 1 Record for 1 Bin and 60 Total Bytes\nOUTPUT: Top 5 Bins by Bytes\ndcc|Bytes|%Bytes|cumul_%|\nus|60|100.000000|100.000000|\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *one.Input != (Input{Records: 1, Bins: 1, Total: 60, Title: "Bytes"}) {
		t.Errorf("singular INPUT = %+v", one.Input)
	}
}

// --no-percents and --no-titles together: nothing but codes and counts.
func TestParseBareCounts(t *testing.T) {
	tb, err := Parse(strings.NewReader("us|12|3|\nhk|5|2|\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Key != "scc" || tb.HasPercent || !reflect.DeepEqual(tb.Values, []string{"Value", "Value2"}) {
		t.Errorf("key %q percent %v values %v", tb.Key, tb.HasPercent, tb.Values)
	}
	checkRows(t, tb, []wantRow{{"us", []uint64{12, 3}, nan}, {"hk", []uint64{5, 2}, nan}})
}

// A threshold that no bin reaches prints the INPUT and OUTPUT lines alone:
// a valid, empty map.
func TestParseNoBins(t *testing.T) {
	tb, err := Parse(strings.NewReader("INPUT: 9 Records for 8 Bins and 85726 Total Bytes\nOUTPUT: No bins above threshold of 100000 Bytes\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Rows) != 0 || tb.Input.Total != 85726 || tb.Values[0] != "Bytes" {
		t.Errorf("%+v", tb)
	}
}

func TestParseErrors(t *testing.T) {
	real, err := os.ReadFile("testdata/sip-sport-bytes.rwstats.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		opts       ParseOptions
		line       int
		msg        string
	}{
		{"empty", "", ParseOptions{}, 0, "the input was empty; the command before it probably failed"},
		{"blank lines", "\n  \n\n", ParseOptions{}, 0, "the input was empty"},
		{"real rwstats by sip,sport", string(real), ParseOptions{}, 3, "no country column: titles are sIP, sPort, Bytes, %Bytes, cumul_%"},
		{"bad count", "dcc|Bytes|\nus|12|\nch|1x2|\n", ParseOptions{}, 3, `"1x2" is not a count`},
		{"bad code", "dcc|Bytes|\nus|12|\nusa|5|\n", ParseOptions{}, 3, `"usa" is not a country code`},
		{"short row", "dcc|Bytes|%Bytes|cumul_%|\nus|12|50.0|50.0|\nch|12|\n", ParseOptions{}, 3, "2 columns where the table has 4"},
		{"duplicate code", "dcc|Bytes|\nus|12|\nus|5|\n", ParseOptions{}, 3, `country "us" already on line 2`},
		// tables keyed by more than the country, and flow listings, are
		// refused rather than drawn with a port number as the volume
		{"two keys", "INPUT: 9 Records for 8 Bins and 85726 Total Bytes\nOUTPUT: Top 5 Bins by Bytes\nscc|sPort|               Bytes|    %Bytes|   cumul_%|\n ch|  443|               64000| 74.656464| 74.656464|\n",
			ParseOptions{}, 3, "the table is keyed by scc and sPort: bubbles need the country alone"},
		{"two keys, country second", "INPUT: 9 Records for 8 Bins and 85726 Total Bytes\ndPort|dcc|   Records|  %Records|   cumul_%|\n",
			ParseOptions{}, 2, "the table is keyed by dcc and dPort"},
		{"two keys without titles", " 443| ch|  64000| 74.656464| 74.656464|\n", ParseOptions{}, 1, `the first column ("443") is not a country code`},
		{"rwcut listing", "            sIP|            dIP|scc|dcc|\n", ParseOptions{}, 1, "two country columns"},
		{"rwcut listing, one country", "            sIP|scc|     bytes|\n       10.0.0.1| ch|       100|\n", ParseOptions{}, 1, "a flow listing (gcut or rwcut"},
		{"gcut --fields=scc,bytes listing", "scc|     bytes|\n ch|       100|\n ch|       300|\n", ParseOptions{}, 3, `country "ch" already on line 2`},
		{"gstats --fields=scc,bytes keys", "INPUT: 2 Records for 2 Bins and 2 Total Records\nOUTPUT: Top 10 Bins by Records\nscc|     bytes|   Records|  %Records|   cumul_%|\n",
			ParseOptions{}, 3, "the table is keyed by scc and bytes"},
		{"listing without titles", "10.0.0.1|ch|100|\n", ParseOptions{}, 1, `the first column ("10.0.0.1") is not a country code`},
		{"two country columns", "scc|dcc|Bytes|\n", ParseOptions{}, 1, "two country columns"},
		// tables by country and network: the same end, sums that add up,
		// every bin
		{"country and the other end's AS", "INPUT: 2 Records for 2 Bins and 2 Total Bytes\nscc|dAS|Bytes|\n", ParseOptions{}, 2, "the table is keyed by scc and das"},
		{"names of the other end", "INPUT: 2 Records for 2 Bins and 2 Total Bytes\ndcc|dAS|sASName|Bytes|\n", ParseOptions{}, 2, "the table has sASName beside das"},
		{"names without numbers", "INPUT: 2 Records for 2 Bins and 2 Total Bytes\nscc|sASName|Bytes|\n", ParseOptions{}, 2, "the table has sASName but no AS number column"},
		{"distinct counts by network", "INPUT: 2 Records for 2 Bins and 2 Total dIP-Distinct\nscc|sAS|dIP-Distinct|\n", ParseOptions{}, 2, "dIP-Distinct cannot be summed per country"},
		{"bins left out", "INPUT: 9 Records for 3 Bins and 900 Total Bytes\nOUTPUT: Top 2 Bins by Bytes\nscc|sAS|Bytes|\nch|559|500|\nch|3303|300|\n", ParseOptions{}, 0, "prints 2 of its 3 bins"},
		{"bad AS number", "INPUT: 9 Records for 3 Bins and 900 Total Bytes\nscc|sAS|Bytes|\nch|AS55x|500|\n", ParseOptions{}, 3, `"AS55x" is not an AS number`},
		{"same network twice", "INPUT: 9 Records for 3 Bins and 900 Total Bytes\nscc|sAS|Bytes|\nch|559|500|\nch|559|300|\n", ParseOptions{}, 4, `country "ch" and AS 559 already on line 3`},
		{"bad INPUT", "INPUT: many Records\n", ParseOptions{}, 1, "cannot read the INPUT line"},
		{"bad percent", "\n\ndcc|Bytes|%Bytes|cumul_%|\nus|12|5O.0|50.0|\n", ParseOptions{}, 4, `"5O.0" is not a percentage`},
		{"no codes without titles", "12|13|\n", ParseOptions{}, 1, "no country column"},
		{"protocol statistics", "FLOW STATISTICS--ALL PROTOCOLS:  9 records\n", ParseOptions{}, 1, "protocol statistics"},
		{"hint count mismatch", "us|12|3|\n", ParseOptions{ValueColumns: []string{"Bytes"}}, 1, "1 value columns named (Bytes) but the table has 2"},
		{"only OUTPUT", "OUTPUT: Top 3 Bins by Bytes\n", ParseOptions{}, 1, "no table after the OUTPUT line"},
		{"titles twice", "dcc|Bytes|\nus|1|\nINPUT: 1 Record for 1 Bin and 1 Total Bytes\n", ParseOptions{}, 3, "unexpected INPUT line"},
		// a query ClickHouse refused, passed on by curl without --fail
		{"ClickHouse error", "Code: 47, e.displayText() = DB::Exception: Missing columns: 'start_time' while processing query: 'SELECT dcc, sum(bytes) AS bytes FROM flows WHERE start_time >= now() - 3600 GROUP BY dcc', required columns: 'dcc' 'bytes' 'start_time', e.what() = DB::Exception\n",
			ParseOptions{}, 1, "an error from ClickHouse (code 47), not a table: Missing columns: 'start_time' while processing query: 'SELECT dcc, sum(bytes) AS bytes FROM flows..."},
		{"ClickHouse error, since 21.x", "Code: 60. DB::Exception: Table default.flow does not exist. (UNKNOWN_TABLE) (version 23.8.1.1)\n",
			ParseOptions{}, 1, "an error from ClickHouse (code 60), not a table: Table default.flow does not exist. (UNKNOWN_TABLE) (version 23.8.1.1)"},
		// flows piped straight in: said as such, never echoed
		{"binary gflow stream", "GFLW\x02\x02\x02\x00\x00\x00\x01\x28\xb5\x2f\xfd|\n", ParseOptions{}, 1, "a flow stream (binary, as gfilter or rwfilter writes it), not a table"},
		{"binary SiLK stream", "\xde\xad\xbe\xef\x10\x01\x00\x00\n", ParseOptions{}, 1, "a flow stream (binary"},
		{"binary after a table's start", "dcc|Bytes|\nus|1\x00\x00|\n", ParseOptions{}, 2, "binary data, not a text table"},
		{"binary, not UTF-8", "ch|\xff\xfe|\n", ParseOptions{}, 1, "binary data, not a text table"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.text), tc.opts)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got line %d %q, want line %d containing %q", pe.Line, pe.Msg, tc.line, tc.msg)
			}
			if strings.Contains(tc.name, "keys") || strings.Contains(tc.name, "listing") || strings.Contains(tc.name, "country column") || strings.Contains(tc.name, "duplicate") {
				if pe.Hint() != fixCountryTable {
					t.Errorf("hint %q, want %q", pe.Hint(), fixCountryTable)
				}
			}
			if strings.Contains(tc.name, "ClickHouse") && pe.Hint() != fixClickHouse {
				t.Errorf("hint %q, want %q", pe.Hint(), fixClickHouse)
			}
			if strings.Contains(tc.name, "binary") {
				if pe.Hint() != fixBinary {
					t.Errorf("hint %q, want %q", pe.Hint(), fixBinary)
				}
				if strings.ContainsFunc(pe.Error(), func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
					t.Errorf("message %q echoes the binary input", pe.Error())
				}
			}
			if tc.line > 0 && !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("message %q does not start with the line number", err)
			}
		})
	}
}

// What gstats prints for a period with no traffic is a valid, empty table,
// and values that are distinct counts are not taken for keys.
func TestParseEmptyAndDistinctTables(t *testing.T) {
	for _, text := range []string{
		"INPUT: 0 Records for 0 Bins\nOUTPUT: Top 50 Bins by Bytes\nscc|               Bytes|    %Bytes|   cumul_%|\n",
		"INPUT: 0 Records for 0 Bins\nOUTPUT: No bins above threshold of 5 Bytes\n",
	} {
		tb, err := Parse(strings.NewReader(text), ParseOptions{})
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if len(tb.Rows) != 0 || tb.Input == nil || tb.Input.Records != 0 || len(tb.Values) != 1 || tb.Values[0] != "Bytes" {
			t.Errorf("%q: %+v", text, tb)
		}
	}
	for _, text := range []string{
		"INPUT: 2 Records for 1 Bin and 2 Total dPort-Distinct\nOUTPUT: Top 10 Bins by dPort-Distinct\nscc|dPort|               Bytes|%dPort-Dis|   cumul_%|\n --|    2|                 400|100.000000|  100.0000|\n",
		"INPUT: 2 Records for 1 Bin and 400 Total Bytes\nOUTPUT: Top 10 Bins by Bytes\nscc|               Bytes|dPort|    %Bytes|   cumul_%|\n --|                 400|    2|100.000000|100.000000|\n",
		"scc|               Bytes|\n ch|  400|\n", // rwuniq
		"dcc\tbytes\nch\t400\n",                   // ClickHouse's TSVWithNames
		"dcc\ttotal\tflows\nch\t400\t3\n",
	} {
		tb, err := Parse(strings.NewReader(text), ParseOptions{})
		if err != nil || len(tb.Rows) != 1 {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestParseRejectsBadKeyHint(t *testing.T) {
	if _, err := Parse(strings.NewReader("us|1|\n"), ParseOptions{Key: "sip"}); err == nil {
		t.Error("key hint sip accepted")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"INPUT: 9 Records for 5 Bins and 85726 Total Bytes\nOUTPUT: Top 3 Bins by Bytes\ndcc|Bytes|%Bytes|cumul_%|\n us|64000| 74.656464| 74.656464|\n --|3000|3.4|78.1|\n",
		"us,1,2.0,2.0\n??,4,1.0,3.0\n",
		"scc\tRecords\nch\t5\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tb, err := Parse(strings.NewReader(s), ParseOptions{})
		if err != nil {
			return
		}
		d := Build(tb, testTime)
		if _, err := d.JSON(); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		for _, r := range tb.Rows {
			if len(r.Values) != len(tb.Values) {
				t.Fatalf("row has %d values, table %d", len(r.Values), len(tb.Values))
			}
		}
	})
}
