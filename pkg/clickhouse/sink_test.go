package clickhouse

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/chtest"
	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

// One server for every test of the package: starting one takes a second
// or two.
var srv chtest.Shared

func TestMain(m *testing.M) { os.Exit(chtest.Main(m, &srv)) }

// tableName is a table of its own for each test.
func tableName(t *testing.T) string {
	return "t_" + strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_"))
}

func query(t *testing.T, s *chtest.Server, sql string) string {
	t.Helper()
	out, err := s.Query(sql)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func genRecords(seed int64, n int) []flowfile.Record {
	recs := make([]flowfile.Record, n)
	flowgen.New(seed, flowgen.Options{Hosts: 2000, AS: true, Sensors: 3, PerHour: 200_000}).Fill(recs)
	return recs
}

func testConfig(t *testing.T, s *chtest.Server, url string) Config {
	return Config{
		URL:      url,
		Table:    tableName(t),
		SpoolDir: filepath.Join(t.TempDir(), "spool"),
		RetryMin: 50 * time.Millisecond,
		RetryMax: 500 * time.Millisecond,
		Timeout:  20 * time.Second,
		Logf:     func(f string, a ...any) { t.Logf(f, a...) },
	}
}

// Every field of every record reads back from the server as gflow prints
// it, and the table the Sink creates on an old server is the portable
// layout of docs/clickhouse.sql.
func TestRecordsReadBack(t *testing.T) {
	s := srv.Need(t)
	recs := genRecords(1, 20000)
	recs[0].STime, recs[0].ETime = -5, 1500 // a broken exporter's time is clamped, not wrapped
	recs[1].NhIP = netip.Addr{}             // no next hop
	cfg := testConfig(t, s, s.URL())
	cfg.BatchRows = 3000
	cfg.SensorName = func(id uint16) string { return fmt.Sprintf("edge%d", id) }
	sink, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(recs); i += 700 {
		if err := sink.Write(recs[i:min(i+700, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if got := query(t, s, "SELECT count() FROM "+cfg.Table); got != strconv.Itoa(len(recs)) {
		t.Fatalf("count() = %s, want %d", got, len(recs))
	}
	// the stored columns are the portable layout's, in its order
	var want []string
	for _, c := range Columns {
		if c.Stored(Portable) {
			want = append(want, c.Name+"\t"+strings.ReplaceAll(c.Portable, "'", `\'`))
		}
	}
	desc := query(t, s, "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = '"+cfg.Table+"' AND default_kind = '' FORMAT TSV")
	if got := strings.Split(desc, "\n"); !slices.Equal(got, want) {
		t.Errorf("stored columns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	out := query(t, s, `SELECT toUnixTimestamp(stime), stime_ms, toUnixTimestamp(etime), etime_ms, duration,
		sensor, sensor_id, type,
		if(sip4 != 0 AND substring(sip, 1, 12) = unhex('00000000000000000000FFFF'), IPv4NumToString(sip4), IPv6NumToString(sip)),
		if(dip4 != 0 AND substring(dip, 1, 12) = unhex('00000000000000000000FFFF'), IPv4NumToString(dip4), IPv6NumToString(dip)),
		IPv6NumToString(nhip), sport, dport, protocol, packets, bytes, flags, initial_flags, session_flags,
		attributes, tos, application, input, output, sas, das, sampling_rate, scc, dcc
		FROM `+cfg.Table+` FORMAT TSV`)
	got := strings.Split(out, "\n")
	var exp []string
	for i := range recs {
		exp = append(exp, expectedRow(&recs[i], cfg.SensorName))
	}
	slices.Sort(got)
	slices.Sort(exp)
	bad := 0
	for i := range exp {
		if i >= len(got) || got[i] != exp[i] {
			if bad++; bad <= 3 {
				t.Errorf("row %d\n got %q\nwant %q", i, at(got, i), exp[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rows differ", bad, len(exp))
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

// expectedRow is a record as the query of TestRecordsReadBack prints it,
// made with Go's own formatting of each value.
func expectedRow(r *flowfile.Record, sensorName func(uint16) string) string {
	sec := func(ms int64) int64 {
		if ms < 0 {
			return 0
		}
		return ms / 1000
	}
	msec := func(ms int64) int64 {
		if ms < 0 {
			return 0
		}
		return ms % 1000
	}
	nh := "::"
	if r.NhIP.IsValid() {
		nh = r.NhIP.String()
		if r.NhIP.Is4() {
			nh = "::ffff:" + nh
		}
	} else if !r.IsIPv6() {
		nh = "::ffff:0.0.0.0"
	}
	dur := (sec(r.ETime)-sec(r.STime))*1000 + msec(r.ETime) - msec(r.STime)
	f := []any{sec(r.STime), msec(r.STime), sec(r.ETime), msec(r.ETime), dur,
		sensorName(r.Sensor), r.Sensor, r.Type, r.SIP, r.DIP, nh, r.SPort, r.DPort, r.Proto,
		r.Packets, r.Bytes, r.Flags, r.InitFlags, r.SessionFlags, r.Attributes, r.TOS, r.Application,
		r.In, r.Out, r.SrcAS, r.DstAS, r.SamplingRate, r.SCC, r.DCC}
	s := make([]string, len(f))
	for i, v := range f {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, "\t")
}

// A server killed in the middle of a run and started again loses no
// flow and gets none twice: the batches it missed wait in the spool and
// arrive once it answers.
func TestServerRestart(t *testing.T) {
	s := srv.Need(t)
	cfg := testConfig(t, s, s.URL())
	cfg.BatchRows = 2000
	sink, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	recs := genRecords(2, 60000)
	for i := range recs {
		recs[i].Packets = uint64(i + 1) // a unique key, to count duplicates
	}
	write := func(part []flowfile.Record) {
		for i := 0; i < len(part); i += 2000 {
			if err := sink.Write(part[i:min(i+2000, len(part))]); err != nil {
				t.Fatal(err)
			}
			if err := sink.Flush(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	third := len(recs) / 3
	write(recs[:third])
	// killed, the harshest way to stop: an insert may be cut in the middle
	s.Kill()
	write(recs[third : 2*third])
	// past the quick retries: the sink waits with back-off
	waitFor(t, "the sink to see the server down", func() bool { return !sink.Counters().Up })
	if c := sink.Counters(); c.Spooled == 0 || c.SpoolFiles == 0 {
		t.Fatalf("the server is down but nothing was spooled: %+v", c)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	write(recs[2*third:])
	waitFor(t, "the spool to drain", func() bool { return sink.Counters().SpoolFiles == 0 })
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	c := sink.Counters()
	t.Logf("%+v", c)
	if c.Lost != 0 {
		t.Errorf("%d flows lost", c.Lost)
	}
	got := query(t, s, "SELECT count(), uniqExact(packets), sum(bytes) FROM "+cfg.Table+" FORMAT TSV")
	var bytes uint64
	for i := range recs {
		bytes += recs[i].Bytes
	}
	if want := fmt.Sprintf("%d\t%d\t%d", len(recs), len(recs), bytes); got != want {
		t.Errorf("count, distinct, bytes = %q, want %q", got, want)
	}
}

// An insert that lands although its answer is lost (the connection drops
// after the server took it) is not sent twice: the retry asks the server
// for the batch first.
func TestAnswerLost(t *testing.T) {
	s := srv.Need(t)
	p := newLossyProxy(t, fmt.Sprintf("127.0.0.1:%d", s.HTTPPort))
	cfg := testConfig(t, s, "http://"+p.addr()+"/")
	cfg.BatchRows = 1000
	sink, err := Open(cfg) // setup goes through the proxy untouched
	if err != nil {
		t.Fatal(err)
	}
	recs := genRecords(3, 5000)
	p.dropAnswers.Store(2) // the next two inserts land, their answers do not
	if err := sink.Write(recs); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if n := p.dropped.Load(); n != 2 {
		t.Fatalf("%d answers dropped, want 2", n)
	}
	c := sink.Counters()
	if c.Present != 2000 {
		t.Errorf("%d flows found present on the retry, want 2000 (%+v)", c.Present, c)
	}
	if got := query(t, s, "SELECT count() FROM "+cfg.Table); got != "5000" {
		t.Errorf("count() = %s, want 5000", got)
	}
}

// Batches spooled by one run (the server was down when it stopped) are
// sent by the next, once.
func TestSpoolFromEarlierRun(t *testing.T) {
	s := srv.Need(t)
	cfg := testConfig(t, s, "http://127.0.0.1:1/") // nothing listens there
	cfg.BatchRows = 1500
	sink, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	recs := genRecords(4, 4000)
	if err := sink.Write(recs); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(cfg.SpoolDir)
	if len(ents) != 3 {
		t.Fatalf("spool holds %d files, want 3", len(ents))
	}
	// the spool files are flow files that the tools read
	r, err := flowfile.Open(filepath.Join(cfg.SpoolDir, ents[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	blk, err := r.NextBlock()
	r.Close()
	if err != nil || len(blk) != 1500 || blk[0] != recs[0] {
		t.Fatalf("first spool file: %d records, err %v", len(blk), err)
	}

	cfg.URL = s.URL()
	sink, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the spool to drain", func() bool { return sink.Counters().SpoolFiles == 0 })
	sink.Close()
	if got := query(t, s, "SELECT count() FROM "+cfg.Table); got != "4000" {
		t.Errorf("count() = %s, want 4000", got)
	}
}

// A table whose columns have other types is refused at the start, with
// the column named.
func TestWrongTable(t *testing.T) {
	s := srv.Need(t)
	cfg := testConfig(t, s, s.URL())
	query(t, s, "CREATE TABLE "+cfg.Table+" (stime DateTime, sip String) ENGINE = MergeTree ORDER BY stime")
	_, err := Open(cfg)
	if err == nil || !strings.Contains(err.Error(), "column sip is String; gflow writes FixedString(16) or IPv6") {
		t.Fatalf("err = %v", err)
	}
	cfg.Table = "no_such_table"
	cfg.NoCreate = true
	if _, err := Open(cfg); err == nil || !strings.Contains(err.Error(), "does not exist; create it with docs/clickhouse.sql") {
		t.Fatalf("err = %v", err)
	}
}

// docs/clickhouse.sql is the schema the code creates, and runs as it is
// in clickhouse-client.
func TestDocsSchema(t *testing.T) {
	doc, err := os.ReadFile("../../docs/clickhouse.sql")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), DDL("flows", Portable)) {
		t.Errorf("docs/clickhouse.sql lacks the portable table:\n%s", DDL("flows", Portable))
	}
	var modern strings.Builder
	for line := range strings.SplitSeq(strings.TrimSuffix(DDL("flows", Modern), "\n"), "\n") {
		modern.WriteString("-- " + line + "\n")
	}
	if !strings.Contains(string(doc), modern.String()) {
		t.Errorf("docs/clickhouse.sql lacks the modern table, commented:\n%s", modern.String())
	}
	s := srv.Need(t)
	query(t, s, "CREATE DATABASE IF NOT EXISTS docs")
	out, err := s.Client("--database=docs", "--multiquery", "--query", string(doc))
	if err != nil {
		if strings.Contains(err.Error(), "not installed") {
			t.Skip(err)
		}
		t.Fatalf("clickhouse-client: %v\n%s", err, out)
	}
	if got := query(t, s, "SELECT count() FROM system.columns WHERE database = 'docs' AND table = 'flows'"); got != strconv.Itoa(len(Columns)) {
		t.Errorf("docs.flows has %s columns, want %d", got, len(Columns))
	}

	// every query of docs/clickhouse.md runs on the table
	md, err := os.ReadFile("../../docs/clickhouse.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(string(md), -1)
	if len(blocks) < 5 {
		t.Fatalf("%d SQL blocks in docs/clickhouse.md", len(blocks))
	}
	for _, b := range blocks {
		if _, err := s.Query(strings.ReplaceAll(b[1], "FROM flows", "FROM docs.flows")); err != nil {
			t.Errorf("docs/clickhouse.md: %v", err)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lossyProxy passes HTTP requests on to the server; while dropAnswers
// is positive, it lets an INSERT through, waits for the server's answer
// and cuts the client's connection instead of passing the answer on.
type lossyProxy struct {
	srv         *httptest.Server
	target      string
	dropAnswers atomic.Int64
	dropped     atomic.Int64
}

func newLossyProxy(t *testing.T, target string) *lossyProxy {
	p := &lossyProxy{target: target}
	p.srv = httptest.NewServer(http.HandlerFunc(p.handle))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *lossyProxy) addr() string { return p.srv.Listener.Addr().String() }

func (p *lossyProxy) handle(w http.ResponseWriter, r *http.Request) {
	u := *r.URL
	u.Scheme, u.Host = "http", p.target
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // the whole answer: an insert has landed
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if strings.HasPrefix(r.URL.Query().Get("query"), "INSERT") && p.dropAnswers.Load() > 0 {
		p.dropAnswers.Add(-1)
		p.dropped.Add(1)
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close() // the client sees its connection cut
		}
		return
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}
