package tuc_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/tuc"
)

func run(t testing.TB, stdin string, args ...string) (out []byte, errs string, status int) {
	t.Helper()
	var o, e bytes.Buffer
	std := cli.IO{In: strings.NewReader(stdin), Out: &o, Err: &e}
	status = cli.Run(tuc.NewCommand(std), args, std)
	return o.Bytes(), e.String(), status
}

func records(t testing.TB, stream []byte) []flowfile.Record {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(stream))
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

// parse runs a Parser over text (first line through Start) with a fixed
// "now" and returns the records and the line errors.
func parse(t *testing.T, o tuc.Options, text string) ([]flowfile.Record, []string) {
	t.Helper()
	if o.Now == 0 {
		o.Now = 1700000000123
	}
	p, err := tuc.NewParser(o)
	if err != nil {
		t.Fatal(err)
	}
	var recs []flowfile.Record
	var errs []string
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if i == 0 {
			title, err := p.Start([]byte(line))
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			if title {
				continue
			}
		}
		var r flowfile.Record
		if err := p.ParseLine([]byte(line), &r); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		recs = append(recs, r)
	}
	return recs, errs
}

// ms reads a test time written 2006-01-02T15:04:05.000 (UTC).
func ms(s string) int64 {
	tm, err := time.Parse("2006-01-02T15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return tm.UnixMilli()
}

// rwtuc's defaults and computed fields.
func TestDefaults(t *testing.T) {
	cases := []struct {
		name  string
		o     tuc.Options
		text  string
		check func(r flowfile.Record) bool
	}{
		{"no counts: packets 1, bytes 1, sTime now", tuc.Options{}, "sIP|dIP\n1.2.3.4|5.6.7.8\n",
			func(r flowfile.Record) bool {
				return r.Packets == 1 && r.Bytes == 1 && r.STime == 1700000000123 && r.ETime == r.STime &&
					r.Sensor == 0 && r.Type == flowfile.TypeIn && r.SIP == netip.MustParseAddr("1.2.3.4")
			}},
		{"bytes default to packets", tuc.Options{}, "packets\n7\n", func(r flowfile.Record) bool { return r.Packets == 7 && r.Bytes == 7 }},
		{"no addresses: 0.0.0.0", tuc.Options{}, "bytes\n7\n", func(r flowfile.Record) bool {
			return r.SIP == netip.AddrFrom4([4]byte{}) && r.DIP == r.SIP && !r.NhIP.IsValid()
		}},
		{"sTime and eTime give the duration", tuc.Options{}, "stime|etime\n2015/10/09T00:00:01.500|2015/10/09T00:00:04\n",
			func(r flowfile.Record) bool { return r.STime == ms("2015-10-09T00:00:01.500") && r.Duration() == 2500 }},
		{"eTime and duration give sTime", tuc.Options{}, "etime|duration\n2015/10/09T00:00:04|2.5\n",
			func(r flowfile.Record) bool { return r.STime == ms("2015-10-09T00:00:01.500") && r.Duration() == 2500 }},
		{"all three: eTime ignored", tuc.Options{}, "stime|duration|etime\n2015/10/09T00:00:00|1.000|2015/10/09T05:00:00\n",
			func(r flowfile.Record) bool { return r.ETime == ms("2015-10-09T00:00:01.000") }},
		{"initial|session flags make flags for TCP", tuc.Options{}, "protocol|flags|initialFlags|sessionFlags\n6|F|S|PA\n",
			func(r flowfile.Record) bool { return r.Flags == 0x1a && r.InitFlags == 0x02 && r.SessionFlags == 0x18 }},
		{"and are dropped for UDP", tuc.Options{}, "protocol|flags|initialFlags|sessionFlags\n17|F|S|PA\n",
			func(r flowfile.Record) bool { return r.Flags == 0x01 && r.InitFlags == 0 && r.SessionFlags == 0 }},
		{"ICMP type and code go to dPort", tuc.Options{}, "protocol|dport|iType|iCode\n1|99|3|3\n",
			func(r flowfile.Record) bool { return r.DPort == 771 }},
		{"but not for TCP", tuc.Options{}, "protocol|dport|iType|iCode\n6|99|3|3\n", func(r flowfile.Record) bool { return r.DPort == 99 }},
		{"fixed values override columns", tuc.Options{Fixed: map[fields.ID]string{fields.Protocol: "17", fields.Sensor: "S3"}},
			"protocol|sensor\n6|S1\n", func(r flowfile.Record) bool { return r.Proto == 17 && r.Sensor == 3 }},
		{"class and type", tuc.Options{}, "class|type\nall|outweb\n", func(r flowfile.Record) bool { return r.Type == flowfile.TypeOutWeb }},
		{"sensor by site name", tuc.Options{SensorID: func(n string) (uint16, bool) { return 9, n == "edge" }},
			"sensor\nedge\n", func(r flowfile.Record) bool { return r.Sensor == 9 }},
		{"IPv6 makes the record IPv6", tuc.Options{}, "sip|dip|nhip\n10.0.0.1|2001:db8::1|0.0.0.0\n",
			func(r flowfile.Record) bool {
				return r.SIP == netip.MustParseAddr("::ffff:10.0.0.1") && r.DIP.Is6() && r.NhIP == netip.MustParseAddr("::ffff:0.0.0.0")
			}},
		{"mapped IPv4 alone is IPv4", tuc.Options{}, "sip|dip\n::ffff:10.0.0.1|167772162\n",
			func(r flowfile.Record) bool {
				return r.SIP == netip.MustParseAddr("10.0.0.1") && r.DIP == netip.MustParseAddr("10.0.0.2") && !r.IsIPv6()
			}},
		{"whitespace and a final separator", tuc.Options{}, "  sPort |  dPort |\n   80 |  443   |\n",
			func(r flowfile.Record) bool { return r.SPort == 80 && r.DPort == 443 }},
		{"other separator, numeric ids", tuc.Options{Sep: ',', Fields: []fields.ID{fields.SPort, fields.Ignore, fields.DPort}},
			"1,x,2\n", func(r flowfile.Record) bool { return r.SPort == 1 && r.DPort == 2 }},
		{"country codes, as gcut prints them", tuc.Options{}, "scc|dcc\nch|--\n",
			func(r flowfile.Record) bool {
				return r.SCC == flowfile.MakeCountry("CH") && r.DCC == flowfile.NoCountry
			}},
		{"attributes and 64-bit counts", tuc.Options{}, "attributes|bytes|packets|in\nTCFS|18446744073709551615|4294967296|4294967295\n",
			func(r flowfile.Record) bool {
				return r.Attributes == 0x78 && r.Bytes == 1<<64-1 && r.Packets == 1<<32 && r.In == 1<<32-1
			}},
	}
	for _, c := range cases {
		recs, errs := parse(t, c.o, c.text)
		if len(errs) != 0 || len(recs) != 1 || !c.check(recs[0]) {
			t.Errorf("%s: %+v, errors %v", c.name, recs, errs)
		}
	}
}

// Every time syntax rwtuc takes, and a few it does not.
func TestTimes(t *testing.T) {
	want := map[string]string{
		"2015/10/09":                "2015-10-09T00:00:00.000",
		"2015/10/09T01":             "2015-10-09T01:00:00.000",
		"2015/10/09:01:02":          "2015-10-09T01:02:00.000",
		"2015/10/09T01:02:03.5":     "2015-10-09T01:02:03.500",
		"2015/10/09 01:02:03.123":   "2015-10-09T01:02:03.123",
		"2015-10-09 01:02:03":       "2015-10-09T01:02:03.000",
		"10/09/2015 01:02:03":       "2015-10-09T01:02:03.000",
		"1444348860":                "2015-10-09T00:01:00.000",
		"1444348860.25":             "2015-10-09T00:01:00.250",
		"2016/02/29T23:59:59.999":   "2016-02-29T23:59:59.999",
		"2015/10/09T00:01:00.12345": "2015-10-09T00:01:00.123",
	}
	for in, w := range want {
		recs, errs := parse(t, tuc.Options{}, "stime\n"+in+"\n")
		if len(errs) != 0 || len(recs) != 1 || recs[0].STime != ms(w) {
			t.Errorf("%q: %v %v, want %s", in, recs, errs, w)
		}
	}
	for _, bad := range []string{"2015/13/01", "2015/02/29", "2015/10/09T24", "12345", "2015/10/09T01:02:03x", "yesterday", ""} {
		recs, errs := parse(t, tuc.Options{Fields: []fields.ID{fields.STime}, NoTitles: true}, bad+"\n")
		if len(recs) != 0 || len(errs) != 1 || !strings.HasPrefix(errs[0], "Invalid sTime '") {
			t.Errorf("%q: %v %v", bad, recs, errs)
		}
	}
}

// The messages of bad lines, as rwtuc words them.
func TestBadLineMessages(t *testing.T) {
	cases := []struct{ text, want string }{
		{"sIP|dIP|bytes\n1.2.3.4|5.6.7.8\n", "Too few fields on line: found 2 of 3 expected"},
		{"sIP|dIP\n1.2.3.4|5.6.7.8|9\n", "Too many fields on line: text follows delimiter number 2"},
		{"sPort\n65536\n", "Invalid sPort '65536': Value is above maximum"},
		{"bytes\n0\n", "Invalid bytes '0': Value is below minimum"},
		{"protocol\n6x\n", "Invalid protocol '6x': Unexpected character"},
		{"packets\n99999999999999999999\n", "Invalid packets '99999999999999999999': Value overflows the parser"},
		{"sIP\n1.2.3\n", "Invalid sIP '1.2.3': Unexpected character"},
		{"stime|etime\n2015/10/09T01|2015/10/09\n", "End time less than start time"},
		{"flags\nFSX\n", "Invalid flags 'FSX': Unexpected character"},
		{"sensor\nnowhere\n", "Invalid sensor 'nowhere': No such sensor"},
		{"type\nsideways\n", "Invalid type 'sideways': No such type"},
		{"duration\n5000000\n", "Invalid duration '5000000': Value is above maximum"},
	}
	for _, c := range cases {
		recs, errs := parse(t, tuc.Options{}, c.text)
		if len(recs) != 0 || len(errs) != 1 || errs[0] != c.want {
			t.Errorf("%q: %v %q, want %q", c.text, recs, errs, c.want)
		}
	}
}

// With --fields, a first line that looks like titles is skipped unless
// --no-titles; a first line of data is parsed.
func TestTitleDetection(t *testing.T) {
	ids := []fields.ID{fields.SIP, fields.SPort}
	recs, errs := parse(t, tuc.Options{Fields: ids}, "  sIP|sPort\n1.2.3.4|5\n")
	if len(recs) != 1 || len(errs) != 0 {
		t.Errorf("title skipped: %v %v", recs, errs)
	}
	recs, errs = parse(t, tuc.Options{Fields: ids}, "1.2.3.4|5\n1.2.3.4|6\n")
	if len(recs) != 2 || len(errs) != 0 {
		t.Errorf("data first: %v %v", recs, errs)
	}
	recs, errs = parse(t, tuc.Options{Fields: ids, NoTitles: true}, "sIP|sPort\n1.2.3.4|5\n")
	if len(recs) != 1 || len(errs) != 1 || errs[0] != "Invalid sIP 'sIP': Unexpected character" {
		t.Errorf("--no-titles: %v %v", recs, errs)
	}
}

// gtuc's command: the summary line, --verbose, --stop-on-error and
// --bad-input-lines.
func TestCommandBadLines(t *testing.T) {
	in := "sIP|dIP|bytes\n1.2.3.4|5.6.7.8|10\n1.2.3.4|5.6.7.8\nx|y|z\n\n2.2.2.2|3.3.3.3|4\n"
	out, errs, status := run(t, in)
	if status != 0 || errs != "gtuc: Could not parse 2 lines; try again with --stop-on-error or --verbose for details\n" || len(records(t, out)) != 2 {
		t.Errorf("default: %d %q", status, errs)
	}
	_, errs, status = run(t, in, "--verbose")
	want := "gtuc: -:3:Too few fields on line: found 2 of 3 expected\ngtuc: -:4:Invalid sIP 'x': Unexpected character\n"
	if status != 0 || errs != want {
		t.Errorf("--verbose: %d %q, want %q", status, errs, want)
	}
	out, errs, status = run(t, in, "--stop-on-error")
	if status != 1 || errs != "gtuc: -:3:Too few fields on line: found 2 of 3 expected\n" || len(records(t, out)) != 1 {
		t.Errorf("--stop-on-error: %d %q", status, errs)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	_, errs, status = run(t, in, "--bad-input-lines="+bad)
	got, _ := os.ReadFile(bad)
	if status != 0 || errs != "gtuc: Could not parse 2 lines; invalid input written to '"+bad+"'\n" ||
		string(got) != "-:3:1.2.3.4|5.6.7.8\n-:4:x|y|z\n" {
		t.Errorf("--bad-input-lines: %d %q, file %q", status, errs, got)
	}
	_, errs, status = run(t, "sport\n1\n", "--bad-input-lines="+filepath.Join(dir, "none.txt"))
	if _, err := os.Stat(filepath.Join(dir, "none.txt")); status != 0 || errs != "" || err == nil {
		t.Errorf("no bad lines: %d %q, file kept: %v", status, errs, err == nil)
	}
	_, errs, _ = run(t, "sport\nx\n")
	if errs != "gtuc: Could not parse 1 line; try again with --stop-on-error or --verbose for details\n" {
		t.Errorf("one line: %q", errs)
	}
}

// Bad switch combinations: one line, status 1, no output.
func TestBadSwitches(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--no-titles"}, "gtuc: May only use --no-titles when --fields is specified\n"},
		{[]string{"--bad-input-lines=stdout"}, "gtuc: Cannot use same stream for bad input and records\n"},
		{[]string{"--icmp-type=3"}, "gtuc: -: Either both ICMP type and ICMP code must be present or neither may be present\n"},
		{[]string{"--flags-initial=S"}, "gtuc: -: Either both initial- and session-flags must be present or neither may be present\n"},
		{[]string{"--protocol=300"}, "gtuc: -: Error parsing default protocol value '300': Value is above maximum\n"},
	}
	for _, c := range cases {
		out, errs, status := run(t, "sport\n1\n", c.args...)
		if status != 1 || errs != c.want || len(out) > 0 && len(records(t, out)) > 0 {
			t.Errorf("%v: %d %q, want %q", c.args, status, errs, c.want)
		}
	}
	_, errs, status := run(t, "sport\n1\n", "--fields=sport,dport,sport")
	if status != 1 || errs != "gtuc: Invalid fields: Duplicate name 'sPort'\nUse 'gtuc --help' for usage\n" {
		t.Errorf("duplicate field: %d %q", status, errs)
	}
	_, errs, status = run(t, "sport|nosuch\n1|2\n")
	if status != 1 || errs != "gtuc: -: Unable to determine fields from first line: No match was found for the field 'nosuch'\n" {
		t.Errorf("bad title: %d %q", status, errs)
	}
	// a flow stream piped in: escaped, and the hint says gtuc is not needed
	_, errs, status = run(t, "GFLW\x02\x02\x02\x00\x00\x00\x01|\x28\xb5\n")
	want := "gtuc: -: Unable to determine fields from first line: No match was found for the field 'GFLW\\x02\\x02\\x02\\x00\\x00\\x00\\x01'\n" +
		"gtuc: hint: gtuc reads text, as gcut prints it; flows that are binary already need no gtuc: gcut prints them, gstats and gfilter read them\n"
	if status != 1 || errs != want {
		t.Errorf("binary input: %d\n%q\nwant\n%q", status, errs, want)
	}
}

type epipeWriter struct{}

func (epipeWriter) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// A closed pipe downstream ends gtuc quietly with status 0.
func TestClosedPipe(t *testing.T) {
	var e bytes.Buffer
	in, err := os.ReadFile("testdata/flows.txt")
	if err != nil {
		t.Fatal(err)
	}
	std := cli.IO{In: bytes.NewReader(in), Out: epipeWriter{}, Err: &e}
	if status := cli.Run(tuc.NewCommand(std), nil, std); status != 0 || e.Len() != 0 {
		t.Fatalf("status %d, stderr %q", status, e.String())
	}
}

// The 200-flow fixture converts without a bad line; its edge rows keep
// their values.
func TestFixtureFlows(t *testing.T) {
	in, err := os.ReadFile("testdata/flows.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, errs, status := run(t, string(in))
	if status != 0 || errs != "" {
		t.Fatalf("%d %q", status, errs)
	}
	recs := records(t, out)
	if len(recs) != 200 {
		t.Fatalf("%d records", len(recs))
	}
	v6 := 0
	found := 0
	for _, r := range recs {
		if r.IsIPv6() {
			v6++
		}
		switch {
		case r.SIP == netip.MustParseAddr("203.0.113.200") && r.SPort == 443:
			if r.Bytes == 4294967295 && r.Packets == 3000000 {
				found++
			}
		case r.SIP == netip.MustParseAddr("10.1.0.203") && r.SPort == 65535:
			if r.Packets == 1048575 && r.Duration() == 4095999 && r.In == 65535 && r.Out == 65534 {
				found++
			}
		case r.Proto == 50:
			if r.Bytes == 16383*r.Packets && r.STime == ms("2015-10-09T01:59:59.999") {
				found++
			}
		}
	}
	if v6 != 43 || found != 3 {
		t.Errorf("%d IPv6 flows (want 43), %d of 3 edge rows right", v6, found)
	}
}

// nfdump's CSV: every flow is read, with nfdump's values, and the summary
// is skipped.
func TestNfdumpCSV(t *testing.T) {
	in, err := os.ReadFile("testdata/nfdump-v9.csv")
	if err != nil {
		t.Fatal(err)
	}
	out, errs, status := run(t, string(in))
	if status != 0 || errs != "" {
		t.Fatalf("%d %q", status, errs)
	}
	recs := records(t, out)
	// What nfdump printed, read with encoding/csv.
	cr := csv.NewReader(bytes.NewReader(in))
	cr.FieldsPerRecord = -1 // the summary lines are shorter
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var flows [][]string
	for _, row := range rows[1:] {
		if row[0] == "Summary" {
			break
		}
		flows = append(flows, row)
	}
	if len(recs) != len(flows) || len(recs) != 40 {
		t.Fatalf("%d records, %d flows in the CSV", len(recs), len(flows))
	}
	protos := map[string]uint8{"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58}
	for i, f := range flows {
		r := recs[i]
		start := ms(strings.Replace(f[0], " ", "T", 1) + ".000")
		td, _ := strconv.ParseFloat(f[2], 64)
		pk, _ := strconv.ParseUint(f[11], 10, 64)
		by, _ := strconv.ParseUint(f[12], 10, 64)
		sp, _ := strconv.Atoi(f[5])
		dp, _ := strconv.Atoi(f[6])
		if r.STime != start || r.Duration() != int64(td*1000+0.5) ||
			r.SIP != netip.MustParseAddr(f[3]) || r.DIP != netip.MustParseAddr(f[4]) ||
			int(r.SPort) != sp || int(r.DPort) != dp || r.Proto != protos[f[7]] ||
			r.Packets != pk || r.Bytes != by || (r.Flags == 0x18) != (f[8] == "...AP...") ||
			r.Type != wantType(r) {
			t.Errorf("flow %d: %+v\nCSV %v", i+1, r, f[:13])
		}
	}
}

func TestNoTitlesNeedsFields(t *testing.T) {
	if _, err := tuc.NewParser(tuc.Options{NoTitles: true}); err == nil {
		t.Error("NoTitles without Fields accepted")
	}
	if _, err := tuc.ParseFieldList("ignore,sip,ignore,3-4"); err != nil {
		t.Errorf("repeated ignore refused: %v", err)
	}
}

// wantType is the default site's type of a flow: 10/8, 172.16/12,
// 192.168/16, 100.64/10 and fc00::/7 are internal, web ports split out.
func wantType(r flowfile.Record) flowfile.FlowType {
	internal := func(a netip.Addr) bool {
		for _, p := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"} {
			if netip.MustParsePrefix(p).Contains(a) {
				return true
			}
		}
		return false
	}
	web := r.Proto == 6 && (r.SPort == 80 || r.SPort == 443 || r.SPort == 8080 || r.DPort == 80 || r.DPort == 443 || r.DPort == 8080)
	switch si, di := internal(r.SIP), internal(r.DIP); {
	case si && di:
		return flowfile.TypeInt2Int
	case !si && !di:
		return flowfile.TypeExt2Ext
	case si && web:
		return flowfile.TypeOutWeb
	case si:
		return flowfile.TypeOut
	case web:
		return flowfile.TypeInWeb
	}
	return flowfile.TypeIn
}

// Lines are parsed in batches on several goroutines; records and the
// reports of bad lines still come out in input order, and
// --stop-on-error writes exactly the records before the bad line.
func TestOrderAcrossBatches(t *testing.T) {
	var in strings.Builder
	in.WriteString("sPort|dPort\n")
	var wantErrs strings.Builder
	good := 0
	for i := 1; i <= 3000; i++ {
		lineno := i + 1
		switch {
		case i%701 == 0:
			in.WriteString("x|1\n")
			wantErrs.WriteString("gtuc: -:" + strconv.Itoa(lineno) + ":Invalid sPort 'x': Unexpected character\n")
		case i == 2500:
			in.WriteString(strings.Repeat("9", 70000) + "\n")
			wantErrs.WriteString("gtuc: -:" + strconv.Itoa(lineno) + ":Input line too long\n")
		default:
			in.WriteString(strconv.Itoa(i%65536) + "|" + strconv.Itoa(i/7) + "\n")
			good++
		}
	}
	out, errs, status := run(t, in.String(), "--verbose")
	if status != 0 || errs != wantErrs.String() {
		t.Fatalf("status %d, stderr\n%s\nwant\n%s", status, errs, wantErrs.String())
	}
	recs := records(t, out)
	if len(recs) != good {
		t.Fatalf("%d records, want %d", len(recs), good)
	}
	prev := 0
	for _, r := range recs {
		if int(r.SPort) <= prev || int(r.DPort) != int(r.SPort)/7 {
			t.Fatalf("record out of order or mixed up: %+v after sPort %d", r, prev)
		}
		prev = int(r.SPort)
	}
	out, errs, status = run(t, in.String(), "--stop-on-error")
	if status != 1 || errs != "gtuc: -:702:Invalid sPort 'x': Unexpected character\n" || len(records(t, out)) != 700 {
		t.Errorf("--stop-on-error: %d %q, %d records", status, errs, len(records(t, out)))
	}
}

// nfdump's summary is found wherever it falls among the batches.
func TestNfdumpLong(t *testing.T) {
	in, err := os.ReadFile("testdata/nfdump-v9.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(in), "\n"), "\n")
	head, flows, summary := lines[0], lines[1:41], lines[41:]
	var b strings.Builder
	b.WriteString(head + "\n")
	for i := 0; i < 30; i++ {
		b.WriteString(strings.Join(flows, "\n") + "\n")
	}
	b.WriteString(strings.Join(summary, "\n") + "\n")
	out, errs, status := run(t, b.String())
	if status != 0 || errs != "" || len(records(t, out)) != 1200 {
		t.Errorf("%d %q %d records", status, errs, len(records(t, out)))
	}
}
