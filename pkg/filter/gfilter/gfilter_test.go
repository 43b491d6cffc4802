package gfilter

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/filter/internal/fixture"
	"github.com/gflow/gflow/pkg/flowfile"
)

// gf runs gfilter in-process and returns stdout, stderr and the status.
func gf(t *testing.T, args ...string) ([]byte, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	status := cli.Run(NewCommand(std), args, std)
	return out.Bytes(), errb.String(), status
}

// readStream returns the records of a binary stream.
func readStream(t *testing.T, b []byte) []flowfile.Record {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output is not a flow stream: %v", err)
	}
	var recs []flowfile.Record
	for {
		blk, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			return recs
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, blk...)
	}
}

func fixtureFlows(t *testing.T) []flowfile.Record {
	return fixture.Load(t, "../testdata/flows.txt")
}

// writeStream writes recs as a stream file, blockRecs records per block.
func writeStream(t *testing.T, path string, recs []flowfile.Record, blockRecs int) {
	t.Helper()
	w, err := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
	if err != nil {
		t.Fatal(err)
	}
	if blockRecs > 0 {
		w.SetBlockRecords(blockRecs)
	}
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

const siteTOML = `
[[sensors]]
name = "S0"
id = 0

[[sensors]]
name = "S1"
id = 1
exporters = ["192.0.2.1/32"]
`

// writeRepo writes recs into hourly files under root, by type, sensor and
// hour, and a site configuration naming sensors S0 and S1.
func writeRepo(t *testing.T, root string, recs []flowfile.Record) {
	t.Helper()
	type key struct {
		t    flowfile.FlowType
		s    uint16
		hour int64
	}
	groups := map[key][]flowfile.Record{}
	var order []key
	for _, r := range recs {
		k := key{r.Type, r.Sensor, r.STime / 3600000}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	repo := flowfile.Repo{Root: root}
	for _, k := range order {
		hour := time.UnixMilli(k.hour * 3600000).UTC()
		name := []string{"S0", "S1"}[k.s]
		p := repo.Path(k.t, name, hour)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		w, err := flowfile.Create(p, flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd,
			Type: k.t, SensorID: k.s, Sensor: name, Hour: hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteBlock(groups[k]); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "gflow.toml"), []byte(siteTOML), 0o644); err != nil {
		t.Fatal(err)
	}
}

func statsLine(files, read, pass int) string {
	return strings.TrimSpace(strings.Join([]string{
		"Files " + pad(files, 5) + ".  Read " + pad(read, 10) + ".  Pass " + pad(pass, 10) + ". Fail  " + pad(read-pass, 10) + ".",
	}, ""))
}

func pad(n, w int) string {
	s := strings.Repeat(" ", w) + itoa(n)
	return s[len(s)-w:]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestFileInputs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.gf")
	writeStream(t, file, fixtureFlows(t), 0)
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"--proto=6", "--dport=443"}, 15},
		{[]string{"--pro=6", "--dp=443"}, 15}, // unique prefixes
		{[]string{"--type=in"}, 60},
		{[]string{"--type=in,inweb"}, 94},
		{[]string{"--flowtypes=all/out"}, 51},
		{[]string{"--class=all", "--type=all"}, 200},
		{[]string{"--sensors=1"}, 101},
		{[]string{"--sensors=S1", "--site-config-file=" + writeSite(t, dir)}, 101},
		{[]string{"--sensors=0-1", "--type=in"}, 60},
		{[]string{"--scc=us"}, 40},
		{[]string{"--saddress=2001:db8:1::x"}, 21},
	}
	for _, c := range cases {
		out, errs, status := gf(t, append(c.args, "--pass=stdout", file)...)
		if status != 0 {
			t.Errorf("%v: status %d: %s", c.args, status, errs)
			continue
		}
		if n := len(readStream(t, out)); n != c.want {
			t.Errorf("%v: %d records, want %d", c.args, n, c.want)
		}
	}
}

func writeSite(t *testing.T, dir string) string {
	p := filepath.Join(dir, "site.toml")
	if err := os.WriteFile(p, []byte(siteTOML), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPassFailAllAndLimits(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.gf")
	writeStream(t, file, fixtureFlows(t), 64)
	pass, fail, all := filepath.Join(dir, "pass"), filepath.Join(dir, "fail"), filepath.Join(dir, "all")
	_, errs, status := gf(t, "--proto=6", "--pass="+pass, "--fail="+fail, "--all="+all, file)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	for p, want := range map[string]int{pass: 126, fail: 74, all: 200} {
		b, _ := os.ReadFile(p)
		if n := len(readStream(t, b)); n != want {
			t.Errorf("%s: %d records, want %d", filepath.Base(p), n, want)
		}
	}
	// an existing file is not overwritten
	_, errs, status = gf(t, "--proto=6", "--pass="+pass, file)
	if status != 1 || !strings.Contains(errs, pass) {
		t.Errorf("existing output: status %d, %q", status, errs)
	}
	t.Setenv("GFLOW_CLOBBER", "1")
	if _, errs, status = gf(t, "--proto=17", "--pass="+pass, file); status != 0 {
		t.Errorf("GFLOW_CLOBBER: status %d: %s", status, errs)
	}
	b, _ := os.ReadFile(pass)
	if n := len(readStream(t, b)); n != 48 {
		t.Errorf("clobbered pass file: %d records, want 48", n)
	}

	out, _, _ := gf(t, "--proto=6", "--max-pass-records=10", "--pass=stdout", file)
	if n := len(readStream(t, out)); n != 10 {
		t.Errorf("--max-pass-records=10: %d records", n)
	}
	out, _, _ = gf(t, "--proto=6", "--max-fail-records=7", "--fail=stdout", file)
	if n := len(readStream(t, out)); n != 7 {
		t.Errorf("--max-fail-records=7: %d records", n)
	}
}

func TestStatistics(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.gf")
	writeStream(t, file, fixtureFlows(t), 0)
	_, errs, status := gf(t, "--proto=6", "--dport=443", "--print-stat", file)
	if status != 0 || errs != "Files     1.  Read        200.  Pass         15. Fail         185.\n" {
		t.Errorf("--print-statistics: status %d, %q", status, errs)
	}
	// the sums were worked out with awk over flows.txt
	_, errs, _ = gf(t, "--proto=6", "--dport=443", "--print-volume-statistics", file, file)
	want := "     |              Recs|           Packets|               Bytes|     Files|\n" +
		"Total|               400|          13085032|         19442138856|         2|\n" +
		" Pass|                30|             61356|            50304862|          |\n" +
		" Fail|               370|          13023676|         19391833994|          |\n"
	if errs != want {
		t.Errorf("--print-volume-statistics:\n%s\nwant\n%s", errs, want)
	}
	statsFile := filepath.Join(dir, "stats.txt")
	if _, errs, status = gf(t, "--proto=0-255", "--print-statistics="+statsFile, file); status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	if b, _ := os.ReadFile(statsFile); string(b) != statsLine(1, 200, 200)+"\n" {
		t.Errorf("--print-statistics=PATH wrote %q", b)
	}
}

func TestRepository(t *testing.T) {
	root := t.TempDir()
	writeRepo(t, root, fixtureFlows(t))
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"--start-date=2015/10/09"}, 94}, // default types: in, inweb, inicmp
		{[]string{"--start-date=2015/10/09", "--type=all"}, 200},
		{[]string{"--start-date=2015/10/09:00", "--type=all"}, 90},
		{[]string{"--start-date=2015/10/09:01", "--type=all"}, 110},
		{[]string{"--start-date=2015/10/09", "--type=out", "--sensors=S1"}, 0 + countTypeSensor(t, flowfile.TypeOut, 1)},
		{[]string{"--start-date=2015/10/09", "--flowtypes=all/out,all/outweb"}, 83},
		{[]string{"--start-date=2015/10/09", "--type=all", "--proto=6", "--dport=443"}, 15},
	}
	for _, c := range cases {
		_, errs, status := gf(t, append(c.args, "--data-rootdir="+root, "--print-stat")...)
		if status != 0 {
			t.Errorf("%v: status %d: %s", c.args, status, errs)
			continue
		}
		fields := strings.Fields(errs)
		if len(fields) < 6 || fields[5] != itoa(c.want)+"." {
			t.Errorf("%v: %q, want %d passing", c.args, errs, c.want)
		}
	}
	// GFLOW_DATA_ROOTDIR is the default root
	t.Setenv("GFLOW_DATA_ROOTDIR", root)
	out, errs, status := gf(t, "--start-date=2015/10/09:00", "--type=inweb", "--dry-run", "--all=stdout")
	want := filepath.Join(root, "inweb/2015/10/09/iw-S0_20151009.00") + "\n" + filepath.Join(root, "inweb/2015/10/09/iw-S1_20151009.00") + "\n"
	if status != 0 || string(out) != want {
		t.Errorf("--dry-run: status %d %s\n%s\nwant\n%s", status, errs, out, want)
	}
	_, errs, _ = gf(t, "--start-date=2015/10/09:05", "--type=inweb", "--sensors=S0,S1", "--print-missing-files", "--print-stat")
	if !strings.Contains(errs, "Missing "+filepath.Join(root, "inweb/2015/10/09/iw-S1_20151009.05")+"\n") {
		t.Errorf("--print-missing-files: %q", errs)
	}
	// a sensor the site does not have, and of which the repository has no
	// file, is a mistake: the error lists the site's sensors
	_, errs, status = gf(t, "--start-date=2015/10/09:00", "--type=inweb", "--sensors=S0,S2", "--print-stat")
	if want := "gfilter: Invalid sensors 'S2': unknown sensor\ngfilter: hint: the sensors in " + filepath.Join(root, "gflow.toml") +
		" are S0 (0), S1 (1)\n"; status != 1 || errs != want {
		t.Errorf("unknown sensor: status %d\n%s\nwant\n%s", status, errs, want)
	}
}

// countTypeSensor counts fixture flows of one type and sensor, to check
// the repository against the flows written into it.
func countTypeSensor(t *testing.T, ty flowfile.FlowType, s uint16) int {
	n := 0
	for _, r := range fixtureFlows(t) {
		if r.Type == ty && r.Sensor == s {
			n++
		}
	}
	return n
}

// One flow of type in at each of these hours, across day, month and year
// boundaries.
var boundaryHours = []string{
	"2015-09-30T22:00:00Z", "2015-09-30T23:00:00Z", "2015-10-01T00:00:00Z", "2015-10-01T01:00:00Z",
	"2015-10-01T23:00:00Z", "2015-10-02T00:00:00Z", "2015-12-31T23:00:00Z", "2016-01-01T00:00:00Z",
}

func TestDateSelection(t *testing.T) {
	root := t.TempDir()
	var recs []flowfile.Record
	for _, h := range boundaryHours {
		tm, _ := time.Parse(time.RFC3339, h)
		r := fixtureFlows(t)[0]
		r.Type = flowfile.TypeIn
		r.Sensor = 0
		r.STime = tm.UnixMilli() + 1234
		r.ETime = r.STime + 10
		recs = append(recs, r)
	}
	writeRepo(t, root, recs)
	cases := []struct {
		start, end string
		want       int
	}{
		{"2015/09/30:23", "2015/10/01:00", 2}, // hour to hour across a month
		{"2015/09/30", "2015/10/01:05", 5},    // day precision: end's hour ignored
		{"2015/10/01:23", "2015/10/02", 2},    // end day takes start's hour: 10/01:23..10/02:23
		{"2015/10/01:01", "2015/10/02", 3},    // 10/01:01..10/02:01
		{"2015/10/01", "", 3},                 // the whole day
		{"2015/10/01:23", "", 1},              // one hour
		{"2015/10/01T00", "2015/10/01T00", 1}, // T for :
		{"2015/12/31:23", "2016/01/01:00", 2}, // across a year
		{"2015/12/31", "2016/01/01", 2},       // days across a year
		{"1443657600", "", 3},                 // epoch at midnight: the day 2015/10/01
		{"1443657600", "1443661200", 2},       // epoch end: hours 00..01
		{"1443661200", "", 1},                 // epoch not at midnight: one hour
		{"1443571200", "2015/10/01", 5},       // epoch at midnight, text end: days 09/30..10/01
		{"2015/11/01", "2015/11/30", 0},       // nothing there
	}
	for _, c := range cases {
		args := []string{"--data-rootdir=" + root, "--start-date=" + c.start, "--print-stat"}
		if c.end != "" {
			args = append(args, "--end-date="+c.end)
		}
		_, errs, status := gf(t, args...)
		fields := strings.Fields(errs)
		if status != 0 || len(fields) < 4 || fields[3] != itoa(c.want)+"." {
			t.Errorf("%s..%s: status %d %q, want %d read", c.start, c.end, status, errs, c.want)
		}
	}
	// no dates: the current day
	now = func() time.Time { return time.Date(2015, 10, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { now = time.Now }()
	_, errs, _ := gf(t, "--data-rootdir="+root, "--type=in", "--print-stat")
	if !strings.HasPrefix(errs, "Files     3.  Read          3.") {
		t.Errorf("no dates: %q", errs)
	}
}

func TestEmptyRepositoryAndMissingRoot(t *testing.T) {
	root := t.TempDir()
	_, errs, status := gf(t, "--data-rootdir="+root, "--start-date=2015/10/09", "--type=all", "--print-stat")
	if status != 0 || errs != statsLine(0, 0, 0)+"\n" {
		t.Errorf("empty repository: status %d, %q", status, errs)
	}
	_, errs, status = gf(t, "--data-rootdir=/nonexistent/gflow", "--start-date=2015/10/09", "--print-stat")
	if status != 1 || errs != "gfilter: Root data directory '/nonexistent/gflow' does not exist\n"+
		"gfilter: hint: name the repository with --data-rootdir=DIR or GFLOW_DATA_ROOTDIR=DIR, or name flow files on the command line\n" {
		t.Errorf("missing root: status %d, %q", status, errs)
	}
	// someone at a terminal is told why nothing came; a pipe is not
	isTerminal = func(any) bool { return true }
	defer func() { isTerminal = cli.IsTerminal }()
	_, errs, status = gf(t, "--data-rootdir="+root, "--start-date=2015/10/09", "--print-stat")
	if want := "gfilter: warning: no files of types in,inweb,inicmp in " + root + " for 2015/10/09\n" + statsLine(0, 0, 0) + "\n"; status != 0 || errs != want {
		t.Errorf("empty repository on a terminal: status %d\n%q\nwant\n%q", status, errs, want)
	}
}

func TestCorruptFileInTheMiddle(t *testing.T) {
	dir := t.TempDir()
	recs := fixtureFlows(t)
	a, b, c := filepath.Join(dir, "a.gf"), filepath.Join(dir, "b.gf"), filepath.Join(dir, "c.gf")
	writeStream(t, a, recs, 50)
	writeStream(t, b, recs, 50)
	writeStream(t, c, recs, 50)
	// damage the middle of b's second block (of four)
	data, _ := os.ReadFile(b)
	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	r.NextBlock()
	r.NextBlock()
	off := r.Summary().Offset
	end := r.Offset()
	data[off+(end-off)*3/4] ^= 0xff
	if err := os.WriteFile(b, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, status := gf(t, "--proto=0-255", "--pass=stdout", a, b, c)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	if n := len(readStream(t, out)); n != 550 {
		t.Errorf("%d records passed, want 550 (one block of 50 lost)", n)
	}
	if !strings.HasPrefix(errs, "gfilter: warning: ") || !strings.Contains(errs, b) || !strings.Contains(errs, "offset "+itoa(int(off))) || strings.Count(errs, "\n") != 1 {
		t.Errorf("warning should name %s and offset %d in one line: %q", b, off, errs)
	}
}

// Errors read as rwfilter's: its lines word for word (a bad partitioning
// value is followed by "Error processing --SWITCH option: 'VALUE'", an
// error in the switches by the usage line), gflow's hint after them.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.gf")
	writeStream(t, file, fixtureFlows(t), 0)
	const use = "Use 'gfilter --help' for usage"
	countries := "'gfilter --help-countries' lists the codes"
	cases := []struct {
		args  []string
		lines []string // stderr, "gfilter: " left out; "hint: ..." for the hint
	}{
		{[]string{"--fail=stdout", file}, []string{"Must specify partitioning rules when using --fail-destination",
			"hint: with no partitioning switch every record passes; add one, e.g. --proto=6 --fail=FILE"}},
		{[]string{"--proto=256", "--pass=stdout", file}, []string{"Invalid protocol: Value is above maximum of 255",
			"Error processing --protocol option: '256'", use}},
		{[]string{"--dport=-1024", "--pass=stdout", file}, []string{"Invalid dport: Unexpected character at '-'",
			"Error processing --dport option: '-1024'", use}},
		{[]string{"--bytes=10-5", "--pass=stdout", file}, []string{"Invalid bytes '10-5': Range is invalid (min > max)",
			"Error processing --bytes option: '10-5'", use}},
		{[]string{"--scc=usa", "--pass=stdout", file}, []string{"Invalid scc 'usa'", "Error processing --scc option: 'usa'",
			"hint: did you mean --scc=us (United States)? " + countries, use}},
		{[]string{"--scc=uk", file}, []string{"Invalid scc 'uk': Not a country code", "Error processing --scc option: 'uk'",
			"hint: did you mean --scc=gb (United Kingdom)? " + countries, use}},
		{[]string{"--dcc=switzerland", file}, []string{"Invalid dcc 'switzerland'", "Error processing --dcc option: 'switzerland'",
			"hint: did you mean --dcc=ch (Switzerland)? " + countries, use}},
		{[]string{"--any-cc=xx", file}, []string{"Invalid any-cc 'xx': Not a country code", "Error processing --any-cc option: 'xx'",
			"hint: " + countries, use}},
		{[]string{"--saddress=0.0.0.0/0", file}, []string{"Error processing --saddress option: '0.0.0.0/0'",
			"hint: a /0 block holds every address: leave --saddress out, or give the wildcard x.x.x.x (every IPv4 address)", use}},
		{[]string{"--saddress=10.0.0.1", "--not-saddress=10.0.0.2", "--pass=stdout", file},
			[]string{"A --saddress filter has already been set; only one of --not-saddress and --saddress are allowed", use}},
		{[]string{"--proto=6", "--icmp-type=8", "--pass=stdout", file},
			[]string{"An --icmp-type value was given but --protocol does not include 1 or 58", use}},
		{[]string{"--proto=6", "--pass=stdout", "--start-date=2015/10/09", file}, []string{"Multiple input sources were specified: input must come from only one of --xargs, file names on the command line, or a combination of the file selection switches"}},
		{[]string{"--proto=6", "--data-rootdir=" + filepath.Join(dir, "none")}, []string{"Root data directory '" + filepath.Join(dir, "none") + "' does not exist",
			"hint: name the repository with --data-rootdir=DIR or GFLOW_DATA_ROOTDIR=DIR, or name flow files on the command line"}},
		{[]string{"--proto=6", "--pass=stdout", "--end-date=2015/10/09"}, []string{"Cannot use --end-date without --start-date"}},
		{[]string{"--proto=6", "--pass=stdout", "--start-date=2015/10/32"}, []string{"Invalid start-date '2015/10/32': Day value (32) out of range: use 1 <= day <= 31",
			"hint: dates are YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC (--start-date=2015/10/01)"}},
		{[]string{"--start-date=12/03/2026"}, []string{"Invalid start-date '12/03/2026': Year value (12) out of range: use 1970 <= year <= 2039",
			"hint: dates are YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC (--start-date=2015/10/01)"}},
		{[]string{"--stime=2015-10-09T25", file}, []string{"Invalid stime '2015-10-09T25': Hour value (25) out of range: use 0 <= hour <= 23",
			"Error processing --stime option: '2015-10-09T25'",
			"hint: a window is START[-END], each YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC to the millisecond, or epoch seconds", use}},
		{[]string{"--proto=6", "--pass=stdout", "--type=inn", file}, []string{"Invalid type 'inn': valid types are all,in,out,inweb,outweb,innull,outnull,int2int,ext2ext,inicmp,outicmp,other"}},
		{[]string{"--proto=6", "--pass=stdout", "--class=foo", file}, []string{"Invalid class 'foo': the only class is 'all'"}},
		{[]string{"--proto=6", "--pass=stdout", "--sensors=S9", file}, []string{"Invalid sensors 'S9': unknown sensor",
			"hint: the sensors in the default site (no gflow.toml) are S0 (0)"}},
		{[]string{"--proto=6", "--pass=stdout", "--flowtypes=all/in", "--type=in", file}, []string{"Cannot use --flowtypes when either --class or --type are specified"}},
		{[]string{"--proto=6", "--pass=stdout", filepath.Join(dir, "nope")}, []string{"Error opening file '" + filepath.Join(dir, "nope") + "': No such file or directory"}},
		{[]string{"--print-stat", "--print-volume-stat", file}, []string{"Cannot use --print-statistics and --print-volume-statistics together"}},
		{[]string{"--proto=6", "--pass=stdout", "--fail=-", file}, []string{"The destination '-' is named more than once; each destination takes one stream"}},
		{[]string{"--proto=6", "--max-pass-records=abc", "--pass=stdout", file}, []string{"Invalid max-pass-records 'abc': Unexpected character 'a'", use}},
		{[]string{"--proto=6", "--threads=0", "--pass=stdout", file}, []string{"Invalid threads '0': Value is below minimum of 1", use}},
	}
	now = func() time.Time { return time.Date(2015, 10, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { now = time.Now }()
	t.Setenv("GFLOW_SITE_CONFIG", "")
	for _, c := range cases {
		out, errs, status := gf(t, c.args...)
		var want strings.Builder
		for _, l := range c.lines {
			if l != use {
				want.WriteString("gfilter: ")
			}
			want.WriteString(l + "\n")
		}
		if status != 1 || errs != want.String() {
			t.Errorf("%v: status %d, stderr\n%s\nwant\n%s", c.args, status, errs, want.String())
		}
		if len(out) != 0 {
			t.Errorf("%v: wrote %d bytes on stdout", c.args, len(out))
		}
	}
}

func TestStdinAndXargs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.gf")
	writeStream(t, file, fixtureFlows(t), 0)
	data, _ := os.ReadFile(file)
	for _, name := range []string{"stdin", "-"} {
		var out, errb bytes.Buffer
		std := cli.IO{In: bytes.NewReader(data), Out: &out, Err: &errb}
		if status := cli.Run(NewCommand(std), []string{"--proto=17", "--pass=stdout", name}, std); status != 0 {
			t.Fatalf("%s: status %d: %s", name, status, errb.String())
		}
		if n := len(readStream(t, out.Bytes())); n != 48 {
			t.Errorf("%s: %d records, want 48", name, n)
		}
	}
	list := filepath.Join(dir, "list")
	os.WriteFile(list, []byte(file+"\n\n"+file+"\n"), 0o644)
	_, errs, status := gf(t, "--xargs="+list, "--proto=17", "--print-stat")
	if status != 0 || errs != statsLine(2, 400, 96)+"\n" {
		t.Errorf("--xargs=FILE: status %d, %q", status, errs)
	}
	var out, errb bytes.Buffer
	std := cli.IO{In: strings.NewReader(file + "\n"), Out: &out, Err: &errb}
	if status := cli.Run(NewCommand(std), []string{"--xargs", "--proto=17", "--print-stat"}, std); status != 0 || errb.String() != statsLine(1, 200, 48)+"\n" {
		t.Errorf("--xargs from stdin: status %d, %q", status, errb.String())
	}
	_, errs, _ = gf(t, "--xargs="+list, "--proto=17", "--print-filenames", "--print-stat")
	if errs != file+"\n"+file+"\n"+statsLine(2, 400, 96)+"\n" {
		t.Errorf("--print-filenames: %q", errs)
	}
	// --all-destination needs no partitioning switch
	out2, errs, status := gf(t, "--all=stdout", file)
	if status != 0 || len(readStream(t, out2)) != 200 {
		t.Errorf("--all=stdout alone: status %d, %s", status, errs)
	}
}

// Lanes (several goroutines decoding alternate blocks of one file) must
// give the same records in the same order as one reader, also when blocks
// are skipped by their summaries and when one is corrupt.
func TestLanesKeepOrder(t *testing.T) {
	dir := t.TempDir()
	recs := fixtureFlows(t)
	var many []flowfile.Record
	for i := range 20 {
		for _, r := range recs {
			r.Application = uint16(i) // tells the copies apart
			many = append(many, r)
		}
	}
	file := filepath.Join(dir, "many.gf")
	writeStream(t, file, many, 37) // 109 blocks, times out of order across blocks
	data, _ := os.ReadFile(file)
	rd, _ := flowfile.NewReader(bytes.NewReader(data))
	for range 12 {
		rd.NextBlock()
	}
	off, end := rd.Summary().Offset, rd.Offset()
	data[off+(end-off)/2] ^= 0x55
	bad := filepath.Join(dir, "bad.gf")
	os.WriteFile(bad, data, 0o644)
	for _, in := range []string{file, bad} {
		for _, args := range [][]string{
			{"--proto=6"},
			{"--stime=2015/10/09:00:30-2015/10/09:01:10"},
			{"--proto=0-255", "--print-volume-statistics=stderr"},
		} {
			one, errs1, st1 := gf(t, append(args, "--threads=1", "--pass=stdout", in)...)
			four, errs4, st4 := gf(t, append(args, "--threads=4", "--pass=stdout", in)...)
			if st1 != 0 || st4 != 0 || errs1 != errs4 {
				t.Errorf("%s %v: status %d/%d, stderr %q / %q", in, args, st1, st4, errs1, errs4)
			}
			a, b := readStream(t, one), readStream(t, four)
			if len(a) == 0 || len(a) != len(b) {
				t.Fatalf("%s %v: %d records with one lane, %d with four", in, args, len(a), len(b))
			}
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("%s %v: record %d differs", in, args, i)
				}
			}
			// the same bytes on standard input: one reader, blocks decoded in parallel
			raw, _ := os.ReadFile(in)
			var sout, serr bytes.Buffer
			std := cli.IO{In: bytes.NewReader(raw), Out: &sout, Err: &serr}
			st := cli.Run(NewCommand(std), append(args, "--threads=4", "--pass=stdout", "-"), std)
			c := readStream(t, sout.Bytes())
			wantErr := strings.ReplaceAll(errs1, in+":", "stdin:")
			if st != 0 || serr.String() != wantErr || len(c) != len(a) {
				t.Fatalf("%s %v on stdin: status %d, %d records (want %d), stderr %q want %q", in, args, st, len(c), len(a), serr.String(), wantErr)
			}
			for i := range a {
				if a[i] != c[i] {
					t.Fatalf("%s %v on stdin: record %d differs", in, args, i)
				}
			}
		}
	}
}

// gfIn is gf with stdin.
func gfIn(t *testing.T, stdin []byte, args ...string) ([]byte, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	status := cli.Run(NewCommand(std), args, std)
	return out.Bytes(), errb.String(), status
}

// selections counts the blocks of a stream that carry a selection.
func selections(t *testing.T, b []byte) int {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.BlockSelection() != nil {
			n++
		}
	}
}

// Into a pipe gfilter writes blocks with selections of the records that
// pass; a second gfilter reading them sees exactly those records, and a
// regular file gets the records alone.
func TestPipedSelections(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.gf")
	flows := fixtureFlows(t)
	writeStream(t, file, flows, 64)
	var tcp, tcpHigh, tcpLow []flowfile.Record
	for _, r := range flows {
		if r.Proto == 6 {
			tcp = append(tcp, r)
			if r.DPort >= 1024 {
				tcpHigh = append(tcpHigh, r)
			} else {
				tcpLow = append(tcpLow, r)
			}
		}
	}
	if len(tcpHigh) == 0 || len(tcpLow) == 0 {
		t.Fatal("fixture lacks TCP flows to high and low ports")
	}
	stage1, errs, status := gf(t, "--proto=6", "--pass=stdout", file)
	if status != 0 {
		t.Fatalf("stage 1: status %d: %s", status, errs)
	}
	sameFlows(t, "stage 1", readStream(t, stage1), tcp)
	if selections(t, stage1) == 0 {
		t.Error("stage 1: no block written with a selection into a pipe")
	}
	kept := filepath.Join(dir, "tcp.gf")
	if _, errs, status := gf(t, "--proto=6", "--pass="+kept, file); status != 0 {
		t.Fatalf("into a file: status %d: %s", status, errs)
	}
	b, _ := os.ReadFile(kept)
	sameFlows(t, "into a file", readStream(t, b), tcp)
	if n := selections(t, b); n != 0 {
		t.Errorf("into a regular file: %d blocks with selections, want records only", n)
	}

	failed := filepath.Join(dir, "low.gf")
	stage2, errs, status := gfIn(t, stage1, "--dport=1024-", "--pass=stdout", "--fail="+failed, "--print-stat=stderr", "stdin")
	if status != 0 {
		t.Fatalf("stage 2: status %d: %s", status, errs)
	}
	sameFlows(t, "stage 2 pass", readStream(t, stage2), tcpHigh)
	b, _ = os.ReadFile(failed)
	sameFlows(t, "stage 2 fail", readStream(t, b), tcpLow)
	if want := fmt.Sprintf("Read %10d.  Pass %10d. Fail  %10d.", len(tcp), len(tcpHigh), len(tcpLow)); !strings.Contains(errs, want) {
		t.Errorf("stage 2 statistics %q, want %q", errs, want)
	}
	// both destinations streams: the failing records are the ones the
	// input selected that did not pass
	stage3, errs, status := gfIn(t, stage1, "--dport=1024-", "--pass=/dev/null", "--fail=stdout", "stdin")
	if status != 0 {
		t.Fatalf("stage 3: status %d: %s", status, errs)
	}
	sameFlows(t, "stage 3 fail", readStream(t, stage3), tcpLow)
	if selections(t, stage3) == 0 {
		t.Error("stage 3: no block written with a selection into a pipe")
	}
}

func sameFlows(t *testing.T, what string, got, want []flowfile.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: record %d is %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// The command as people type it: no output switch into a pipe, no
// partitioning switch, no input switch.
func TestShortForms(t *testing.T) {
	root := t.TempDir()
	writeRepo(t, root, fixtureFlows(t))
	t.Setenv("GFLOW_DATA_ROOTDIR", root)
	t.Setenv("GFLOW_SITE_CONFIG", "")
	now = func() time.Time { return time.Date(2015, 10, 9, 17, 30, 0, 0, time.UTC) }
	defer func() { now = time.Now }()

	// gfilter | gstats: today's files of the default types, every record
	// passed to the pipe
	out, errs, status := gf(t)
	if status != 0 || errs != "" {
		t.Fatalf("gfilter with no switch: status %d, %q", status, errs)
	}
	if n := len(readStream(t, out)); n != 94 {
		t.Errorf("gfilter with no switch passed %d records, want today's 94 incoming", n)
	}
	// the same as rwfilter's full form
	full, errs, status := gf(t, "--start-date=2015/10/09", "--proto=0-255", "--pass=stdout")
	if status != 0 || !bytes.Equal(full, out) {
		t.Errorf("full form: status %d %q; output differs from the short form", status, errs)
	}
	// a test and no output switch
	out, _, _ = gf(t, "--type=all", "--proto=17")
	if n := len(readStream(t, out)); n != 48 {
		t.Errorf("--proto=17 with no output switch passed %d records, want 48", n)
	}
	// --pass with no partitioning switch passes everything
	out, _, _ = gf(t, "--start-date=2015/10/09:01", "--type=all", "--pass=stdout")
	if n := len(readStream(t, out)); n != 110 {
		t.Errorf("--pass=stdout without tests passed %d records, want the hour's 110", n)
	}
	// ISO dates select the same files as SiLK's
	iso, _, _ := gf(t, "--start-date=2015-10-09T01", "--type=all")
	if !bytes.Equal(iso, out) {
		t.Error("--start-date=2015-10-09T01 differs from --start-date=2015/10/09:01")
	}

	// on a terminal there is no binary output: gfilter says how to go on
	isTerminal = func(any) bool { return true }
	defer func() { isTerminal = cli.IsTerminal }()
	out, errs, status = gf(t, "--scc=ch")
	want := "gfilter: No output(s) specified\ngfilter: hint: pipe the flows into another tool (gfilter ... | gstats --fields=sip) or write them to a file with --pass=FILE\n"
	if status != 1 || errs != want || len(out) != 0 {
		t.Errorf("on a terminal: status %d, %d bytes out, stderr\n%s\nwant\n%s", status, len(out), errs, want)
	}
}

func TestHelpCountries(t *testing.T) {
	out, errs, status := gf(t, "--help-countries")
	if status != 0 || errs != "" {
		t.Fatalf("status %d %q", status, errs)
	}
	for _, line := range []string{"ch  Switzerland\n", "gb  United Kingdom\n", "--  No country\n"} {
		if !bytes.Contains(out, []byte(line)) {
			t.Errorf("--help-countries lacks %q", line)
		}
	}
}
