package mapjson

import "testing"

// Percentages gjson computes itself (the table printed none) at values
// that do not divide evenly: rounded to 6 decimals as rwstats prints them,
// from the INPUT line's total, from the total worked back from a printed
// percentage, and from the rows' sum.
func TestComputedPercentages(t *testing.T) {
	cases := []struct {
		name, text string
		total      uint64
		source     string
		want       map[string]float64
	}{
		{"input total", `INPUT: 9 Records for 3 Bins and 7 Total Bytes
OUTPUT: Top 3 Bins by Bytes
dcc|Bytes|
 us|    4|
 de|    2|
 ch|    1|
`, 7, "input", map[string]float64{"US": 57.142857, "DE": 28.571429, "CH": 14.285714}},
		{"rows' sum", `scc|Bytes|
 us|    1|
 de|    1|
 fr|    1|
`, 3, "rows", map[string]float64{"US": 33.333333, "DE": 33.333333, "FR": 33.333333}},
		{"rows' sum, thirds and sixths", `scc|Records|
 us|   5|
 ch|   1|
`, 6, "rows", map[string]float64{"US": 83.333333, "CH": 16.666667}},
	}
	for _, c := range cases {
		d := Build(mustParse(t, c.text, ParseOptions{}), testTime)
		if d.Total != c.total || d.TotalSource != c.source {
			t.Errorf("%s: total %d (%s), want %d (%s)", c.name, d.Total, d.TotalSource, c.total, c.source)
		}
		for _, r := range d.Rows {
			if want, ok := c.want[r.Code]; !ok || r.Percent != want {
				t.Errorf("%s: %s %v%%, want %v%%", c.name, r.Code, r.Percent, want)
			}
		}
		if len(d.Rows) != len(c.want) {
			t.Errorf("%s: %d rows, want %d", c.name, len(d.Rows), len(c.want))
		}
	}
	// A printed percentage is taken as printed, and the total worked back
	// from the largest row's: 3 of 7 printed as 42.857143.
	d := Build(mustParse(t, `scc|Bytes|%Bytes|cumul_%|
 us|    3|42.857143|42.857143|
 de|    2|28.571429|71.428571|
`, ParseOptions{}), testTime)
	if d.Total != 7 || d.TotalSource != "percent" || d.Rows[1].Percent != 28.571429 {
		t.Errorf("from printed percentages: total %d (%s), rows %+v", d.Total, d.TotalSource, d.Rows)
	}
}
