package mapjson

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// byCountryTable and byNetworkTable are one period's traffic by source
// country, and by source country and network.
const byCountryTable = `INPUT: 40 Records for 4 Bins and 10000 Total Bytes
OUTPUT: Top 4 Bins by Bytes
scc|               Bytes|   Records|    %Bytes|   cumul_%|
 ch|                6100|        21| 61.000000| 61.000000|
 us|                2900|         9| 29.000000| 90.000000|
 --|                 700|         8|  7.000000| 97.000000|
 de|                 300|         2|  3.000000|100.000000|
`

const byNetworkTable = `INPUT: 40 Records for 11 Bins and 10000 Total Bytes
OUTPUT: Top 11 Bins by Bytes
scc|       sAS|                    sASName|               Bytes|   Records|    %Bytes|   cumul_%|
 ch|       559|                     SWITCH|                2000|         5| 20.000000| 20.000000|
 us|     13335|              CLOUDFLARENET|                1500|         4| 15.000000| 35.000000|
 ch|      3303|                  Swisscom |                1200|         4| 12.000000| 47.000000|
 ch|     13030|                  Init7 AG |                1000|         3| 10.000000| 57.000000|
 ch|     15169|                Google LLC |                 900|         3|  9.000000| 66.000000|
 ch|         0|                           |                 700|         2|  7.000000| 73.000000|
 us|     15169|                 Google LLC|                1400|         5| 14.000000| 87.000000|
 --|         0|                           |                 700|         8|  7.000000| 94.000000|
 de|      3320|   Deutsche Telekom AG     |                 300|         2|  3.000000| 97.000000|
 ch|      6830|Liberty Global B.V.        |                 200|         3|  2.000000| 99.000000|
 ch|     64496|               Small ISP   |                 100|         1|  1.000000|100.000000|
`

// A table by country and network (gstats --fields=scc,sas --count=0) draws
// the same bubbles as the table by country alone, and each country lists
// its largest networks for the tooltip.
func TestBuildNetworks(t *testing.T) {
	plain := Build(mustParse(t, byCountryTable, ParseOptions{}), testTime)
	nets := Build(mustParse(t, byNetworkTable, ParseOptions{}), testTime)

	// the bubbles: the same countries, values, shares and no_country
	type bubble struct {
		Code    string
		Value   uint64
		Percent float64
		Values  map[string]uint64
	}
	bubbles := func(d *Document) (out []bubble) {
		for _, r := range d.Rows {
			out = append(out, bubble{r.Code, r.Value, r.Percent, r.Values})
		}
		return out
	}
	a, _ := json.Marshal(bubbles(plain))
	b, _ := json.Marshal(bubbles(nets))
	if string(a) != string(b) {
		t.Errorf("bubbles by network:\n%s\nwant those by country:\n%s", b, a)
	}
	if nets.NoCountry != plain.NoCountry || nets.Total != plain.Total {
		t.Errorf("no_country %+v total %d, want %+v %d", nets.NoCountry, nets.Total, plain.NoCountry, plain.Total)
	}

	// the networks: largest first, AS 0 left out, at most TopNetworks
	list := func(r CountryRow) string {
		var s []string
		for _, n := range r.Networks {
			s = append(s, strings.Join([]string{n.Name, strconv.FormatUint(uint64(n.AS), 10), strconv.FormatUint(n.Value, 10)}, ":"))
		}
		return strings.Join(s, ",")
	}
	want := map[string]string{
		"CH": "SWITCH:559:2000,Swisscom:3303:1200,Init7 AG:13030:1000,Google LLC:15169:900,Liberty Global B.V.:6830:200",
		"US": "CLOUDFLARENET:13335:1500,Google LLC:15169:1400",
		"DE": "Deutsche Telekom AG:3320:300",
	}
	for _, r := range nets.Rows {
		if got := list(r); got != want[r.Code] {
			t.Errorf("%s networks %q, want %q", r.Code, got, want[r.Code])
		}
	}
	if p := nets.Rows[0].Networks[0].Percent; p != 20 {
		t.Errorf("SWITCH's share %v%%, want 20 (of the whole total, as the country's own)", p)
	}
	if len(plain.Rows[0].Networks) != 0 {
		t.Errorf("a table by country alone lists networks: %+v", plain.Rows[0].Networks)
	}
	js, err := plain.JSON()
	if err != nil || strings.Contains(string(js), "networks") {
		t.Errorf("a table by country alone has a networks key: %v\n%s", err, js)
	}
}

// In Chromium: hovering a country shows its largest networks under its
// share, names as text, and the footer credits the AS database only when
// its names are on the page.
func TestMapPageTooltipNetworks(t *testing.T) {
	ctx := newBrowser(t)
	loadPage(t, ctx, Build(mustParse(t, byCountryTable, ParseOptions{}), testTime))
	if !eval[bool](t, ctx, `document.getElementById("ascredit").hidden`) {
		t.Error("the AS database's credit shows on a map without networks")
	}

	loadPage(t, ctx, Build(mustParse(t, byNetworkTable, ParseOptions{}), testTime))
	if eval[bool](t, ctx, `document.getElementById("ascredit").hidden`) {
		t.Error("no credit for the AS database on a map naming networks")
	}
	b := bubbleDisc(t, ctx, "CH")
	if got := hover(t, ctx, b.X, b.Y); got != "CH" {
		t.Fatalf("the tooltip shows %q at Switzerland's bubble", got)
	}
	lines := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#tooltip > *")).map(e => e.matches("ol") ?
		Array.from(e.children).map(li => li.textContent).join("\n") : e.textContent)`)
	want := []string{"Switzerland", "61.00% · 6.10 KB",
		"SWITCH AS55920.00%\nSwisscom AS330312.00%\nInit7 AG AS1303010.00%\nGoogle LLC AS151699.00%\nLiberty Global B.V. AS68302.00%"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("tooltip lines %q,\nwant %q", lines, want)
	}
	// the networks are inside the tooltip's box, not cut off
	if w := eval[float64](t, ctx, `(t => t.scrollWidth - t.clientWidth)(document.getElementById("tooltip"))`); w > 0 {
		t.Errorf("the tooltip's content overflows it by %v px", w)
	}
}
