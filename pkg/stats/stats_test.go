package stats

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/fields/fieldstest"
	"github.com/gflow/gflow/pkg/flowfile"
)

func loadFlows(t testing.TB, name string) []flowfile.Record {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := fieldstest.ParseFlows(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func ipv4Only(recs []flowfile.Record) []flowfile.Record {
	var out []flowfile.Record
	for _, r := range recs {
		if !r.IsIPv6() {
			out = append(out, r)
		}
	}
	return out
}

// run aggregates recs with the given spec and layout and returns the text.
func runSpec(t testing.TB, recs []flowfile.Record, spec Spec, lo Layout, workers int) string {
	t.Helper()
	a, err := NewAggregator(spec, workers)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	// feed runs of three records from workers goroutines at once, as
	// flowfile.Process does
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 3 * w; i < len(recs); i += 3 * workers {
				a.AddRun(w, recs[i:min(i+3, len(recs))])
			}
		}()
	}
	wg.Wait()
	res := a.Finish()
	sel := res.Select()
	var out bytes.Buffer
	fm := fields.NewFormatter(fields.Options{Policy: spec.Policy})
	if err := WriteText(&out, res, sel, fm, lo); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func keys(t testing.TB, s string) []fields.ID {
	ids, err := fields.NewRegistry(fields.StatsKeys).Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func values(t testing.TB, s string) []Value {
	v, err := ParseValues(s, fields.NewRegistry(fields.StatsKeys))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func check(t *testing.T, name, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

var workerCounts = []int{1, 2, 3}

func TestWorkedExample1(t *testing.T) {
	recs := loadFlows(t, "worked-examples-flows.txt")
	want := `INPUT: 10 Records for 9 Bins and 94726 Total Bytes
OUTPUT: Top 5 Bins by Bytes
                                    sIP|sPort|               Bytes|    %Bytes|   cumul_%|
                               10.0.0.5|   22|               64000| 67.563288| 67.563288|
                               10.0.0.1|  443|               17000| 17.946498| 85.509786|
                            2001:db8::1|  443|                9000|  9.501087| 95.010873|
                               10.0.0.3|   80|                3000|  3.167029| 98.177903|
                           192.168.1.10|51000|                 900|  0.950109| 99.128011|
`
	for _, w := range workerCounts {
		spec := Spec{Keys: keys(t, "sip,sport"), Values: values(t, "bytes"), Limit: LimitCount, Count: 5, Policy: fields.PolicyMix}
		check(t, "example 1", runSpec(t, recs, spec, Layout{}, w), want)
	}
}

func TestWorkedExample2(t *testing.T) {
	recs := loadFlows(t, "worked-examples-flows.txt")
	want := `INPUT: 9 Records for 8 Bins and 85726 Total Bytes
OUTPUT: Top 5 Bins by Bytes
            sIP|sPort|               Bytes|    %Bytes|   cumul_%|
       10.0.0.5|   22|               64000| 74.656464| 74.656464|
       10.0.0.1|  443|               17000| 19.830623| 94.487087|
       10.0.0.3|   80|                3000|  3.499522| 97.986608|
   192.168.1.10|51000|                 900|  1.049857| 99.036465|
       10.0.0.2|  123|                 304|  0.354618| 99.391083|
`
	for _, pol := range []fields.Policy{fields.PolicyIgnore, fields.PolicyAsV4} {
		spec := Spec{Keys: keys(t, "sip,sport"), Values: values(t, "bytes"), Limit: LimitCount, Count: 5, Policy: pol}
		check(t, "example 2 "+pol.String(), runSpec(t, recs, spec, Layout{}, 2), want)
	}
}

func TestWorkedExample3(t *testing.T) {
	recs := ipv4Only(loadFlows(t, "worked-examples-flows.txt"))
	for _, w := range workerCounts {
		spec := Spec{Keys: keys(t, "sport"), Values: values(t, "bytes"), Limit: LimitThreshold, Threshold: 3000, Policy: fields.PolicyMix}
		check(t, "threshold", runSpec(t, recs, spec, Layout{}, w), `INPUT: 9 Records for 8 Bins and 85726 Total Bytes
OUTPUT: Top 3 bins by Bytes (threshold 3000)
sPort|               Bytes|    %Bytes|   cumul_%|
   22|               64000| 74.656464| 74.656464|
  443|               17000| 19.830623| 94.487087|
   80|                3000|  3.499522| 97.986608|
`)
		spec = Spec{Keys: keys(t, "proto"), Values: values(t, "dip-distinct,bytes"), Limit: LimitCount, Count: 0, Policy: fields.PolicyMix}
		check(t, "distinct", runSpec(t, recs, spec, Layout{}, w), `INPUT: 9 Records for 3 Bins and 7 Total dIP-Distinct
OUTPUT: Top 3 Bins by dIP-Distinct
pro|        dIP-Distinct|               Bytes|%dIP-Disti|   cumul_%|
  6|                   4|               84900| 57.142857|   57.1429|
 17|                   3|                 574| 42.857143|  100.0000|
  1|                   1|                 252| 14.285714|  114.2857|
`)
		spec = Spec{Keys: keys(t, "sip"), Values: values(t, "bytes"), Limit: LimitCount, Count: 3, Policy: fields.PolicyMix}
		got := runSpec(t, recs, spec, Layout{NoColumns: true, NoFinalDelim: true, Delim: ','}, w)
		check(t, "delimited", got, `INPUT: 9 Records for 6 Bins and 85726 Total Bytes
OUTPUT: Top 3 Bins by Bytes
sIP,Bytes,%Bytes,cumul_%
10.0.0.5,64000,74.656464,74.656464
10.0.0.1,17000,19.830623,94.487087
10.0.0.3,3000,3.499522,97.986608
`)
	}
}

// The per-file expectations of the SiLK fixtures: rwstats
// --fields=sip,sport --values=bytes --count=10 over flows.txt's 200 flows
// (IPv6 file) and its 157 IPv4 flows (IPv4 file).
func TestFixtureTables(t *testing.T) {
	all := loadFlows(t, "flows.txt")
	if len(all) != 200 {
		t.Fatalf("%d flows, want 200", len(all))
	}
	cases := []struct {
		file string
		recs []flowfile.Record
	}{
		{"flows-all.rwstats.txt", all},
		{"flows-ipv4.rwstats.txt", ipv4Only(all)},
	}
	for _, c := range cases {
		want, err := os.ReadFile("testdata/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range workerCounts {
			spec := Spec{Keys: keys(t, "sip,sport"), Values: values(t, "bytes"), Limit: LimitCount, Count: 10, Policy: fields.PolicyMix}
			check(t, c.file, runSpec(t, c.recs, spec, Layout{}, w), string(want))
		}
	}
}

func TestEmptyInput(t *testing.T) {
	spec := Spec{Keys: keys(t, "sip,sport"), Values: values(t, "bytes"), Limit: LimitCount, Count: 10, Policy: fields.PolicyMix}
	check(t, "count", runSpec(t, nil, spec, Layout{}, 2), `INPUT: 0 Records for 0 Bins
OUTPUT: Top 10 Bins by Bytes
                                    sIP|sPort|               Bytes|    %Bytes|   cumul_%|
`)
	spec.Limit, spec.Threshold = LimitThreshold, 5
	check(t, "threshold", runSpec(t, nil, spec, Layout{}, 1), `INPUT: 0 Records for 0 Bins
OUTPUT: No bins above threshold of 5 Bytes
`)
	spec.Limit, spec.Percentage = LimitPercentage, 5
	spec.Bottom = true
	check(t, "percentage", runSpec(t, nil, spec, Layout{}, 1), `INPUT: 0 Records for 0 Bins
OUTPUT: No bins below threshold of 5.0000% (0 Bytes)
`)
	spec = Spec{Keys: keys(t, "sip"), Limit: LimitCount, Count: 0, Policy: fields.PolicyMix}
	check(t, "all", runSpec(t, nil, spec, Layout{NoPercents: true}, 1), `INPUT: 0 Records for 0 Bins
OUTPUT: Top 0 Bins by Records
                                    sIP|   Records|
`)
	check(t, "no titles", runSpec(t, nil, spec, Layout{NoTitles: true}, 1), "")
}

func TestPercentageAndBottom(t *testing.T) {
	recs := ipv4Only(loadFlows(t, "worked-examples-flows.txt"))
	spec := Spec{Keys: keys(t, "sip"), Values: values(t, "records"), Limit: LimitPercentage, Percentage: 20, Policy: fields.PolicyIgnore}
	got := runSpec(t, recs, spec, Layout{}, 2)
	want := `INPUT: 9 Records for 6 Bins and 9 Total Records
OUTPUT: Top 3 bins by Records (30.0000% == 2)
            sIP|   Records|  %Records|   cumul_%|
       10.0.0.1|         2| 22.222222| 22.222222|
       10.0.0.2|         2| 22.222222| 44.444444|
   192.168.1.10|         2| 22.222222| 66.666667|
`
	// 20% of 9 records truncates to a threshold of 1: every bin qualifies
	if !strings.HasPrefix(got, "INPUT: 9 Records for 6 Bins and 9 Total Records\nOUTPUT: Top 6 bins by Records (20.0000% == 1)\n") {
		t.Errorf("percentage header:\n%s", got)
	}
	spec.Percentage = 30
	check(t, "percentage 30", runSpec(t, recs, spec, Layout{}, 2), want)

	spec = Spec{Keys: keys(t, "sport"), Values: values(t, "bytes"), Bottom: true, Limit: LimitThreshold, Threshold: 300, Policy: fields.PolicyIgnore}
	check(t, "bottom threshold", runSpec(t, recs, spec, Layout{}, 2), `INPUT: 9 Records for 8 Bins and 85726 Total Bytes
OUTPUT: Bottom 3 bins by Bytes (threshold 300)
sPort|               Bytes|    %Bytes|   cumul_%|
   53|                 120|  0.139981|  0.139981|
40001|                 150|  0.174976|  0.314957|
    0|                 252|  0.293960|  0.608917|
`)
	spec = Spec{Keys: keys(t, "sport"), Values: values(t, "bytes"), Bottom: true, Limit: LimitCount, Count: 2, Policy: fields.PolicyIgnore}
	check(t, "bottom count", runSpec(t, recs, spec, Layout{NoPercents: true, NoFinalDelim: true}, 3), `INPUT: 9 Records for 8 Bins and 85726 Total Bytes
OUTPUT: Bottom 2 Bins by Bytes
sPort|               Bytes
   53|                 120
40001|                 150
`)
	spec = Spec{Keys: keys(t, "sport"), Values: values(t, "bytes"), Limit: LimitThreshold, Threshold: 100000, Policy: fields.PolicyIgnore}
	check(t, "none above", runSpec(t, recs, spec, Layout{}, 1), `INPUT: 9 Records for 8 Bins and 85726 Total Bytes
OUTPUT: No bins above threshold of 100000 Bytes
`)
}

// Ties are broken by key ascending, whatever the worker count or the order
// the records arrive in.
func TestTiesDeterministic(t *testing.T) {
	recs := ipv4Only(loadFlows(t, "worked-examples-flows.txt"))
	spec := Spec{Keys: keys(t, "sip"), Values: values(t, "records"), Limit: LimitCount, Count: 4, Policy: fields.PolicyIgnore}
	want := `INPUT: 9 Records for 6 Bins and 9 Total Records
OUTPUT: Top 4 Bins by Records
            sIP|   Records|  %Records|   cumul_%|
       10.0.0.1|         2| 22.222222| 22.222222|
       10.0.0.2|         2| 22.222222| 44.444444|
   192.168.1.10|         2| 22.222222| 66.666667|
       10.0.0.3|         1| 11.111111| 77.777778|
`
	rev := make([]flowfile.Record, len(recs))
	for i := range recs {
		rev[len(recs)-1-i] = recs[i]
	}
	for _, w := range workerCounts {
		check(t, "forward", runSpec(t, recs, spec, Layout{}, w), want)
		check(t, "reverse", runSpec(t, rev, spec, Layout{}, w), want)
	}
}

func TestIPv6Widths(t *testing.T) {
	recs := loadFlows(t, "worked-examples-flows.txt")
	spec := Spec{Keys: keys(t, "dip,sip"), Values: values(t, "packets"), Limit: LimitCount, Count: 2, Policy: fields.PolicyMix}
	check(t, "mix", runSpec(t, recs, spec, Layout{}, 2), `INPUT: 10 Records for 10 Bins and 171 Total Packets
OUTPUT: Top 2 Bins by Packets
                                    dIP|                                    sIP|        Packets|  %Packets|   cumul_%|
                           192.168.1.10|                               10.0.0.5|            100| 58.479532| 58.479532|
                           192.168.1.11|                               10.0.0.1|             20| 11.695906| 70.175439|
`)
	spec.Policy = fields.PolicyOnly
	check(t, "only", runSpec(t, recs, spec, Layout{}, 2), `INPUT: 1 Record for 1 Bin and 15 Total Packets
OUTPUT: Top 2 Bins by Packets
                                    dIP|                                    sIP|        Packets|  %Packets|   cumul_%|
                            2001:db8::2|                            2001:db8::1|             15|100.000000|100.000000|
`)
}

func TestDistinctValues(t *testing.T) {
	recs := ipv4Only(loadFlows(t, "worked-examples-flows.txt"))
	for _, w := range workerCounts {
		spec := Spec{Keys: keys(t, "proto"), Values: values(t, "distinct:sport,records"), Limit: LimitCount, Count: 3, Policy: fields.PolicyIgnore}
		check(t, "distinct:sport", runSpec(t, recs, spec, Layout{}, w), `INPUT: 9 Records for 3 Bins and 8 Total sPort-Distinct
OUTPUT: Top 3 Bins by sPort-Distinct
pro|sPort|   Records|%sPort-Dis|   cumul_%|
  6|    4|         5| 50.000000|   50.0000|
 17|    3|         3| 37.500000|   87.5000|
  1|    1|         1| 12.500000|  100.0000|
`)
		spec = Spec{Keys: keys(t, "dport"), Values: values(t, "bytes,sip-distinct"), Limit: LimitCount, Count: 2, Policy: fields.PolicyIgnore}
		check(t, "sip-distinct secondary", runSpec(t, recs, spec, Layout{}, w), `INPUT: 9 Records for 9 Bins and 85726 Total Bytes
OUTPUT: Top 2 Bins by Bytes
dPort|               Bytes|sIP-Distin|    %Bytes|   cumul_%|
60000|               64000|         1| 74.656464| 74.656464|
51001|               12000|         1| 13.998087| 88.654551|
`)
	}
	if _, err := NewAggregator(Spec{Keys: keys(t, "sport"), Values: values(t, "distinct:sport")}, 1); err == nil {
		t.Error("distinct over a key field accepted")
	}
	for _, bad := range []string{"distinct", "bytes:x", "bytes,bytes", "distinct:nope", "byt,flows,flows"} {
		if _, err := ParseValues(bad, fields.NewRegistry(fields.StatsKeys)); err == nil {
			t.Errorf("values %q accepted", bad)
		}
	}
}

func TestBinTime(t *testing.T) {
	recs := loadFlows(t, "worked-examples-flows.txt")
	spec := Spec{Keys: keys(t, "stime"), Values: values(t, "records"), Limit: LimitCount, Count: 0, BinTime: 3600000, Policy: fields.PolicyMix}
	check(t, "hour bins", runSpec(t, recs, spec, Layout{NoPercents: true}, 2), `INPUT: 10 Records for 2 Bins and 10 Total Records
OUTPUT: Top 2 Bins by Records
              sTime|   Records|
2015/10/09T00:00:00|         7|
2015/10/09T01:00:00|         3|
`)
	// all three time fields: the last one follows from the other two, and
	// the duration becomes the difference of the binned times
	spec = Spec{Keys: keys(t, "stime,duration,etime"), Values: values(t, "bytes"), Limit: LimitCount, Count: 2, BinTime: 60000, Policy: fields.PolicyMix}
	check(t, "three times", runSpec(t, recs, spec, Layout{NoPercents: true}, 1), `INPUT: 10 Records for 9 Bins and 94726 Total Bytes
OUTPUT: Top 2 Bins by Bytes
              sTime|durat|              eTime|               Bytes|
2015/10/09T01:30:00|  120|2015/10/09T01:32:00|               64000|
2015/10/09T00:02:00|    0|2015/10/09T00:02:00|               12000|
`)
	// without --bin-time, times bin to the second
	spec = Spec{Keys: keys(t, "etime"), Values: values(t, "bytes"), Limit: LimitCount, Count: 1, Policy: fields.PolicyMix}
	check(t, "etime", runSpec(t, recs, spec, Layout{NoPercents: true}, 1), `INPUT: 10 Records for 9 Bins and 94726 Total Bytes
OUTPUT: Top 1 Bin by Bytes
              eTime|               Bytes|
2015/10/09T01:32:00|               64000|
`)
}

func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"bytes", "distinct:sip,flows", "sip-distinct:x", "distinct:", "b,p,r"} {
		f.Add(s)
	}
	reg := fields.NewRegistry(fields.StatsKeys)
	f.Fuzz(func(t *testing.T, s string) {
		vals, err := ParseValues(s, reg)
		if err == nil && len(vals) == 0 {
			t.Fatalf("%q: no values and no error", s)
		}
	})
}
