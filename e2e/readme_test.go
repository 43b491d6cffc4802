package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gflow/gflow/pkg/flowfile"
)

// The README's commands and every tool's --help examples, run as a user
// runs them: literally, through a shell, with the tools that
// `make install PREFIX=...` installed, against a repository holding the
// days they name.

var installed struct {
	once   sync.Once
	prefix string
	err    error
	out    []byte
}

// installTools runs `make install PREFIX=DIR` once for the package's tests
// and returns DIR; the tools are DIR/bin/TOOL.
func installTools(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("installs every tool with make install; skipped with -short")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not found (apt-get install -y make)")
	}
	installed.once.Do(func() {
		repo, err := filepath.Abs("..")
		if err != nil {
			installed.err = err
			return
		}
		if installed.prefix, installed.err = os.MkdirTemp("", "gflow-e2e-install-"); installed.err != nil {
			return
		}
		cmd := exec.Command("make", "-C", repo, "install", "PREFIX="+installed.prefix)
		installed.out, installed.err = cmd.CombinedOutput()
	})
	if installed.err != nil {
		t.Fatalf("make install: %v\n%s", installed.err, installed.out)
	}
	return installed.prefix
}

func TestMain(m *testing.M) {
	code := m.Run()
	if installed.prefix != "" {
		os.RemoveAll(installed.prefix)
	}
	os.Exit(code)
}

// questionFlows is a small day of traffic: incoming from six countries
// (Switzerland with three senders), one outgoing flow, and the address the
// README reads flows of.
func questionFlows(day time.Time) []flowfile.Record {
	type src struct {
		addr   string
		cc     string
		port   uint16
		typ    flowfile.FlowType
		flows  int
		volume uint64
	}
	srcs := []src{
		{"195.176.20.1", "ch", 443, flowfile.TypeInWeb, 6, 90_000},
		{"195.176.20.2", "ch", 53, flowfile.TypeIn, 4, 20_000},
		{"195.176.21.9", "ch", 993, flowfile.TypeIn, 3, 5_000},
		{"93.184.215.14", "us", 443, flowfile.TypeInWeb, 5, 150_000},
		{"203.0.113.7", "us", 22, flowfile.TypeIn, 7, 7_000},
		{"85.10.1.1", "de", 80, flowfile.TypeInWeb, 4, 60_000},
		{"81.2.69.160", "gb", 443, flowfile.TypeInWeb, 2, 30_000},
		{"92.103.1.1", "fr", 123, flowfile.TypeIn, 2, 400},
		{"133.242.1.1", "jp", 443, flowfile.TypeInWeb, 1, 12_000},
	}
	var recs []flowfile.Record
	for i, s := range srcs {
		for j := range s.flows {
			st := day.Add(time.Duration(i+1)*time.Hour + time.Duration(j)*7*time.Minute).UnixMilli()
			recs = append(recs, flowfile.Record{
				SIP: netip.MustParseAddr(s.addr), DIP: netip.AddrFrom4([4]byte{192, 168, 1, byte(10 + j)}),
				SPort: s.port, DPort: uint16(40000 + j), Proto: 6, Packets: uint64(1 + j), Bytes: s.volume + uint64(j),
				STime: st, ETime: st + 1500, Type: s.typ,
				SCC: flowfile.MakeCountry(s.cc), DCC: flowfile.NoCountry,
			})
		}
	}
	// at 14:00, the hour gfileinfo's example names
	st := day.Add(14 * time.Hour).UnixMilli()
	recs = append(recs, flowfile.Record{
		SIP: netip.MustParseAddr("81.2.69.160"), DIP: netip.MustParseAddr("192.168.1.20"), SPort: 443, DPort: 41000,
		Proto: 6, Packets: 1, Bytes: 100, STime: st, ETime: st + 100, Type: flowfile.TypeInWeb,
		SCC: flowfile.MakeCountry("gb"), DCC: flowfile.NoCountry,
	})
	// outgoing: not in the default types
	st = day.Add(3 * time.Hour).UnixMilli()
	recs = append(recs, flowfile.Record{
		SIP: netip.MustParseAddr("192.168.1.10"), DIP: netip.MustParseAddr("195.176.20.1"), SPort: 50000, DPort: 443,
		Proto: 6, Packets: 90, Bytes: 9_000_000, STime: st, ETime: st + 100, Type: flowfile.TypeOutWeb,
		SCC: flowfile.NoCountry, DCC: flowfile.MakeCountry("ch"),
	})
	return recs
}

// writeDays writes questionFlows of each day into the repository at root,
// in hourly files of sensor S0.
func writeDays(t *testing.T, root string, days ...time.Time) {
	t.Helper()
	for _, day := range days {
		writeRecords(t, root, questionFlows(day))
	}
}

// writeRecords stores records in the repository at root as sensor S0's
// hourly files.
func writeRecords(t *testing.T, root string, records []flowfile.Record) {
	t.Helper()
	repo := flowfile.Repo{Root: root}
	files := map[string][]flowfile.Record{}
	hdrs := map[string]flowfile.Header{}
	for _, r := range records {
		hour := time.UnixMilli(r.STime).UTC().Truncate(time.Hour)
		p := repo.Path(r.Type, "S0", hour)
		files[p] = append(files[p], r)
		hdrs[p] = flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd, Type: r.Type, Sensor: "S0", Hour: hour}
	}
	for p, recs := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		w, err := flowfile.Create(p, hdrs[p])
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteBlock(recs); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func today() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }

// readmeSection returns the fenced code blocks of the README's section
// whose heading starts with heading, as lists of lines.
func readmeSection(t *testing.T, heading string) [][]string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n## "+heading)
	if i < 0 {
		t.Fatalf("README has no section %q", heading)
	}
	text = text[i+1:]
	if j := strings.Index(text[3:], "\n## "); j >= 0 {
		text = text[:j+3]
	}
	var blocks [][]string
	var cur []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			if in {
				blocks = append(blocks, cur)
			}
			in, cur = !in, nil
			continue
		}
		if in {
			cur = append(cur, line)
		}
	}
	return blocks
}

// commands joins continued lines and drops comments and blank lines.
func commands(lines []string) []string {
	var out []string
	var cur string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if cur == "" && (l == "" || strings.HasPrefix(l, "#")) {
			continue
		}
		if strings.HasSuffix(l, `\`) {
			cur += strings.TrimSuffix(l, `\`)
			continue
		}
		out = append(out, strings.TrimSpace(cur+l))
		cur = ""
	}
	return out
}

type shellRun struct {
	out, errs string
	err       error
}

// shell runs command with /bin/sh in dir with exactly the environment env.
func shell(dir string, env []string, command string) shellRun {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = strings.NewReader("")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return shellRun{out.String(), errb.String(), err}
}

// userEnv is a user's shell: the installed tools on PATH, the repository
// in GFLOW_DATA_ROOTDIR.
func userEnv(prefix, home, root string) []string {
	return []string{"PATH=" + filepath.Join(prefix, "bin") + ":/usr/bin:/bin", "HOME=" + home, "GFLOW_DATA_ROOTDIR=" + root}
}

// dropDates blanks gcount's date column, to compare two days' tables.
var dateRE = regexp.MustCompile(`\d{4}/\d\d/\d\dT\d\d:\d\d:\d\d`)

// The README's questions, short form and SiLK's full form: each runs as
// typed and prints the expected table, and the short form of today
// answers what the full form answers for 2026/11/26 with the same traffic.
func TestReadmeQuestions(t *testing.T) {
	prefix := installTools(t)
	blocks := readmeSection(t, "Asking questions")
	if len(blocks) != 2 {
		t.Fatalf("the README's questions have %d code blocks, want the short and the full form", len(blocks))
	}
	short, full := commands(blocks[0]), commands(blocks[1])
	if len(short) != 4 || len(full) != len(short) {
		t.Fatalf("%d short and %d full commands, want 4 of each:\n%q\n%q", len(short), len(full), short, full)
	}
	// the classic pipeline as people type it, with no optional switch
	if classic := "gfilter --scc=ch | gstats --top --fields=sip,sport"; !slices.Contains(short, classic) {
		t.Errorf("the README's short form lacks the classic pipeline %q: %q", classic, short)
	}
	for _, c := range full {
		if !strings.Contains(c, "--start-date=2026/11/26") {
			t.Fatalf("full form %q does not name 2026/11/26, the day the test writes", c)
		}
	}
	root, home, work := t.TempDir(), t.TempDir(), t.TempDir()
	writeDays(t, root, today(), time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	env := userEnv(prefix, home, root)
	var shortOut, fullOut []string
	for _, set := range []struct {
		cmds []string
		outs *[]string
	}{{short, &shortOut}, {full, &fullOut}} {
		for _, c := range set.cmds {
			r := shell(work, env, c)
			if r.err != nil || r.errs != "" {
				t.Errorf("%s: %v, stderr %q", c, r.err, r.errs)
			}
			*set.outs = append(*set.outs, r.out)
		}
	}
	t.Logf("%s\n%s", short[0], shortOut[0])

	// by country: incoming only, every country of the day, top 10 layout
	var records, bytesIn uint64
	for _, r := range questionFlows(today()) {
		if r.Type == flowfile.TypeIn || r.Type == flowfile.TypeInWeb {
			records++
			bytesIn += r.Bytes
		}
	}
	want := fmt.Sprintf("INPUT: %d Records for 6 Bins and %d Total Bytes\nOUTPUT: Top 10 Bins by Bytes\n", records, bytesIn)
	if !strings.HasPrefix(shortOut[0], want) {
		t.Errorf("%s:\n%s\nwant it to start\n%s", short[0], shortOut[0], want)
	}
	for _, row := range []string{" us|", " ch|", " de|", " gb|", " jp|", " fr|"} {
		if !strings.Contains(shortOut[0], row) {
			t.Errorf("%s: no row %q", short[0], row)
		}
	}
	// the drill-down: Switzerland's three senders, largest first
	lines := strings.Split(strings.TrimSpace(shortOut[1]), "\n")
	if len(lines) != 6 || !strings.Contains(lines[3], "195.176.20.1|  443|") || !strings.Contains(lines[5], "195.176.21.9|  993|") {
		t.Errorf("%s:\n%s", short[1], shortOut[1])
	}
	// the flows of one address, and the count over time with its chart
	if n := strings.Count(shortOut[2], "203.0.113.7|"); n != 7 {
		t.Errorf("%s: %d flows of 203.0.113.7, want 7:\n%s", short[2], n, shortOut[2])
	}
	if svg, err := os.ReadFile(filepath.Join(work, "ch.svg")); err != nil || !bytes.HasPrefix(svg, []byte("<svg")) && !bytes.HasPrefix(svg, []byte("<?xml")) {
		t.Errorf("%s: no chart: %v", short[3], err)
	}
	for i := range short {
		s, f := shortOut[i], fullOut[i]
		if i >= 2 {
			s, f = dateRE.ReplaceAllString(s, "DATE"), dateRE.ReplaceAllString(f, "DATE")
		}
		if s != f {
			t.Errorf("the short form and the full form differ:\n%s\n%s\n%s\n%s", short[i], shortOut[i], full[i], fullOut[i])
		}
	}
}

// Every example at the end of a query tool's --help runs as printed and
// prints something (or writes the file it names).
func TestHelpExamplesRun(t *testing.T) {
	prefix := installTools(t)
	root, home := t.TempDir(), t.TempDir()
	env := userEnv(prefix, home, root)
	bin := func(tool string) string { return filepath.Join(prefix, "bin", tool) }
	tools := []string{"gfilter", "gstats", "gcut", "gcount", "gtuc", "gjson", "gsiteinfo", "gfileinfo"}
	examples := map[string][]string{}
	days := []time.Time{today()}
	dateRE := regexp.MustCompile(`--start-date=(\d{4})[/-](\d\d)[/-](\d\d)`)
	for _, tool := range tools {
		help, err := exec.Command(bin(tool), "--help").Output()
		if err != nil {
			t.Fatalf("%s --help: %v", tool, err)
		}
		_, ex, ok := strings.Cut(string(help), "\nExamples:\n")
		if !ok {
			t.Errorf("%s --help has no examples", tool)
		}
		examples[tool] = commands(strings.Split(ex, "\n"))
		// the repository holds the days the examples name
		for _, m := range dateRE.FindAllStringSubmatch(ex, -1) {
			d, err := time.Parse("2006/01/02", m[1]+"/"+m[2]+"/"+m[3])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(days, d) {
				days = append(days, d)
			}
		}
	}
	writeDays(t, root, days...)

	// the files the examples name
	fixtures := t.TempDir()
	flows := questionFlows(time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC))
	stream := filepath.Join(fixtures, "flows.gf")
	w, err := flowfile.Create(stream, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBlock(flows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for name, command := range map[string]string{
		"hour.gf":   "cp flows.gf hour.gf",
		"table.txt": bin("gstats") + " --fields=scc --values=bytes flows.gf > table.txt",
		"flows.csv": bin("gcut") + " --fields=sip,dip,sport,dport,protocol,bytes,stime --delimited=, --no-titles flows.gf > flows.csv",
	} {
		if r := shell(fixtures, env, command); r.err != nil {
			t.Fatalf("making %s: %v %s", name, r.err, r.errs)
		}
	}
	// an nfdump file from the capture the collector tests use
	if _, err := exec.LookPath("nfpcapd"); err == nil {
		pcap, _ := filepath.Abs(inputPcap)
		nf := t.TempDir()
		if out, err := exec.Command("nfpcapd", "-r", pcap, "-w", nf).CombinedOutput(); err != nil {
			t.Logf("nfpcapd: %v %s", err, out)
		}
		found, _ := filepath.Glob(filepath.Join(nf, "nfcapd.2*"))
		if len(found) > 0 {
			if b, err := os.ReadFile(found[0]); err == nil {
				os.WriteFile(filepath.Join(fixtures, "nfcapd.202311142210"), b, 0o644)
			}
		}
	}

	ran := 0
	for _, tool := range tools {
		for _, example := range examples[tool] {
			skip := ""
			if strings.Contains(example, ":8123") || strings.Contains(example, "clickhouse") {
				skip = "needs a running ClickHouse server (pkg/clickhouse's tests start one)"
			}
			for _, stage := range strings.Split(example, "|") {
				if f := strings.Fields(stage); len(f) > 0 && !strings.HasPrefix(f[0], "g") {
					if _, err := exec.LookPath(f[0]); err != nil {
						skip = f[0] + " is not installed" // SiLK's rwstats, rwcut
					}
				}
			}
			if strings.Contains(example, "nfcapd.") {
				if _, err := os.Stat(filepath.Join(fixtures, "nfcapd.202311142210")); err != nil {
					skip = "no nfdump file (nfpcapd could not make one)"
				}
			}
			if skip != "" {
				t.Logf("skipped: %s (%s)", example, skip)
				continue
			}
			work := t.TempDir()
			web := filepath.Join(work, "www", "map")
			if r := shell(fixtures, env, "cp -r . "+work); r.err != nil {
				t.Fatal(r.errs)
			}
			if strings.Contains(example, "/var/www/map") && !strings.Contains(example, "--page-only") {
				// as the README has it: the page is written once first
				if r := shell(work, env, bin("gjson")+" --html="+web+" --page-only"); r.err != nil {
					t.Fatal(r.errs)
				}
			}
			command := strings.NewReplacer("/var/www/map", web, "/var/lib/gflow", root).Replace(example)
			before := listFiles(work)
			r := shell(work, env, command)
			ran++
			if strings.Contains(example, "--print-stat") {
				r.out, r.errs = r.errs, "" // what it prints goes to stderr
			}
			if r.err != nil || r.errs != "" {
				t.Errorf("%s --help example\n  %s\nfailed: %v, stderr %q", tool, example, r.err, r.errs)
				continue
			}
			if strings.Contains(example, "--check") {
				// the nightly check prints only damage, and there is none
				if r.out != "" {
					t.Errorf("%s --help example\n  %s\nprinted %q on an intact repository", tool, example, r.out)
				}
				continue
			}
			if r.out == "" && listFiles(work) == before {
				t.Errorf("%s --help example\n  %s\nprinted and wrote nothing", tool, example)
			}
		}
	}
	if ran < 15 {
		t.Errorf("only %d examples ran", ran)
	}
}

// listFiles describes the files under dir, with their sizes and times, to
// tell whether a command wrote one.
func listFiles(dir string) string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				out = append(out, fmt.Sprintf("%s %d %d", p, fi.Size(), fi.ModTime().UnixNano()))
			}
		}
		return nil
	})
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// cronLine is one crontab: its environment lines and its command.
type cronLine struct {
	env     []string
	command string
}

// parseCrontab reads a crontab's text: VAR=value lines and one job line,
// whose first five fields are the schedule (and, in /etc/cron.d, the sixth
// the user).
func parseCrontab(t *testing.T, lines []string, userField bool) cronLine {
	t.Helper()
	var c cronLine
	for _, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case regexp.MustCompile(`^[A-Z_]+=`).MatchString(l):
			c.env = append(c.env, l)
		default:
			f := strings.Fields(l)
			n := 5
			if userField {
				n = 6
			}
			if len(f) <= n || c.command != "" {
				t.Fatalf("crontab line %q", l)
			}
			c.command = strings.Join(f[n:], " ")
		}
	}
	if c.command == "" {
		t.Fatal("no job in the crontab")
	}
	return c
}

// The README's cron line and contrib/gflow-map.cron (as installed), run as cron runs them:
// PATH=/usr/bin:/bin, HOME and the crontab's own variables, nothing else,
// after make install PREFIX=... . On a day without traffic they draw an
// empty map and say nothing (cron would mail any output); with traffic,
// the map has its countries, and the page opened from file:// shows them.
func TestCronLine(t *testing.T) {
	prefix := installTools(t)
	blocks := readmeSection(t, "The map, regenerated by cron")
	if len(blocks) != 2 {
		t.Fatalf("the README's cron section has %d code blocks, want the page command and the crontab", len(blocks))
	}
	// contrib/gflow-map.cron as make install wrote it, naming the
	// installed tools: used as it is, but for the web and data folders
	contrib, err := os.ReadFile(filepath.Join(prefix, "share", "doc", "gflow", "examples", "gflow-map.cron"))
	if err != nil {
		t.Fatalf("make install did not install the crontab: %v", err)
	}
	if job := parseCrontab(t, strings.Split(string(contrib), "\n"), true).command; strings.Contains(job, "/usr/local") || !strings.Contains(job, prefix+"/bin/gfilter") {
		t.Errorf("the installed crontab does not name the installed tools:\n%s", contrib)
	}
	for _, tc := range []struct {
		name string
		cron cronLine
	}{
		{"README", parseCrontab(t, blocks[1], false)},
		{"contrib/gflow-map.cron", parseCrontab(t, strings.Split(string(contrib), "\n"), true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, home, www := t.TempDir(), t.TempDir(), t.TempDir()
			web := filepath.Join(www, "map")
			subst := strings.NewReplacer("/usr/local", prefix, "/var/lib/gflow", root, "/var/www/map", web)
			// once, by hand: the page
			for _, c := range commands(blocks[0]) {
				if r := shell(home, userEnv(prefix, home, root), subst.Replace(c)); r.err != nil || r.errs != "" {
					t.Fatalf("%s: %v %s", c, r.err, r.errs)
				}
			}
			env := []string{"PATH=/usr/bin:/bin", "HOME=" + home, "SHELL=/bin/sh", "LOGNAME=gflow"}
			for _, e := range tc.cron.env {
				env = append(env, subst.Replace(e))
			}
			command := subst.Replace(tc.cron.command)
			if strings.Contains(command, "$(") || strings.Contains(command, "%") {
				t.Errorf("the cron line needs a shell substitution or a %%: %s", tc.cron.command)
			}
			run := func(what string) map[string]any {
				t.Helper()
				r := shell(home, env, command)
				if r.err != nil || r.out != "" || r.errs != "" {
					t.Fatalf("%s: %v, stdout %q, stderr %q (cron would mail this)", what, r.err, r.out, r.errs)
				}
				var doc map[string]any
				readJSON(t, filepath.Join(web, "data.json"), &doc)
				js, err := os.ReadFile(filepath.Join(web, "data.js"))
				j, _ := json.Marshal(doc)
				var jsDoc map[string]any
				if err != nil || json.Unmarshal(bytes.TrimSuffix(bytes.TrimPrefix(bytes.TrimSpace(js), []byte("window.gflowData = ")), []byte(";")), &jsDoc) != nil {
					t.Fatalf("%s: data.js beside the page is missing or not a script: %v", what, err)
				}
				if k, _ := json.Marshal(jsDoc); !bytes.Equal(j, k) {
					t.Errorf("%s: data.js does not hold data.json's data", what)
				}
				return doc
			}

			// a day without traffic
			empty := run("an empty day")
			if rows, _ := empty["rows"].([]any); len(rows) != 0 || empty["note"] != "no traffic in this period" {
				t.Errorf("empty day: rows %v, note %v", empty["rows"], empty["note"])
			}

			// a day with traffic
			writeDays(t, root, today())
			full := run("a day with traffic")
			rows, _ := full["rows"].([]any)
			var codes []string
			for _, r := range rows {
				codes = append(codes, fmt.Sprint(r.(map[string]any)["code"]))
			}
			if strings.Join(codes, ",") != "US,CH,DE,GB,JP,FR" {
				t.Errorf("the map's countries are %v, want US,CH,DE,GB,JP,FR by incoming bytes", codes)
			}

			// the page opened from file:// shows them
			if tc.name != "README" {
				return // one browser run is enough
			}
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.ToSlash(web)+"/index.html?refresh=0")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true"`, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
				t.Fatalf("the page from file:// never became ready: %v", err)
			}
			if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("circle.bubble").length`)); err != nil || n != len(codes) {
				t.Errorf("the page from file:// draws %d bubbles, want %d (%v)", n, len(codes), err)
			}
		})
	}
}

// Each mistake a user makes gets SiLK's first line where SiLK has one and
// a second line saying what to type, from the installed tools in a shell.
func TestErrorsNameTheFix(t *testing.T) {
	prefix := installTools(t)
	root, home, work := t.TempDir(), t.TempDir(), t.TempDir()
	writeDays(t, root, today())
	env := userEnv(prefix, home, root)
	stream := filepath.Join(work, "flows.gf")
	if r := shell(work, env, "gfilter --type=all --pass="+stream); r.err != nil {
		t.Fatal(r.errs)
	}
	for _, tc := range []struct {
		command string
		want    string // stderr, every line
	}{
		{"gfilter --scc=uk | gcut 2>/dev/null", "gfilter: Invalid scc 'uk': Not a country code\n" +
			"gfilter: Error processing --scc option: 'uk'\n" +
			"gfilter: hint: did you mean --scc=gb (United Kingdom)? 'gfilter --help-countries' lists the codes\n" +
			"Use 'gfilter --help' for usage\n"},
		{"gfilter --dcc=switzerland flows.gf | gcut 2>/dev/null", "gfilter: Invalid dcc 'switzerland'\n" +
			"gfilter: Error processing --dcc option: 'switzerland'\n" +
			"gfilter: hint: did you mean --dcc=ch (Switzerland)? 'gfilter --help-countries' lists the codes\n" +
			"Use 'gfilter --help' for usage\n"},
		{"gfilter --any-cc=xx | gcut 2>/dev/null", "gfilter: Invalid any-cc 'xx': Not a country code\n" +
			"gfilter: Error processing --any-cc option: 'xx'\n" +
			"gfilter: hint: 'gfilter --help-countries' lists the codes\n" +
			"Use 'gfilter --help' for usage\n"},
		{"gfilter --proto=tcp | gcut 2>/dev/null", "gfilter: Invalid protocol: Unexpected character at 't'\n" +
			"gfilter: Error processing --protocol option: 'tcp'\n" +
			"gfilter: hint: protocols are numbers: tcp is 6 (--protocol=6)\n" +
			"Use 'gfilter --help' for usage\n"},
		{"gfilter --dport=https | gcut 2>/dev/null", "gfilter: Invalid dport: Unexpected character at 'h'\n" +
			"gfilter: Error processing --dport option: 'https'\n" +
			"gfilter: hint: ports are numbers: https is 443 (--dport=443)\n" +
			"Use 'gfilter --help' for usage\n"},
		{"gstats --fields=country flows.gf", "gstats: Invalid fields: No match was found for the field 'country'\n" +
			"gstats: hint: did you mean scc or dcc? --help lists the fields\n"},
		{"gfilter --sensors=S7 | gcut 2>/dev/null", "gfilter: Invalid sensors 'S7': unknown sensor\n" +
			"gfilter: hint: the sensors in the default site (no gflow.toml) are S0 (0)\n"},
		{"gfilter --start-date=2026/13/01 | gcut 2>/dev/null", "gfilter: Invalid start-date '2026/13/01': Month value (13) out of range: use 1 <= month <= 12\n" +
			"gfilter: hint: dates are YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC (--start-date=" + today().Format("2006/01/02") + ")\n"},
		{"gfilter --fail=x.gf flows.gf", "gfilter: Must specify partitioning rules when using --fail-destination\n" +
			"gfilter: hint: with no partitioning switch every record passes; add one, e.g. --proto=6 --fail=FILE\n"},
		{"gstats flows.gf", "gstats: The --fields switch is required\n" +
			"gstats: hint: name the key, e.g. --fields=sip for the top sources, --fields=scc for countries, --fields=dport for services\n" +
			"Use 'gstats --help' for usage\n"},
		{"gfilter --data-rootdir=/nonexistent/flows 2>/dev/null | gstats --fields=sip",
			"gstats: stdin: the input was empty; the command before it probably failed\n"},
		{"gfilter --data-rootdir=/nonexistent/flows | gcut 2>/dev/null", "gfilter: Root data directory '/nonexistent/flows' does not exist\n" +
			"gfilter: hint: name the repository with --data-rootdir=DIR or GFLOW_DATA_ROOTDIR=DIR, or name flow files on the command line\n"},
		{"true | gcount", "gcount: stdin: the input was empty; the command before it probably failed\n"},
		{"true | gfileinfo -", "gfileinfo: stdin: the input was empty; the command before it probably failed\n"},
		{"gstats --fields=scc,sport flows.gf | gjson", "gjson: stdin: line 3: the table is keyed by scc and sPort: bubbles need the country alone\n" +
			"gjson: hint: gjson draws a table keyed by the country alone: gstats --fields=scc --values=bytes (or --fields=dcc)\n"},
		{"gcut --fields=sip,scc,bytes flows.gf | gjson", "gjson: stdin: line 1: a flow listing (gcut or rwcut, titles sIP, scc, bytes), not a table keyed by country\n" +
			"gjson: hint: gjson draws a table keyed by the country alone: gstats --fields=scc --values=bytes (or --fields=dcc)\n"},
		{"true | gjson", "gjson: stdin: the input was empty; the command before it probably failed\n" +
			"gjson: hint: gjson reads a table such as gstats --fields=scc --values=bytes prints; with --no-titles gstats prints nothing for a period without traffic\n"},
	} {
		r := shell(work, env, tc.command)
		if r.errs != tc.want {
			t.Errorf("%s\nstderr:\n%s\nwant:\n%s", tc.command, r.errs, tc.want)
		}
	}

	// a stream cut inside its second block (a broken pipe, head -c): the
	// first block's flows are counted, and a warning says where it stopped
	// and how many records came before
	first := questionFlows(today())
	cut := filepath.Join(work, "two-blocks.gf")
	w, err := flowfile.Create(cut, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBlock(first); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBlock(questionFlows(today().AddDate(0, 0, -1))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(cut)
	if err != nil {
		t.Fatal(err)
	}
	cmd := fmt.Sprintf("head -c %d two-blocks.gf | gstats --fields=scc", fi.Size()-10)
	r := shell(work, env, cmd)
	if wantOut := fmt.Sprintf("INPUT: %d Records for ", len(first)); r.err != nil || !strings.HasPrefix(r.out, wantOut) {
		t.Errorf("%s: %v\n%s\nwant it to start %q", cmd, r.err, r.out, wantOut)
	}
	if !strings.HasPrefix(r.errs, "gstats: warning: stdin: truncated: input ends inside block 1 ") ||
		!strings.HasSuffix(r.errs, fmt.Sprintf(", after %d records\n", len(first))) || strings.Count(r.errs, "\n") != 1 {
		t.Errorf("%s: stderr %q, want one warning that the second block (1) is cut short after %d records", cmd, r.errs, len(first))
	}

	// flows piped into a tool that reads text: said so, never echoed raw
	for _, tc := range []struct{ command, first, hint string }{
		{"gfilter | gjson", "gjson: stdin: line 1: a flow stream (binary, as gfilter or rwfilter writes it), not a table\n",
			"gjson: hint: put gstats between them: gfilter ... | gstats --fields=scc --values=bytes | gjson\n"},
		{"gfilter | gtuc --output-path=/dev/null", "gtuc: -: Unable to determine fields from first line: No match was found for the field 'GFLW\\x",
			"gtuc: hint: gtuc reads text, as gcut prints it; flows that are binary already need no gtuc: gcut prints them, gstats and gfilter read them\n"},
		{"gcount --start-time=2026/13/01 flows.gf", "gcount: Invalid start-time '2026/13/01': Month value (13) out of range: use 1 <= month <= 12\n",
			"gcount: hint: times are YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC, to the millisecond, or epoch seconds (--start-time=" + today().Format("2006/01/02") + ")\n"},
	} {
		r := shell(work, env, tc.command)
		if !strings.HasPrefix(r.errs, tc.first) || !strings.Contains(r.errs, tc.hint) || r.err == nil {
			t.Errorf("%s: %v\nstderr:\n%s\nwant it to start\n%s\nand hold\n%s", tc.command, r.err, r.errs, tc.first, tc.hint)
		}
		if strings.ContainsFunc(r.errs, func(c rune) bool { return c < 0x20 && c != '\n' || c == 0x7f || c == 0xfffd }) {
			t.Errorf("%s: stderr holds binary bytes: %q", tc.command, r.errs)
		}
	}

	// what works: ISO dates, and the list of country codes
	if r := shell(work, env, "gfilter --start-date="+today().Format("2006-01-02")+" | gstats --fields=scc --no-titles"); r.errs != "" || strings.Count(r.out, "\n") != 6 {
		t.Errorf("an ISO date: stderr %q, output\n%s", r.errs, r.out)
	}
	if r := shell(work, env, "gfilter --help-countries | grep -c ."); r.errs != "" || strings.TrimSpace(r.out) != "262" {
		t.Errorf("--help-countries: %q lines, stderr %q", r.out, r.errs)
	}

	// at a terminal, gfilter without an output says how to go on
	if _, err := exec.LookPath("script"); err != nil {
		t.Log("terminal case skipped: script(1) not found (apt-get install -y util-linux)")
		return
	}
	r = shell(work, env, `script -qec "gfilter --scc=ch" /dev/null`)
	want := "gfilter: No output(s) specified\r\ngfilter: hint: pipe the flows into another tool (gfilter ... | gstats --fields=sip) or write them to a file with --pass=FILE\r\n"
	if r.out != want || r.err == nil {
		t.Errorf("at a terminal: %v\n%q\nwant\n%q", r.err, r.out, want)
	}
	// a reader typed alone at a terminal: the flows come through a pipe
	r = shell(work, env, `script -qec "gstats --fields=sip" /dev/null`)
	want = "gstats: No input files specified on the command line and standard input is a terminal\r\n" +
		"gstats: hint: pipe flows in (gfilter --scc=ch | ...) or name flow files on the command line\r\n" +
		"Use 'gstats --help' for usage\r\n"
	if r.out != want || r.err == nil {
		t.Errorf("gstats at a terminal: %v\n%q\nwant\n%q", r.err, r.out, want)
	}
}
