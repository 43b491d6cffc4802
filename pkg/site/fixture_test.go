package site

import (
	"bufio"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// sharedDir finds ../shared beside the repository root, or skips the test.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "fixtures", "silk", "flows.txt")); err != nil {
		t.Skipf("SiLK fixtures not found: %s is absent (clone the shared reference material beside the repository)", shared)
	}
	return shared
}

// flowKey identifies a flow in both flows.txt and rwcut's default output.
type flowKey struct{ sip, dip, sport, dport, stime string }

// readPipeText reads SiLK's '|'-separated text (title line first) and
// returns its rows as maps from column title to trimmed value.
func readPipeText(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var titles []string
	var rows []map[string]string
	for sc.Scan() {
		cols := strings.Split(strings.TrimSuffix(sc.Text(), "|"), "|")
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		if titles == nil {
			titles = cols
			continue
		}
		row := map[string]string{}
		for i, c := range cols {
			if i < len(titles) {
				row[titles[i]] = c
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestClassifyLikeRwflowpack types the IPv4 flows of sensor S0 in the
// shared fixture with the rules of sensor-S0.conf (internal 10.1.0.0/16,
// external remainder, null-interfaces 0) and checks each against the type
// whose repository file real rwflowpack put it in.
func TestClassifyLikeRwflowpack(t *testing.T) {
	silk := filepath.Join(sharedDir(t), "fixtures", "silk")
	cfg, err := Parse("sensor-S0.toml", []byte(`
internal = ["10.1.0.0/16"]
[[sensors]]
name = "S0"
id = 0
null-interfaces = [0]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := cfg.SensorByName("S0")

	// What rwflowpack did: every S0 file of the repository, by type.
	want := map[flowKey]flowfile.FlowType{}
	files, err := filepath.Glob(filepath.Join(silk, "expected", "repo", "*", "*", "*", "*", "*-S0_*.rwcut-default.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no expected S0 repository files (%v)", err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join(silk, "expected", "repo"), f)
		typ, err := flowfile.ParseFlowType(strings.SplitN(rel, string(filepath.Separator), 2)[0])
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range readPipeText(t, f) {
			want[flowKey{r["sIP"], r["dIP"], r["sPort"], r["dPort"], r["sTime"]}] = typ
		}
	}

	checked, dropped := 0, 0
	perType := map[flowfile.FlowType]int{}
	for _, r := range readPipeText(t, filepath.Join(silk, "flows.txt")) {
		if r["sensor"] != "S0" || strings.Contains(r["sIP"], ":") {
			continue
		}
		key := flowKey{r["sIP"], r["dIP"], r["sPort"], r["dPort"], r["sTime"]}
		rec := parseFixtureRow(t, r)
		cfg.Classify(&rec, s)
		typ, ok := want[key]
		if !ok {
			// rwflowpack drops a record whose bytes per packet exceed
			// what its file format holds (16383); nothing else.
			if rec.Packets > 0 && rec.Bytes/rec.Packets > 16383 {
				dropped++
				continue
			}
			t.Errorf("flow %v is in no S0 file of the repository", key)
			continue
		}
		if rec.Type != typ {
			t.Errorf("flow %v (proto %d, in %d, out %d): got %v, rwflowpack chose %v",
				key, rec.Proto, rec.In, rec.Out, rec.Type, typ)
		}
		perType[typ]++
		checked++
	}
	if checked != len(want) {
		t.Errorf("checked %d flows, the repository holds %d", checked, len(want))
	}
	if dropped != 1 {
		t.Errorf("%d flows dropped for their byte/packet ratio, the fixture has 1", dropped)
	}
	// The fixture exercises every type the S0 configuration can produce.
	for _, typ := range []flowfile.FlowType{flowfile.TypeIn, flowfile.TypeOut, flowfile.TypeInWeb,
		flowfile.TypeOutWeb, flowfile.TypeInNull, flowfile.TypeOutNull, flowfile.TypeInt2Int, flowfile.TypeExt2Ext} {
		if perType[typ] == 0 {
			t.Errorf("no %v flow checked", typ)
		}
	}
	t.Logf("%d S0 flows typed as rwflowpack typed them: %v", checked, perType)
}

func parseFixtureRow(t *testing.T, r map[string]string) flowfile.Record {
	t.Helper()
	num := func(k string) uint64 {
		v, err := strconv.ParseUint(r[k], 10, 64)
		if err != nil {
			t.Fatalf("column %s: %v", k, err)
		}
		return v
	}
	var rec flowfile.Record
	var err error
	if rec.SIP, err = parseAddr(r["sIP"]); err != nil {
		t.Fatal(err)
	}
	if rec.DIP, err = parseAddr(r["dIP"]); err != nil {
		t.Fatal(err)
	}
	rec.SPort = uint16(num("sPort"))
	rec.DPort = uint16(num("dPort"))
	rec.Proto = uint8(num("protocol"))
	rec.Packets = num("packets")
	rec.Bytes = num("bytes")
	rec.In = uint32(num("in"))
	rec.Out = uint32(num("out"))
	return rec
}

func parseAddr(s string) (netip.Addr, error) { return netip.ParseAddr(s) }
