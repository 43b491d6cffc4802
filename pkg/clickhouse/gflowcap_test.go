package clickhouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/demo"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/clickhouse"
	"github.com/gflow/gflow/pkg/collector"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/mapjson/gjson"
	"github.com/gflow/gflow/pkg/stats"
)

// gflowcap with --clickhouse, its server killed and started again in the
// middle of the run: ClickHouse ends with exactly the flows of the hourly
// files, and its answers to count(), sum(bytes) and the top countries
// are gstats' on those files.
func TestGflowcapIntoClickHouse(t *testing.T) {
	s := clickhouse.Srv.Need(t)
	const table = "gflowcap_flows"
	db, err := geo.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := demo.NewAddresses(db.Lookup, 5)
	if err != nil {
		t.Fatal(err)
	}
	recs := demo.Generate(addrs, demo.DefaultSite, demo.Options{Seed: 5, Conversations: 6000, IPv6Share: 0.2,
		Hour: time.Now().UTC().Add(-time.Hour).Truncate(time.Hour)})

	root := t.TempDir()
	st := collector.NewStats()
	ready := make(chan netip.AddrPort, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &syncWriter{b: &strings.Builder{}}
	done := make(chan error, 1)
	go func() {
		done <- collector.Run(ctx, collector.Config{
			Listen: []string{"127.0.0.1:0"}, RcvBuf: 4 << 20, DataRoot: root,
			FlushInterval: 200 * time.Millisecond, Stats: st, Stderr: log,
			ClickHouse: s.URL(), ClickHouseTable: table, ClickHouseBatch: 2000,
			Ready: func(a []netip.AddrPort) { ready <- a[0] },
		})
	}()
	var addr netip.AddrPort
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("gflowcap: %v", err)
	}
	spool := filepath.Join(root, ".gflowcap", "clickhouse-spool")
	half := len(recs) / 2
	if _, err := demo.Send(addr, recs[:half], 4000, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	if _, err := demo.Send(addr, recs[half:], 4000, time.Now()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "flows in the spool", func() bool { ents, _ := os.ReadDir(spool); return len(ents) > 0 })
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	count := func() string {
		out, _ := s.Query("SELECT count() FROM " + table)
		return out
	}
	// every flow the collector took reaches the server (UDP on the
	// loopback may still drop a packet: the files are the reference)
	waitFor(t, "ClickHouse to hold every flow", func() bool {
		return count() == fmt.Sprint(st.Totals().Flows) && st.Totals().Flows > 0
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("gflowcap: %v\n%s", err, log.String())
	}
	t.Logf("gflowcap said:\n%s", log.String())

	files := repoFiles(t, root)
	top := gstats(t, append([]string{"--fields=dcc", "--values=bytes,records", "--count=0", "--delimited=\t", "--no-titles", "--no-percents"}, files...))
	rows := strings.Split(top, "\n")
	var flows, bytes uint64
	for _, r := range rows {
		var cc string
		var b, n uint64
		if _, err := fmt.Sscanf(r, "%s\t%d\t%d", &cc, &b, &n); err != nil {
			t.Fatalf("gstats line %q: %v", r, err)
		}
		bytes += b
		flows += n
	}
	if flows != st.Totals().Flows {
		t.Errorf("the files hold %d flows, the collector took %d", flows, st.Totals().Flows)
	}
	got, err := s.Query("SELECT count(), sum(bytes) FROM " + table + " FORMAT TSV")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d\t%d", flows, bytes); got != want {
		t.Errorf("SELECT count(), sum(bytes) = %q; gstats says %q", got, want)
	}
	if len(rows) < 10 {
		t.Fatalf("only %d countries", len(rows))
	}
	// the documented drill-down: the top ten destination countries by bytes
	sql, err := s.Query("SELECT dcc, sum(bytes) AS b, count() FROM " + table + " GROUP BY dcc ORDER BY b DESC, dcc LIMIT 10 FORMAT TSV")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(rows[:10], "\n"); sql != want {
		t.Errorf("top 10 by dcc from ClickHouse:\n%s\ngstats:\n%s", sql, want)
	}
	if dups, _ := s.Query("SELECT count() - uniqExact(batch_id, stime, stime_ms, sip, dip, sport, dport, protocol, bytes) FROM " + table); dups != "0" {
		t.Errorf("%s flows twice", dups)
	}

	// The map from the cluster: gjson draws the same map from the
	// documented query's TSV as from gstats' table.
	tsv, err := s.Query("SELECT dcc, sum(bytes) AS bytes FROM " + table + " GROUP BY dcc ORDER BY bytes DESC, dcc FORMAT TSVWithNames")
	if err != nil {
		t.Fatal(err)
	}
	fromSQL := mapRows(t, tsv)
	fromGstats := mapRows(t, gstatsText(t, append([]string{"--fields=dcc", "--values=bytes", "--count=0"}, files...)))
	if fromSQL != fromGstats {
		t.Errorf("map from ClickHouse:\n%s\nfrom gstats:\n%s", fromSQL, fromGstats)
	}
	helpExample(t, s.URL(), table)
}

// helpExample runs the ClickHouse example of gjson --help as printed, with
// this server's address and table: curl's TSV into gjson --html.
func helpExample(t *testing.T, url, table string) {
	var help strings.Builder
	std := cli.IO{In: strings.NewReader(""), Out: &help, Err: &help}
	cli.Run(gjson.NewCommand(std), []string{"--help"}, std)
	var example string
	for _, l := range strings.Split(help.String(), "\n") {
		if strings.Contains(l, "curl ") && strings.Contains(l, "| gjson") {
			example = strings.TrimSpace(l)
		}
	}
	if example == "" {
		t.Fatalf("gjson --help has no ClickHouse example:\n%s", help.String())
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Logf("gjson's example not run: curl is not installed (apt-get install -y curl): %s", example)
		return
	}
	curl, gjsonArgs, _ := strings.Cut(example, "| gjson")
	web := filepath.Join(t.TempDir(), "map")
	curl = strings.NewReplacer("'http://127.0.0.1:8123/'", "'"+url+"'", " FROM flows ", " FROM "+table+" ").Replace(curl)
	tsv, err := exec.Command("/bin/sh", "-c", curl).Output()
	if err != nil || !strings.HasPrefix(string(tsv), "dcc\tbytes\n") {
		t.Fatalf("%s: %v\n%s", curl, err, tsv)
	}
	var out, errb strings.Builder
	std = cli.IO{In: strings.NewReader(string(tsv)), Out: &out, Err: &errb}
	args := strings.Fields(strings.ReplaceAll(gjsonArgs, "/var/www/map", web))
	if st := cli.Run(gjson.NewCommand(std), args, std); st != 0 || errb.Len() != 0 {
		t.Fatalf("gjson %v on the example's table: status %d: %s\n%s", args, st, errb.String(), tsv)
	}
	var doc struct {
		Key  string
		Rows []struct{ Code string }
	}
	b, err := os.ReadFile(filepath.Join(web, "data.json"))
	if err != nil || json.Unmarshal(b, &doc) != nil || doc.Key != "dcc" {
		t.Fatalf("%s: the map's data: %v\n%s", example, err, b)
	}
	// the flows started in the hour before this one: the last hour's are some
	if rows := strings.Count(string(tsv), "\n") - 1; len(doc.Rows) == 0 && rows > 0 {
		t.Errorf("%s: %d rows of TSV, no bubble", example, rows)
	}
	t.Logf("%s: %d countries", example, len(doc.Rows))

	// the same query on a column the table lacks: curl passes ClickHouse's
	// error on as the answer, and gjson says what it is
	bad, _ := exec.Command("/bin/sh", "-c", strings.Replace(curl, "WHERE stime ", "WHERE start_time ", 1)).Output()
	out.Reset()
	errb.Reset()
	std = cli.IO{In: strings.NewReader(string(bad)), Out: &out, Err: &errb}
	if st := cli.Run(gjson.NewCommand(std), args, std); st == 0 || !strings.HasPrefix(errb.String(), "gjson: stdin: line 1: an error from ClickHouse (code ") ||
		!strings.Contains(errb.String(), "start_time") || !strings.Contains(errb.String(), "\ngjson: hint: the query failed") {
		t.Errorf("gjson on ClickHouse's error: status %d, stderr:\n%s\ninput:\n%s", st, errb.String(), bad)
	}
}

// mapRows runs gjson on a table and returns the map's rows and total.
func mapRows(t *testing.T, table string) string {
	var out, errb strings.Builder
	std := cli.IO{In: strings.NewReader(table), Out: &out, Err: &errb}
	if st := cli.Run(gjson.NewCommand(std), nil, std); st != 0 {
		t.Fatalf("gjson: status %d: %s\ninput:\n%s", st, errb.String(), table)
	}
	var doc struct {
		Unit  string
		Total uint64
		Rows  []struct {
			Rank  int
			Code  string
			Value uint64
		}
	}
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", doc)
}

func gstatsText(t *testing.T, args []string) string {
	var out, errb strings.Builder
	std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	if st := cli.Run(stats.NewCommand(std), args, std); st != 0 {
		t.Fatalf("gstats %v: status %d: %s", args, st, errb.String())
	}
	return out.String()
}

func repoFiles(t *testing.T, root string) []string {
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if _, err := flowfile.ParseRepoPath(p); err == nil {
				files = append(files, p)
			}
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("no hourly files")
	}
	return files
}

func gstats(t *testing.T, args []string) string {
	var out, errb strings.Builder
	std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	if st := cli.Run(stats.NewCommand(std), args, std); st != 0 {
		t.Fatalf("gstats %v: status %d: %s", args, st, errb.String())
	}
	return strings.TrimSpace(out.String())
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncWriter is stderr shared by the collector's goroutines and the test.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
