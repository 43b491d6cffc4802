package stats

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
)

// stream encodes records as a gflow flow stream.
func stream(t testing.TB, recs []flowfile.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: pipe.StreamCodec})
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gstats runs the command in-process on stdin and returns stdout, stderr
// and the exit status.
func gstats(t testing.TB, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	status := cli.Run(NewCommand(std), args, std)
	return out.String(), errb.String(), status
}

func TestCommandWorkedExample(t *testing.T) {
	in := stream(t, loadFlows(t, "worked-examples-flows.txt"))
	// abbreviated switches, as in SiLK's classic command line
	out, errs, st := gstats(t, in, "--top", "--count=5", "--fields=sip,sport", "--value=bytes")
	if st != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", st, errs)
	}
	want := `INPUT: 10 Records for 9 Bins and 94726 Total Bytes
OUTPUT: Top 5 Bins by Bytes
                                    sIP|sPort|               Bytes|    %Bytes|   cumul_%|
                               10.0.0.5|   22|               64000| 67.563288| 67.563288|
                               10.0.0.1|  443|               17000| 17.946498| 85.509786|
                            2001:db8::1|  443|                9000|  9.501087| 95.010873|
                               10.0.0.3|   80|                3000|  3.167029| 98.177903|
                           192.168.1.10|51000|                 900|  0.950109| 99.128011|
`
	check(t, "command", out, want)

	out, _, _ = gstats(t, in, "--count=2", "--fields=sip,sport", "--values=bytes", "--ipv6-policy=ignore", "--delimited")
	check(t, "delimited", out, `INPUT: 9 Records for 8 Bins and 85726 Total Bytes
OUTPUT: Top 2 Bins by Bytes
sIP|sPort|Bytes|%Bytes|cumul_%
10.0.0.5|22|64000|74.656464|74.656464
10.0.0.1|443|17000|19.830623|94.487087
`)
	out, _, _ = gstats(t, in, "--count=2", "--fields=sip,sport", "--values=bytes", "--ipv6-policy=ignore", "--no-columns")
	check(t, "no-columns", out, `INPUT: 9 Records for 8 Bins and 85726 Total Bytes
OUTPUT: Top 2 Bins by Bytes
sIP|sPort|Bytes|%Bytes|cumul_%|
10.0.0.5|22|64000|74.656464|74.656464|
10.0.0.1|443|17000|19.830623|94.487087|
`)
	out, _, _ = gstats(t, in, "--count=2", "--fields=sip,sport", "--values=bytes", "--ipv6-policy=ignore", "--no-titles", "--column-separator=:", "--no-final-delimiter")
	check(t, "no-titles", out, `       10.0.0.5:   22:               64000: 74.656464: 74.656464
       10.0.0.1:  443:               17000: 19.830623: 94.487087
`)
	out, _, _ = gstats(t, in, "--count=3", "--fields=sip", "--values=bytes", "--integer-ips", "--no-percents", "--ipv6-policy=asv4")
	check(t, "integer-ips", out, `INPUT: 9 Records for 6 Bins and 85726 Total Bytes
OUTPUT: Top 3 Bins by Bytes
       sIP|               Bytes|
 167772165|               64000|
 167772161|               17000|
 167772163|                3000|
`)
}

func TestCommandKeyFormats(t *testing.T) {
	in := stream(t, loadFlows(t, "flows.txt"))
	out, errs, st := gstats(t, in, "--fields=stime,type,sensor,flags,iType,iCode", "--values=flows", "--count=3", "--bin-time=3600", "--ipv6-policy=ignore")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	lines := strings.Split(out, "\n")
	check(t, "titles", lines[2], "              sTime|   type|sen|   flags|iTy|iCo|   Records|  %Records|   cumul_%|")
	out, _, _ = gstats(t, in, "--fields=proto,itype,icode", "--values=records", "--threshold=3", "--timestamp-format=epoch")
	check(t, "icmp", out, `INPUT: 200 Records for 17 Bins and 200 Total Records
OUTPUT: Top 3 bins by Records (threshold 3)
pro|iTy|iCo|   Records|  %Records|   cumul_%|
  6|   |   |       126| 63.000000| 63.000000|
 17|   |   |        48| 24.000000| 87.000000|
  1|  8|  0|         3|  1.500000| 88.500000|
`)
}

func TestCommandJSON(t *testing.T) {
	in := stream(t, ipv4Only(loadFlows(t, "worked-examples-flows.txt")))
	out, errs, st := gstats(t, in, "--fields=sport", "--values=bytes,records", "--threshold=3000", "--json")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	var doc struct {
		Input struct {
			Records, Bins, Total uint64
			TotalOf              string `json:"total_of"`
		}
		Output struct {
			Direction, Limit string
			Count            uint64
			Threshold        *uint64
			Rows             int
		}
		Fields, Values []string
		Rows           []struct {
			Key                 map[string]string
			Values              map[string]uint64
			Percent, Cumulative float64
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Input.Records != 9 || doc.Input.Bins != 8 || doc.Input.Total != 85726 || doc.Input.TotalOf != "Bytes" {
		t.Errorf("input %+v", doc.Input)
	}
	if doc.Output.Limit != "threshold" || doc.Output.Threshold == nil || *doc.Output.Threshold != 3000 || doc.Output.Rows != 3 {
		t.Errorf("output %+v", doc.Output)
	}
	if len(doc.Rows) != 3 || doc.Rows[0].Key["sPort"] != "22" || doc.Rows[0].Values["Bytes"] != 64000 || doc.Rows[0].Values["Records"] != 1 {
		t.Errorf("rows %+v", doc.Rows)
	}
	if p := doc.Rows[2].Cumulative; p < 97.98 || p > 97.99 {
		t.Errorf("cumulative %v", p)
	}
}

// With no limit gstats prints the top 10, as if --count=10 were given
// (rwstats refuses: "No stopping condition was entered").
func TestDefaultTopTen(t *testing.T) {
	var recs []flowfile.Record
	for i := range 25 {
		recs = append(recs, flowfile.Record{SIP: netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), DIP: netip.MustParseAddr("192.0.2.1"),
			Proto: 6, Packets: 1, Bytes: uint64(100 * (i + 1))})
	}
	in := stream(t, recs)
	short, errs, st := gstats(t, in, "--fields=sip", "--values=bytes")
	if st != 0 || errs != "" {
		t.Fatalf("status %d stderr %q", st, errs)
	}
	full, _, _ := gstats(t, in, "--fields=sip", "--values=bytes", "--top", "--count=10")
	if short != full {
		t.Errorf("no limit:\n%s\n--top --count=10:\n%s", short, full)
	}
	if !strings.Contains(short, "OUTPUT: Top 10 Bins by Bytes\n") || strings.Count(short, "\n") != 13 || !strings.Contains(short, "10.0.0.24|") {
		t.Errorf("no limit did not print the top 10 of 25:\n%s", short)
	}
	// an explicit limit still wins, and --count=0 still means every bin
	if all, _, _ := gstats(t, in, "--fields=sip", "--count=0"); strings.Count(all, "\n") != 28 {
		t.Errorf("--count=0 printed %d lines, want 25 bins and 3 heading lines", strings.Count(all, "\n"))
	}
}

func TestCommandErrors(t *testing.T) {
	in := stream(t, loadFlows(t, "worked-examples-flows.txt"))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--fields=sip", "--count=3", "--threshold=4"}, "gstats: May only specify one of --count, --threshold, or --percentage.\n"},
		{[]string{"--fields=sip", "--count=3", "--top", "--bottom"}, "gstats: May only specify one of --top or --bottom.\n"},
		{[]string{"--count=3"}, "gstats: The --fields switch is required\n"},
		{[]string{"--fields=foo", "--count=3"}, "gstats: Invalid fields: No match was found for the field 'foo'\n"},
		{[]string{"--fields=sip,1", "--count=3"}, "gstats: Invalid fields: Duplicate name '1'\n"},
		{[]string{"--fields=s", "--count=3"}, "gstats: Invalid fields: The field 's' matches multiple keys\n"},
		{[]string{"--fields=sip", "--values=bogus", "--count=3"}, "gstats: Invalid values: No match was found for the field 'bogus'\n"},
		{[]string{"--fields=sip", "--percentage=150"}, "gstats: Invalid percentage '150': Value is above maximum of 100.000000\n"},
		{[]string{"--fields=sip", "--count=1", "--ipv6-policy=sometimes"}, "gstats: Invalid ipv6-policy 'sometimes': Valid values are ignore, asv4, mix, force, only\n"},
		{[]string{"--overall-stats", "--fields=sip"}, "gstats: Cannot combine the protocol statistics (--overall-stats, --detail-proto-stats) with --fields or --values\n"},
	}
	for _, c := range cases {
		out, errs, st := gstats(t, in, c.args...)
		if st != 1 || out != "" {
			t.Errorf("%v: status %d, stdout %q", c.args, st, out)
		}
		first, _, _ := strings.Cut(errs, "\n")
		if first+"\n" != c.want {
			t.Errorf("%v: stderr %q, want %q", c.args, errs, c.want)
		}
	}
	// --fields missing: the hint names the usual keys, before SiLK's usage line
	_, errs, _ := gstats(t, in, "--values=bytes")
	if want := "gstats: The --fields switch is required\n" +
		"gstats: hint: name the key, e.g. --fields=sip for the top sources, --fields=scc for countries, --fields=dport for services\n" +
		"Use 'gstats --help' for usage\n"; errs != want {
		t.Errorf("no --fields: stderr\n%s\nwant\n%s", errs, want)
	}
	// a file that does not exist: one line, exit 1
	_, errs, st := gstats(t, nil, "--fields=sip", "--count=1", filepath.Join(t.TempDir(), "missing"))
	if st != 1 || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "gstats: ") {
		t.Errorf("missing file: status %d, stderr %q", st, errs)
	}
}

type epipeWriter struct{ n int }

func (w *epipeWriter) Write(b []byte) (int, error) {
	w.n++
	return 0, syscall.EPIPE
}

func TestCommandClosedPipe(t *testing.T) {
	in := stream(t, loadFlows(t, "flows.txt"))
	var errb bytes.Buffer
	w := &epipeWriter{}
	std := cli.IO{In: bytes.NewReader(in), Out: w, Err: &errb}
	st := cli.Run(NewCommand(std), []string{"--fields=sip,dip", "--count=0"}, std)
	if st != 0 || errb.Len() != 0 || w.n == 0 {
		t.Errorf("closed pipe: status %d, stderr %q, writes %d", st, errb.String(), w.n)
	}
}

func TestCommandOutputPathAndFiles(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "flows.gf")
	if err := os.WriteFile(f, stream(t, loadFlows(t, "worked-examples-flows.txt")), 0o644); err != nil {
		t.Fatal(err)
	}
	outp := filepath.Join(dir, "out.txt")
	_, errs, st := gstats(t, nil, "--fields=sip,sport", "--values=bytes", "--count=5", "--output-path="+outp, f)
	if st != 0 {
		t.Fatal(errs)
	}
	got, _ := os.ReadFile(outp)
	if !strings.HasPrefix(string(got), "INPUT: 10 Records for 9 Bins and 94726 Total Bytes\n") {
		t.Errorf("output file:\n%s", got)
	}
	// the same file twice counts twice
	out, _, _ := gstats(t, nil, "--fields=proto", "--count=1", "--no-titles", f, f)
	check(t, "two files", out, "  6|        12| 60.000000| 60.000000|\n")
}

func TestCommandProtoStats(t *testing.T) {
	in := stream(t, loadFlows(t, "worked-examples-flows.txt"))
	out, errs, st := gstats(t, in, "--overall-stats", "--detail-proto-stats=17")
	if st != 0 {
		t.Fatal(errs)
	}
	want, err := os.ReadFile("testdata/proto-stats.txt")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "proto stats", out, string(want))
}
