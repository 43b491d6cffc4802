package gjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/mapjson"
)

const table = `INPUT: 40 Records for 4 Bins and 1000 Total Bytes
OUTPUT: Top 4 Bins by Bytes
scc|               Bytes|    %Bytes|   cumul_%|
 ch|                 600| 60.000000| 60.000000|
 --|                 200| 20.000000| 80.000000|
 hk|                 150| 15.000000| 95.000000|
 a2|                  50|  5.000000|100.000000|
`

func init() {
	now = func() time.Time { return time.Date(2026, 6, 18, 7, 0, 0, 0, time.UTC) }
}

// gjson runs the tool in-process and returns its exit status, stdout and
// stderr.
func gjson(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	io := cli.IO{In: strings.NewReader(stdin), Out: &out, Err: &errb}
	status := cli.Run(NewCommand(io), args, io)
	return status, out.String(), errb.String()
}

func TestStdinToStdout(t *testing.T) {
	status, out, errs := gjson(t, table)
	if status != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", status, errs)
	}
	var d mapjson.Document
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Generated != "2026-06-18T07:00:00Z" || d.Key != "scc" || d.Total != 1000 || len(d.Rows) != 2 ||
		d.Rows[0].Code != "CH" || d.Rows[1].Name != "Hong Kong" || d.NoCountry.Percent != 20 || d.Special[0].Code != "A2" {
		t.Errorf("document: %s", out)
	}
}

func TestHighmapsFormatFromFile(t *testing.T) {
	in := filepath.Join(t.TempDir(), "table.txt")
	if err := os.WriteFile(in, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	status, out, errs := gjson(t, "", "--form=highmaps", in) // a unique prefix of --format
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	want := `[{"code":"CH","name":"Switzerland","z":600,"value":60},{"code":"HK","name":"Hong Kong","z":150,"value":15}]` + "\n"
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestNoTitlesHints(t *testing.T) {
	status, out, errs := gjson(t, "ch,600,60.000000,60.000000\nhk,150,15.000000,75.000000\n", "--key=dcc", "--value-col=Bytes")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	var d mapjson.Document
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Key != "dcc" || d.ValueName != "Bytes" || d.Total != 1000 || d.TotalSource != "percent" {
		t.Errorf("%+v", d)
	}
}

// Bad input: one error line naming the line, status 1, and the previous
// --output file left as it was.
func TestBadInputKeepsOutput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "data.json")
	if err := os.WriteFile(out, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, msg string }{
		{"dcc|Bytes|\nch|12|\nhk|twelve|\n", `gjson: stdin: line 3: "twelve" is not a count; gjson reads tables keyed by scc or dcc alone` + "\n"},
		{"", "gjson: stdin: the input was empty; the command before it probably failed\n" +
			"gjson: hint: gjson reads a table such as gstats --fields=scc --values=bytes prints; with --no-titles gstats prints nothing for a period without traffic\n"},
		{"INPUT: 9 Records for 8 Bins and 85726 Total Bytes\nOUTPUT: Top 5 Bins by Bytes\n   sIP|sPort|   Bytes|  %Bytes| cumul_%|\n", "gjson: stdin: line 3: no country column: titles are sIP, sPort, Bytes, %Bytes, cumul_%\n" +
			"gjson: hint: gjson draws a table keyed by the country alone: gstats --fields=scc --values=bytes (or --fields=dcc)\n"},
		{"INPUT: 9 Records for 8 Bins and 85726 Total Bytes\nOUTPUT: Top 5 Bins by Bytes\nscc|sPort|   Bytes|  %Bytes| cumul_%|\n ch|  443|   64000| 74.656464| 74.656464|\n",
			"gjson: stdin: line 3: the table is keyed by scc and sPort: bubbles need the country alone\n" +
				"gjson: hint: gjson draws a table keyed by the country alone: gstats --fields=scc --values=bytes (or --fields=dcc)\n"},
		{"            sIP|scc|     bytes|\n       10.0.0.1| ch|       100|\n",
			"gjson: stdin: line 1: a flow listing (gcut or rwcut, titles sIP, scc, bytes), not a table keyed by country\n" +
				"gjson: hint: gjson draws a table keyed by the country alone: gstats --fields=scc --values=bytes (or --fields=dcc)\n"},
	} {
		status, stdout, errs := gjson(t, tc.in, "--output="+out)
		if status != 1 || errs != tc.msg || stdout != "" {
			t.Errorf("status %d, stderr %q, want 1 and %q", status, errs, tc.msg)
		}
		if b, _ := os.ReadFile(out); string(b) != "previous" {
			t.Errorf("output replaced on bad input: %q", b)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d files in the output folder, want 1", len(ents))
	}

	status, _, errs := gjson(t, table, "--output="+out)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	if b, _ := os.ReadFile(out); !bytes.HasPrefix(b, []byte("{\n  \"generated\"")) {
		t.Errorf("output not replaced: %.40q", b)
	}
}

func TestHTML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "www")
	if status, _, errs := gjson(t, "", "--html="+dir, "--page-only"); status != 0 {
		t.Fatalf("--page-only: %s", errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data.json")); err == nil {
		t.Error("--page-only wrote data")
	}
	status, out, errs := gjson(t, table, "--html="+dir)
	if status != 0 || out != "" {
		t.Fatalf("status %d, stdout %q, stderr %s", status, out, errs)
	}
	j, err := os.ReadFile(filepath.Join(dir, "data.json"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(dir, "data.js"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "window.gflowData = " + strings.TrimSpace(string(j)) + ";\n"; string(js) != want {
		t.Error("data.js does not hold data.json")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--format=csv"}, `gjson: invalid --format "csv": want json or highmaps`},
		{[]string{"--key=sip"}, `gjson: invalid --key "sip": want scc or dcc`},
		{[]string{"--page-only"}, "gjson: --page-only needs --html=DIR"},
		{[]string{"a", "b"}, "gjson: "},
		{[]string{"/nonexistent/table.txt"}, "gjson: open /nonexistent/table.txt: no such file or directory"},
		{[]string{"--output=/nonexistent/map/data.json"}, "gjson: cannot write /nonexistent/map/data.json: the folder /nonexistent/map does not exist\n" +
			"gjson: hint: write the page there first (gjson --html=/nonexistent/map --page-only) or create the folder\n"},
	} {
		status, _, errs := gjson(t, table, tc.args...)
		if status != 1 || !strings.HasPrefix(errs, tc.msg) {
			t.Errorf("%v: status %d, stderr %q, want 1 and %q", tc.args, status, errs, tc.msg)
		}
	}
}

func TestVersionCreditsMapData(t *testing.T) {
	status, out, _ := gjson(t, "", "--version")
	if status != 0 || !strings.Contains(out, "Natural Earth") || !strings.Contains(out, "d3-geo 3.1.2") {
		t.Errorf("status %d, --version:\n%s", status, out)
	}
}

// The cron line on a quiet hour: gstats' table without rows is a valid
// empty map with a note, exit status 0 and nothing on stderr.
func TestEmptyPeriod(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "data.json")
	for _, in := range []string{
		"INPUT: 0 Records for 0 Bins\nOUTPUT: Top 50 Bins by Bytes\nscc|               Bytes|    %Bytes|   cumul_%|\n",
		"INPUT: 0 Records for 0 Bins\nOUTPUT: No bins above threshold of 5 Bytes\n",
	} {
		status, stdout, errs := gjson(t, in, "--output="+out)
		if status != 0 || stdout != "" || errs != "" {
			t.Fatalf("status %d, stdout %q, stderr %q", status, stdout, errs)
		}
		var d mapjson.Document
		b, _ := os.ReadFile(out)
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Rows) != 0 || d.Note != "no traffic in this period" || d.ValueName != "Bytes" || d.Total != 0 {
			t.Errorf("empty map: %s", b)
		}
	}
}

// --output beside the page keeps the page's file:// companion current:
// after gjson --html=DIR --page-only and gjson --output=DIR/data.json,
// DIR/data.js holds the same data. Elsewhere no companion is written.
func TestOutputBesideThePage(t *testing.T) {
	dir := t.TempDir()
	if status, _, errs := gjson(t, "", "--html="+dir, "--page-only"); status != 0 {
		t.Fatal(errs)
	}
	for _, name := range []string{"data.json", "hour.json"} {
		if status, _, errs := gjson(t, table, "--output="+filepath.Join(dir, name)); status != 0 {
			t.Fatal(errs)
		}
		j, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		js, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, ".json")+".js"))
		if err != nil {
			t.Fatalf("no companion script for %s: %v", name, err)
		}
		if want := "window.gflowData = " + strings.TrimSpace(string(j)) + ";\n"; string(js) != want {
			t.Errorf("%s's companion does not hold its data", name)
		}
	}
	other := t.TempDir()
	if status, _, errs := gjson(t, table, "--output="+filepath.Join(other, "data.json")); status != 0 {
		t.Fatal(errs)
	}
	if _, err := os.Stat(filepath.Join(other, "data.js")); err == nil {
		t.Error("a companion script was written where there is no page")
	}
}

// Files follow the umask, as with any Unix tool: a web server's group may
// be meant to read them, or nobody else.
func TestFilesFollowTheUmask(t *testing.T) {
	for _, tc := range []struct {
		umask int
		want  os.FileMode
	}{{0o002, 0o664}, {0o022, 0o644}, {0o027, 0o640}, {0o077, 0o600}} {
		dir := t.TempDir()
		old := syscall.Umask(tc.umask)
		status, _, errs := gjson(t, table, "--html="+filepath.Join(dir, "map"), "--output="+filepath.Join(dir, "out.json"))
		syscall.Umask(old)
		if status != 0 {
			t.Fatal(errs)
		}
		for _, f := range []string{"out.json", "map/data.json", "map/data.js", "map/index.html", "map/vendor/d3-geo.min.js"} {
			fi, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tc.want {
				t.Errorf("umask %03o: %s has mode %03o, want %03o", tc.umask, f, fi.Mode().Perm(), tc.want)
			}
		}
		if fi, _ := os.Stat(filepath.Join(dir, "map", "vendor")); fi.Mode().Perm() != tc.want|0o111&^os.FileMode(tc.umask) {
			t.Errorf("umask %03o: folder mode %03o", tc.umask, fi.Mode().Perm())
		}
	}
}

func TestDataOrigin(t *testing.T) {
	dir := t.TempDir()
	if status, _, errs := gjson(t, "", "--html="+dir, "--page-only", "--data-origin=https://Stats.Example.org:8443"); status != 0 {
		t.Fatal(errs)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !bytes.Contains(html, []byte("connect-src 'self' https://stats.example.org:8443\"")) ||
		!bytes.Contains(html, []byte(`<meta name="gflow-data-origins" content="https://stats.example.org:8443">`)) {
		t.Errorf("index.html does not name the origin:\n%s", html)
	}
	for _, bad := range []string{"stats.example.org", "ftp://x", "https://x/path/", `https://x" onload="`, "https://a b"} {
		if status, _, errs := gjson(t, "", "--html="+dir, "--page-only", "--data-origin="+bad); status != 1 || !strings.Contains(errs, "invalid data origin") {
			t.Errorf("--data-origin=%s: status %d %q", bad, status, errs)
		}
	}
	if status, _, errs := gjson(t, table, "--data-origin=https://x"); status != 1 || !strings.Contains(errs, "--data-origin applies to the page") {
		t.Errorf("--data-origin without --html: status %d %q", status, errs)
	}
}

// A table by country and AS number without names: gjson names the
// networks from the AS database, as gstats would print them.
func TestNetworksNamedFromTheASDatabase(t *testing.T) {
	t.Setenv("GFLOW_ASN_DB", "")
	t.Setenv("GFLOW_SITE_CONFIG", "")
	t.Setenv("GFLOW_DATA_ROOTDIR", t.TempDir())
	in := `INPUT: 9 Records for 3 Bins and 1000 Total Bytes
OUTPUT: Top 3 Bins by Bytes
scc|       sAS|               Bytes|    %Bytes|   cumul_%|
 us|     13335|                 600| 60.000000| 60.000000|
 us|     16509|                 300| 30.000000| 90.000000|
 --|         0|                 100| 10.000000|100.000000|
`
	status, out, errs := gjson(t, in)
	if status != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", status, errs)
	}
	var d mapjson.Document
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	want := []mapjson.Network{{AS: 13335, Name: "Cloudflare, Inc.", Value: 600, Percent: 60},
		{AS: 16509, Name: "Amazon.com, Inc.", Value: 300, Percent: 30}}
	if len(d.Rows) != 1 || d.Rows[0].Value != 900 || fmt.Sprint(d.Rows[0].Networks) != fmt.Sprint(want) {
		t.Errorf("rows %+v, want US 900 with networks %+v", d.Rows, want)
	}
	// a missing database is one clear error naming it
	status, _, errs = gjson(t, in, "--asn-db=/nonexistent/GeoLite2-ASN.mmdb")
	if status != 1 || errs != "gjson: AS database: open /nonexistent/GeoLite2-ASN.mmdb: no such file or directory\n" {
		t.Errorf("missing --asn-db: status %d, stderr %q", status, errs)
	} // also for a table by country alone, which needs no names
	byCountry := `INPUT: 9 Records for 2 Bins and 1000 Total Bytes
OUTPUT: Top 2 Bins by Bytes
scc|               Bytes|    %Bytes|   cumul_%|
 us|                 900| 90.000000| 90.000000|
 --|                 100| 10.000000|100.000000|
`
	status, _, errs = gjson(t, byCountry, "--asn-db=/nonexistent/GeoLite2-ASN.mmdb")
	if status != 1 || errs != "gjson: AS database: open /nonexistent/GeoLite2-ASN.mmdb: no such file or directory\n" {
		t.Errorf("missing --asn-db, table by country: status %d, stderr %q", status, errs)
	}
}
