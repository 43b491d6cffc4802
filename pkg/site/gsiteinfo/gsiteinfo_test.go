package gsiteinfo_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/repogen"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site/gsiteinfo"
	"github.com/gflow/gflow/pkg/site/learn"
)

func TestMain(m *testing.M) {
	root, err := os.MkdirTemp("", "gflow-test-root")
	if err != nil {
		panic(err)
	}
	os.Setenv("GFLOW_DATA_ROOTDIR", root)
	for _, v := range []string{"GFLOW_SITE_CONFIG", "GFLOW_TIMESTAMP_FORMAT"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}

func gsiteinfoRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	status := cli.Run(gsiteinfo.NewCommand(std), args, std)
	return out.String(), errb.String(), status
}

const siteConf = `internal = ["192.168.0.0/16", "2001:db8:1::/48"]

[[sensors]]
name = "edge"
id = 1
description = "home router"
exporters = ["192.0.2.1", "2001:db8::1"]

[[sensors]]
name = "lab"
id = 7
exporters = ["10.9.0.0/24"]
external-interfaces = [2]
null-interfaces = [0]
`

var (
	start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	edge  = repogen.Sensor{Name: "edge", ID: 1}
	lab   = repogen.Sensor{Name: "lab", ID: 7}
	old   = repogen.Sensor{Name: "old", ID: 3} // renamed since: only in the repository
)

// makeSite writes the configuration and three days of files: edge's in,
// inweb and out every hour; lab's in and out on the second day only; a
// sensor the configuration no longer names, one hour.
func makeSite(t *testing.T) (string, map[repogen.Key]*repogen.Totals) {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "gflow.toml"), []byte(siteConf), 0o644); err != nil {
		t.Fatal(err)
	}
	tot, err := repogen.Write(root, repogen.Options{Start: start, Hours: 72, Sensors: []repogen.Sensor{edge, lab},
		Types: []flowfile.FlowType{flowfile.TypeIn, flowfile.TypeOut, flowfile.TypeInWeb}, Blocks: 2, Records: 50, Seed: 2,
		Skip: func(s repogen.Sensor, ty flowfile.FlowType, h time.Time) bool {
			return s == lab && (ty == flowfile.TypeInWeb || h.Day() != 2)
		}})
	if err != nil {
		t.Fatal(err)
	}
	more, err := repogen.Write(root, repogen.Options{Start: start.Add(5 * time.Hour), Hours: 1, Sensors: []repogen.Sensor{old},
		Types: []flowfile.FlowType{flowfile.TypeOut}, Blocks: 1, Records: 7, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range more {
		tot[k] = v
	}
	// What else a repository holds: the collector's state (what it
	// learned; the facts of id 7 are of a sensor since renamed), a stray
	// file.
	os.MkdirAll(filepath.Join(root, ".gflowcap"), 0o755)
	since := start.Add(time.Hour)
	st := &learn.State{Version: 1, Sensors: []*learn.SensorState{
		{ID: 1, Name: "edge",
			Interfaces: []learn.Interface{{Index: 2, Role: learn.External, Since: since}, {Index: 1, Role: learn.Internal, Since: since}},
			Outside: []learn.Outside{
				{Addr: netip.MustParseAddr("203.0.113.5"), From: start, Until: since, LastSeen: since},
				{Addr: netip.MustParseAddr("203.0.113.9"), From: since, LastSeen: since},
			},
			Prefixes: []learn.Seen{{Prefix: netip.MustParsePrefix("2001:470:7a5e::/48"), Since: since, LastSeen: since}}},
		{ID: 7, Name: "oldlab", Outside: []learn.Outside{{Addr: netip.MustParseAddr("198.51.100.1"), From: start, LastSeen: since}}},
	}}
	if err := st.Save(learn.Path(filepath.Join(root, ".gflowcap"))); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, ".gflowcap", "in-edge_20260101.00"), []byte("state"), 0o644)
	os.WriteFile(filepath.Join(root, "in", "README"), []byte("notes"), 0o644)
	return root, tot
}

// table renders rows as rwsiteinfo does: right-aligned columns as wide as
// their widest cell, '|' after each.
func table(rows [][]string) string {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			fmt.Fprintf(&b, "%*s|", widths[i], c)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func hour(t time.Time) string { return t.Format("2006/01/02T15:04:05") }

// The default view: the sensors with their exporters and networks, then
// what each sensor and type holds, with the sensor the configuration no
// longer names after the others.
func TestDefaultView(t *testing.T) {
	root, tot := makeSite(t)
	out, errs, status := gsiteinfoRun(t, "--data-rootdir="+root)
	if status != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", status, errs)
	}
	want := table([][]string{
		{"Sensor", "Sensor-ID", "Sensor-Description", "Exporters", "Internal", "Learned"},
		{"edge", "1", "home router", "192.0.2.1,2001:db8::1", "192.168.0.0/16,2001:db8:1::/48",
			"outside:203.0.113.9,external:if2,internal:if1,prefix:2001:470:7a5e::/48"},
		{"lab", "7", "", "10.9.0.0/24", "remainder", ""},
		{"old", "", "", "", "", ""},
	}) + "\n"
	rows := [][]string{{"Sensor", "Type", "Start-Date", "End-Date", "File-Count", "Record-Count", "Byte-Count"}}
	for _, s := range []repogen.Sensor{edge, lab, old} {
		for _, ty := range flowfile.AllTypes() {
			if x := tot[repogen.Key{Sensor: s.Name, Type: ty}]; x != nil {
				rows = append(rows, []string{s.Name, ty.String(), hour(x.First), hour(x.Last),
					strconv.FormatInt(x.Files, 10), strconv.FormatInt(x.Records, 10), strconv.FormatInt(x.Bytes, 10)})
			}
		}
	}
	want += table(rows)
	if out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
	if len(rows) != 1+3+2+1 {
		t.Fatalf("the made repository has %d sensor-type pairs", len(rows)-1)
	}
}

// rwsiteinfo's views: per type for one sensor, zero rows included; the
// whole repository's span; lists; defaults; SiLK's column switches.
func TestFieldsAsRwsiteinfo(t *testing.T) {
	root, tot := makeSite(t)
	out, _, status := gsiteinfoRun(t, "--data-rootdir="+root, "--sensors=1", "--fields=type,repo-file-count,repo-start-date,repo-end-date")
	if status != 0 {
		t.Fatal(status)
	}
	rows := [][]string{{"Type", "File-Count", "Start-Date", "End-Date"}}
	for _, ty := range flowfile.AllTypes() {
		if x := tot[repogen.Key{Sensor: "edge", Type: ty}]; x != nil {
			rows = append(rows, []string{ty.String(), strconv.FormatInt(x.Files, 10), hour(x.First), hour(x.Last)})
		} else {
			rows = append(rows, []string{ty.String(), "0", "", ""})
		}
	}
	if want := table(rows); out != want {
		t.Errorf("--sensors=1 per type: got\n%s\nwant\n%s", out, want)
	}

	out, _, _ = gsiteinfoRun(t, "--data-rootdir="+root, "--fields=repo-start-date,repo-end-date,repo-record-count")
	var records int64
	for _, x := range tot {
		records += x.Records
	}
	last := start.Add(71 * time.Hour)
	if want := table([][]string{{"Start-Date", "End-Date", "Record-Count"}, {hour(start), hour(last), strconv.FormatInt(records, 10)}}); out != want {
		t.Errorf("the whole repository: got\n%s\nwant\n%s", out, want)
	}

	out, _, _ = gsiteinfoRun(t, "--data-rootdir="+root, "--types=@", "--fields=class,type,mark-defaults,sensor:list,default-type:list")
	want := table([][]string{
		{"Class", "Type", "Defaults", "Sensor:list", "Default-Type:list"},
		{"all", "in", "+*", "edge,lab,old", "in,inweb,inicmp"},
		{"all", "inweb", "+*", "edge,lab,old", "in,inweb,inicmp"},
		{"all", "inicmp", "+*", "edge,lab,old", "in,inweb,inicmp"},
	})
	if out != want {
		t.Errorf("--types=@ with lists: got\n%s\nwant\n%s", out, want)
	}

	out, _, _ = gsiteinfoRun(t, "--data-rootdir="+root, "--fields=sensor,id-sensor,external,repo-file-count", "--delimited=;", "--no-titles", "--sensors=lab,old")
	wantLab := fmt.Sprintf("lab;7;if2;%d\nold;;;1\n", tot[repogen.Key{Sensor: "lab", Type: flowfile.TypeIn}].Files+tot[repogen.Key{Sensor: "lab", Type: flowfile.TypeOut}].Files)
	if out != wantLab {
		t.Errorf("--delimited --no-titles: got %q, want %q", out, wantLab)
	}
}

func TestSwitchErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--fields=colour"}, "gsiteinfo: Invalid fields 'colour': no field is named 'colour'"},
		{[]string{"--fields=repo"}, "'repo' matches several fields: repo-start-date, repo-end-date"},
		{[]string{"--types=inbound"}, "gsiteinfo: Invalid types 'inbound': 'inbound' is not a type"},
		{[]string{"--types=in", "--flowtypes=all/in"}, "Cannot use --flowtypes with --classes or --types"},
		{[]string{"--classes=web"}, "the only class is 'all'"},
		{[]string{"--sensors=5-2"}, "Invalid sensors '5-2'"},
	} {
		_, errs, status := gsiteinfoRun(t, c.args...)
		if status != 1 || !strings.Contains(errs, c.want) || !strings.Contains(errs, "Use 'gsiteinfo --help' for usage") {
			t.Errorf("%v: status %d, stderr %q, want %q", c.args, status, errs, c.want)
		}
	}
}

// A repository written by SiLK's rwflowpack: files, hours and records
// as its inventory lists them.
func TestSiLKRepository(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared", "fixtures", "silk"))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := os.Open(filepath.Join(dir, "INVENTORY.txt"))
	if err != nil {
		t.Skipf("SiLK fixtures not found: %s is absent (clone the shared reference material beside the repository)", dir)
	}
	defer inv.Close()
	files, records := map[string]int{}, map[string]int{}
	sc := bufio.NewScanner(inv)
	for sc.Scan() {
		f := strings.Split(sc.Text(), " | ")
		if !strings.HasPrefix(f[0], "repo/") {
			continue
		}
		rf, err := flowfile.ParseRepoPath(f[0])
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(f[5], "n="))
		files[rf.Sensor]++
		records[rf.Sensor] += n
	}
	out, errs, status := gsiteinfoRun(t, "--data-rootdir="+filepath.Join(dir, "repo"), "--fields=sensor,repo-file-count,repo-record-count")
	if status != 0 || errs != "" {
		t.Fatalf("status %d %q", status, errs)
	}
	want := table([][]string{
		{"Sensor", "File-Count", "Record-Count"},
		{"S0", strconv.Itoa(files["S0"]), strconv.Itoa(records["S0"])},
		{"S1", strconv.Itoa(files["S1"]), strconv.Itoa(records["S1"])},
	})
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// A new install: no configuration, no files yet.
func TestEmptyRepository(t *testing.T) {
	root := t.TempDir()
	out, errs, status := gsiteinfoRun(t, "--data-rootdir="+root)
	want := table([][]string{
		{"Sensor", "Sensor-ID", "Sensor-Description", "Exporters", "Internal", "Learned"},
		{"S0", "0", "", "any", "private ranges (default)", ""},
	})
	if status != 0 || out != want || errs != "gsiteinfo: warning: the repository "+root+" holds no flow files\n" {
		t.Fatalf("status %d, stderr %q, out:\n%s\nwant:\n%s", status, errs, out, want)
	}
	out, _, _ = gsiteinfoRun(t, "--data-rootdir="+root, "--fields=internal", "--no-titles")
	if !strings.HasPrefix(out, "10.0.0.0/8,") {
		t.Errorf("--fields=internal gives %q, want the default prefixes", out)
	}
}

// A mistyped root is an error, not an empty repository.
func TestMissingRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "nonexistent")
	out, errs, status := gsiteinfoRun(t, "--data-rootdir="+root)
	want := "gsiteinfo: Root data directory '" + root + "' does not exist\n" +
		"gsiteinfo: hint: name the repository with --data-rootdir=DIR or GFLOW_DATA_ROOTDIR=DIR\n"
	if status != 1 || out != "" || !strings.HasPrefix(errs, want) {
		t.Errorf("status %d, out %q, stderr %q, want it to start\n%s", status, out, errs, want)
	}
}
