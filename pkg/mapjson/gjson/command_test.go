package gjson

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
		{"", "gjson: stdin: empty input: expected an rwstats or gstats table keyed by scc or dcc\n"},
		{"INPUT: 9 Records for 8 Bins and 85726 Total Bytes\nOUTPUT: Top 5 Bins by Bytes\n   sIP|sPort|   Bytes|  %Bytes| cumul_%|\n", "gjson: stdin: line 3: no country column: titles are sIP, sPort, Bytes, %Bytes, cumul_%; run gstats or rwstats with --fields=scc or --fields=dcc\n"},
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
