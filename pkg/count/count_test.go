package count_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/count"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/tuc"
)

func runTool(t testing.TB, newCmd func(cli.IO) *cobra.Command, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	status := cli.Run(newCmd(std), args, std)
	return out.String(), errb.String(), status
}

func gtuc(t testing.TB, text string) []byte {
	t.Helper()
	out, errs, status := runTool(t, tuc.NewCommand, []byte(text))
	if status != 0 || errs != "" {
		t.Fatalf("gtuc: %d %q", status, errs)
	}
	return []byte(out)
}

func gcount(t testing.TB, stream []byte, args ...string) string {
	t.Helper()
	out, errs, status := runTool(t, count.NewCommand, stream, args...)
	if status != 0 || errs != "" {
		t.Fatalf("gcount %v: %d %q", args, status, errs)
	}
	return out
}

// The reference's rwcount example: the nine IPv4 flows of the worked
// examples (flows4.rw) in hour bins.
func TestWorkedExample(t *testing.T) {
	b, err := os.ReadFile("testdata/worked-examples-flows.txt")
	if err != nil {
		t.Fatal(err)
	}
	var v4 []string
	for i, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if sip, _, _ := strings.Cut(l, "|"); i == 0 || !strings.Contains(sip, ":") {
			v4 = append(v4, l)
		}
	}
	if len(v4) != 10 {
		t.Fatalf("%d lines, want a title and nine flows", len(v4))
	}
	got := gcount(t, gtuc(t, strings.Join(v4, "\n")+"\n"), "--bin-size=3600")
	want := "" +
		"               Date|        Records|               Bytes|          Packets|\n" +
		"2015/10/09T00:00:00|           6.00|            21170.00|            49.00|\n" +
		"2015/10/09T01:00:00|           3.00|            64556.00|           107.00|\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// One flow from 00:00:05.000 to 00:00:24.999 (20 000 ms) with 100 bytes
// and 10 packets, in 10 s bins, under each scheme.
func TestSchemes(t *testing.T) {
	flow := "stime|duration|bytes|packets\n2015/10/09T00:00:05|19.999|100|10\n"
	stream := gtuc(t, flow)
	third := 1.0 / 3 // rwcount multiplies by 1/bins, so 100*third, not 100/3
	cases := []struct {
		scheme string
		rows   [][3]float64 // records, bytes, packets per bin from 00:00:00
	}{
		{"time-proportional", [][3]float64{{0.25, 25, 2.5}, {0.5, 50, 5}, {0.25, 25, 2.5}}},
		{"4", [][3]float64{{0.25, 25, 2.5}, {0.5, 50, 5}, {0.25, 25, 2.5}}},
		{"bin-uniform", [][3]float64{{third, 100 * third, 10 * third}, {third, 100 * third, 10 * third}, {third, 100 * third, 10 * third}}},
		{"start-spike", [][3]float64{{1, 100, 10}}},
		{"end-spike", [][3]float64{{0, 0, 0}, {0, 0, 0}, {1, 100, 10}}},
		{"middle-spike", [][3]float64{{0, 0, 0}, {1, 100, 10}}},
		{"maximum-volume", [][3]float64{{1, 100, 10}, {1, 100, 10}, {1, 100, 10}}},
	}
	for _, c := range cases {
		out := gcount(t, stream, "--bin-size=10", "--load-scheme="+c.scheme, "--json")
		var want strings.Builder
		for i, r := range c.rows {
			start := time.Date(2015, 10, 9, 0, 0, 10*i, 0, time.UTC)
			if r[1] == 0 && want.Len() == 0 {
				continue // rows start at the first bin with bytes
			}
			want.WriteString(jsonRow(start, r))
		}
		if out != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", c.scheme, out, want.String())
		}
	}
	// Minimum volume: a flow across bins counts as a record in each but
	// adds no bytes, so rows run from and to bins with bytes only.
	two := gtuc(t, flow+"2015/10/09T00:00:31|1|7|1\n")
	out := gcount(t, two, "--bin-size=10", "--load-scheme=minimum-volume", "--no-titles", "--delimited")
	want := "2015/10/09T00:00:30|1.00|7.00|1.00\n"
	if out != want {
		t.Errorf("minimum-volume: got %q want %q", out, want)
	}
	out = gcount(t, two, "--bin-size=10", "--load-scheme=6", "--no-titles", "--delimited", "--start-time=2015/10/09")
	want = "2015/10/09T00:00:00|1.00|0.00|0.00\n2015/10/09T00:00:10|1.00|0.00|0.00\n" +
		"2015/10/09T00:00:20|1.00|0.00|0.00\n2015/10/09T00:00:30|1.00|7.00|1.00\n"
	if out != want {
		t.Errorf("minimum-volume from start: got %q want %q", out, want)
	}
}

func jsonRow(start time.Time, r [3]float64) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	// 10 s bins are numbered from midnight two days before the first flow
	slot := (start.UnixMilli() - time.Date(2015, 10, 7, 0, 0, 0, 0, time.UTC).UnixMilli()) / 10000
	return `{"date":"` + start.Format("2006/01/02T15:04:05") + `","epoch":` + strconv.FormatInt(start.Unix(), 10) +
		`,"slot":` + strconv.FormatInt(slot, 10) +
		`,"records":` + f(r[0]) + `,"bytes":` + f(r[1]) + `,"packets":` + f(r[2]) + "}\n"
}

func readStream(t testing.TB, b []byte) []flowfile.Record {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out []flowfile.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *rec)
	}
}

// Rows, --start-time, --end-time, --skip-zeroes, labels.
func TestWindowAndLabels(t *testing.T) {
	text := "stime|bytes|packets\n2015/10/09T00:00:10|100|1\n2015/10/09T00:02:10|50|2\n"
	stream := gtuc(t, text)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--bin-size=60", "--no-titles"},
			"2015/10/09T00:00:00|           1.00|              100.00|             1.00|\n" +
				"2015/10/09T00:01:00|           0.00|                0.00|             0.00|\n" +
				"2015/10/09T00:02:00|           1.00|               50.00|             2.00|\n"},
		{[]string{"--bin-size=60", "--no-titles", "--skip-zeroes", "--delimited=,"},
			"2015/10/09T00:00:00,1.00,100.00,1.00\n2015/10/09T00:02:00,1.00,50.00,2.00\n"},
		{[]string{"--bin-size=60", "--delimited", "--start-time=2015/10/09T00:01", "--end-time=2015/10/09T00:03"},
			"Date|Records|Bytes|Packets\n2015/10/09T00:01:00|0.00|0.00|0.00\n" +
				"2015/10/09T00:02:00|1.00|50.00|2.00\n2015/10/09T00:03:00|0.00|0.00|0.00\n"},
		// the same window in ISO 8601
		{[]string{"--bin-size=60", "--delimited", "--start-time=2015-10-09T00:01", "--end-time=2015-10-09T00:03Z"},
			"Date|Records|Bytes|Packets\n2015/10/09T00:01:00|0.00|0.00|0.00\n" +
				"2015/10/09T00:02:00|1.00|50.00|2.00\n2015/10/09T00:03:00|0.00|0.00|0.00\n"},
		{[]string{"--bin-size=60", "--delimited", "--no-titles", "--end-time=2015/10/09T00:01"},
			"2015/10/09T00:00:00|1.00|100.00|1.00\n2015/10/09T00:01:00|0.00|0.00|0.00\n"},
		{[]string{"--bin-size=3600", "--delimited", "--no-titles", "--start-time=2015/10/09", "--end-time=2015/10/09T02"},
			"2015/10/09T00:00:00|2.00|150.00|3.00\n2015/10/09T01:00:00|0.00|0.00|0.00\n2015/10/09T02:00:00|0.00|0.00|0.00\n"},
		{[]string{"--bin-size=60", "--delimited", "--no-titles", "--bin-slots", "--skip-zeroes"},
			"2880|1.00|100.00|1.00\n2882|1.00|50.00|2.00\n"},
		{[]string{"--bin-size=60", "--delimited", "--no-titles", "--epoch-slots", "--skip-zeroes"},
			"1444348800|1.00|100.00|1.00\n1444348920|1.00|50.00|2.00\n"},
		// Bins that do not divide a day are counted from midnight two
		// days before the first flow, as rwcount does: 1909 bins of
		// 90.5 s after 2015-10-07T00:00:00 is 2015-10-08T23:59:24.500.
		{[]string{"--bin-size=90.5", "--skip-zeroes", "--timestamp-format=iso"},
			"                   Date|        Records|               Bytes|          Packets|\n" +
				"2015-10-08 23:59:24.500|           1.00|              100.00|             1.00|\n" +
				"2015-10-09 00:00:55.000|           1.00|               50.00|             2.00|\n"},
	}
	for _, c := range cases {
		if got := gcount(t, stream, c.args...); got != c.want {
			t.Errorf("%v:\n got %q\nwant %q", c.args, got, c.want)
		}
	}
	// no flows: titles only
	if got := gcount(t, gtuc(t, "sport\n")); got != "               Date|        Records|               Bytes|          Packets|\n" {
		t.Errorf("empty input: %q", got)
	}
}

// Volume is conserved: over the whole window every scheme but
// maximum/minimum-volume adds up to the input's totals.
func TestConservation(t *testing.T) {
	b, err := os.ReadFile("../cut/testdata/flows.txt")
	if err != nil {
		t.Skip("the fixture flows are pkg/cut's testdata")
	}
	recs := readStream(t, gtuc(t, string(b)))
	for _, scheme := range []count.Scheme{count.BinUniform, count.StartSpike, count.EndSpike, count.MiddleSpike, count.TimeProportional} {
		for _, size := range []float64{30, 7, 0.25, 3600, 86400} {
			c := count.NewCounter(count.Spec{Size: int64(size * 1000), Scheme: scheme, Start: count.NoStart, End: count.NoEnd})
			c.AddBlock(recs)
			var records, bytes float64
			for _, r := range c.Rows(false) {
				records += r.Records
				bytes += r.Bytes
			}
			if math.Abs(records-200) > 1e-6 || math.Abs(bytes-9721069428)/9721069428 > 1e-12 {
				t.Errorf("scheme %s size %g: %f records, %f bytes", scheme, size, records, bytes)
			}
		}
	}
}

// Bad switch values and combinations.
func TestBadSwitches(t *testing.T) {
	stream := gtuc(t, "sport\n1\n")
	today := time.Now().UTC().Format("2006/01/02")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--plot-value=bytes"}, "gcount: The --plot-value switch requires --plot\n"},
		{[]string{"--start-time=2015/10/09T02", "--end-time=2015/10/09T01"},
			"gcount: The end-time is less than start-time: 2015/10/09T02:00:00 < 2015/10/09T02:00:00\n"},
		{[]string{"--bin-size=0"}, "gcount: Invalid bin-size '0': Value is below minimum of 0.001000\nUse 'gcount --help' for usage\n"},
		{[]string{"--bin-size=abc"}, "gcount: Invalid bin-size 'abc': Unexpected character\nUse 'gcount --help' for usage\n"},
		// rwcount reads the times after its switches: no usage line
		{[]string{"--load-scheme=flat"}, "gcount: Invalid load-scheme: 'flat' is not recognized\nUse 'gcount --help' for usage\n"},
		{[]string{"--load-scheme=m"}, "gcount: Invalid load-scheme: 'm' is ambiguous\nUse 'gcount --help' for usage\n"},
		// a date that cannot be read names the forms that can; rwcount
		// reads the times after its switches: no usage line
		{[]string{"--start-time=2015/10/32"}, "gcount: Invalid start-time '2015/10/32': Day value (32) out of range: use 1 <= day <= 31\n" +
			"gcount: hint: times are YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC, to the millisecond, or epoch seconds (--start-time=" + today + ")\n"},
		{[]string{"--end-epoch=yesterday"}, "gcount: Invalid end-time 'yesterday': Unexpected character 'y'\n" +
			"gcount: hint: times are YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC, to the millisecond, or epoch seconds (--end-time=" + today + ")\n"},
		{[]string{"--start-time=2015/13/09"}, "gcount: Invalid start-time '2015/13/09': Month value (13) out of range: use 1 <= month <= 12\n" +
			"gcount: hint: times are YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC, to the millisecond, or epoch seconds (--start-time=" + today + ")\n"},
		{[]string{"--end-time=09.10.2015"}, "gcount: Invalid end-time '09.10.2015': Epoch value (9) out of range: use 536870912 <= epoch <= 2147483647\n" +
			"gcount: hint: times are YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC, to the millisecond, or epoch seconds (--end-time=" + today + ")\n"},
	}
	for _, c := range cases {
		out, errs, status := runTool(t, count.NewCommand, stream, c.args...)
		if status != 1 || errs != c.want || out != "" {
			t.Errorf("%v: %d %q %q, want %q", c.args, status, out, errs, c.want)
		}
	}
}

type epipeWriter struct{}

func (epipeWriter) Write([]byte) (int, error) { return 0, syscall.EPIPE }

func TestClosedPipe(t *testing.T) {
	stream := gtuc(t, "stime|bytes\n2015/10/09T00:00:00|1\n2015/10/10T00:00:00|1\n")
	var e bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stream), Out: epipeWriter{}, Err: &e}
	if status := cli.Run(count.NewCommand(std), []string{"--bin-size=1"}, std); status != 0 || e.Len() != 0 {
		t.Fatalf("status %d, stderr %q", status, e.String())
	}
}

// The chart is well-formed SVG with a title, time ticks in UTC and byte
// units, and one step per bin.
func TestPlot(t *testing.T) {
	b, err := os.ReadFile("testdata/worked-examples-flows.txt")
	if err != nil {
		t.Fatal(err)
	}
	stream := gtuc(t, string(b))
	path := filepath.Join(t.TempDir(), "c.svg")
	gcount(t, stream, "--bin-size=600", "--plot="+path, "--output-path=/dev/null")
	svg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var texts []string
	paths := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "path" {
				paths++
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(e)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Bytes per 10 min bin", "00:30", "01:00", "2015-10-09", "60 kB", "total 94.73 kB"} {
		if !strings.Contains(all, want) {
			t.Errorf("chart lacks %q; texts:\n%s", want, all)
		}
	}
	if paths != 2 {
		t.Errorf("%d paths, want the area and its line", paths)
	}
	gcount(t, stream, "--bin-size=600", "--plot="+path, "--plot-value=rec", "--output-path=/dev/null")
	svg, _ = os.ReadFile(path)
	if !bytes.Contains(svg, []byte("Records per 10 min bin")) || !bytes.Contains(svg, []byte("total 10 records")) {
		t.Errorf("records chart: %s", svg)
	}
}

// Counter directly: flows before the window's start or after its end are
// cut as rwcount cuts them.
func TestCounterWindow(t *testing.T) {
	day := time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC).UnixMilli()
	c := count.NewCounter(count.Spec{Size: 10000, Scheme: count.TimeProportional, Start: day + 10000, End: day + 30000})
	// 0..39.999 s: 40 000 ms, 10 000 ms in each of the two bins in the window
	c.Add(&flowfile.Record{STime: day, ETime: day + 39999, Bytes: 400, Packets: 40})
	rows := c.Rows(false)
	if len(rows) != 2 || rows[0].Bytes != 100 || rows[1].Bytes != 100 || rows[0].Records != 0.25 {
		t.Errorf("rows %+v", rows)
	}
	// bin-uniform counts the bins outside the window as rwcount does:
	// 1+(start-sTime)/size before it (2 here, one more than the flow
	// really covers when it starts on a bin boundary) and
	// 1+(eTime-end)/size after it (1), so each bin in the window gets 1/5.
	u := count.NewCounter(count.Spec{Size: 10000, Scheme: count.BinUniform, Start: day + 10000, End: day + 30000})
	u.Add(&flowfile.Record{STime: day, ETime: day + 39999, Bytes: 400, Packets: 40})
	rows = u.Rows(false)
	if len(rows) != 2 || rows[0].Bytes != 80 || rows[1].Bytes != 80 || rows[0].Records != 0.2 {
		t.Errorf("bin-uniform rows %+v", rows)
	}
}

// A series with more bins than the chart has pixels is drawn as steps of
// several bins each, holding their largest value, so peaks survive.
func TestPlotManyBins(t *testing.T) {
	rows := make([]count.Row, 100000)
	for i := range rows {
		rows[i] = count.Row{Start: 1444348800000 + int64(i)*1000, Bin: count.Bin{Bytes: 10, Records: 1}}
	}
	rows[77777].Bytes = 5e6 // one peak
	var b bytes.Buffer
	if err := (count.Plot{BinSize: 1000, Value: count.PlotBytes}).WriteSVG(&b, rows); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if n := strings.Count(svg, "L"); n > 2*4*1000 {
		t.Errorf("%d path segments for 100000 bins", n)
	}
	if !strings.Contains(svg, "each step the largest of 56 bins") || !strings.Contains(svg, ">5 MB<") {
		t.Errorf("grouping or peak missing: %s", svg[:min(len(svg), 2000)])
	}
}

// A window of more than MaxBins bins is refused, not allocated.
func TestTooManyBins(t *testing.T) {
	stream := gtuc(t, "stime|bytes\n2015/10/09T00:00:00|1\n")
	out, errs, status := runTool(t, count.NewCommand, stream, "--bin-size=0.001", "--start-time=2015/10/01", "--end-time=2015/10/09")
	if status != 1 || out != "" || !strings.HasPrefix(errs, "gcount: Cannot allocate space for more than 16777216 bins") {
		t.Errorf("%d %q %q", status, out, errs)
	}
}

// rwcount's old --start-epoch and --end-epoch set --start-time and
// --end-time; --start and --end still abbreviate the new names.
func TestEpochAliases(t *testing.T) {
	stream := gtuc(t, "sTime|eTime\n2015/10/09T00:00:10|2015/10/09T00:00:20\n2015/10/09T05:00:00|2015/10/09T05:00:10\n")
	want, errs, status := runTool(t, count.NewCommand, stream, "--bin-size=3600", "--start-time=2015/10/09T01", "--end-time=2015/10/09T02", "--no-titles")
	if status != 0 || strings.Count(want, "\n") != 2 {
		t.Fatalf("--start-time/--end-time: %d %q %s", status, want, errs)
	}
	for _, args := range [][]string{
		{"--start-epoch=1444352400", "--end-epoch=1444356000"},
		{"--start-epoch=2015/10/09T01", "--end-epoch=2015/10/09T02"},
		{"--start=2015/10/09T01", "--end=2015/10/09T02"},
		{"--st", "2015/10/09T01", "--en", "2015/10/09T02"},
	} {
		got, errs, status := runTool(t, count.NewCommand, stream, append([]string{"--bin-size=3600", "--no-titles"}, args...)...)
		if status != 0 || got != want {
			t.Errorf("%v: %d %q %s, want %q", args, status, got, errs, want)
		}
	}
	// --e is --end-time, --end-epoch or --epoch-slots: ambiguous, as in rwcount
	if _, errs, status := runTool(t, count.NewCommand, stream, "--e=1"); status != 1 || !strings.Contains(errs, "is ambiguous") {
		t.Errorf("--e: %d %q", status, errs)
	}
}
