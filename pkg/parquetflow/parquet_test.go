package parquetflow_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/clickhouse"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/filter/gfilter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/parquetflow"
	"github.com/parquet-go/parquet-go"
	"github.com/spf13/cobra"
)

func run(t *testing.T, cmd func(cli.IO) *cobra.Command, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	if st := cli.Run(cmd(std), args, std); st != 0 {
		t.Fatalf("%v: status %d: %s", args, st, errb.String())
	}
	return out.String()
}

// writeFlows writes records to a gflow file.
func writeFlows(t *testing.T, path string, recs []flowfile.Record) {
	t.Helper()
	w, err := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
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

func flows(n int, start time.Time) []flowfile.Record {
	recs := make([]flowfile.Record, n)
	flowgen.New(7, flowgen.Options{Hosts: 3000, AS: true, Sensors: 2, Start: start, PerHour: n / 3}).Fill(recs)
	recs[0].NhIP = netip.Addr{} // a flow without next hop
	return recs
}

// gfilter --output-format=parquet writes what gcut prints: the file read
// back with parquet-go gives, field by field, gcut's text of the input.
func TestParquetAgreesWithGcut(t *testing.T) {
	dir := t.TempDir()
	in, pq, back := filepath.Join(dir, "in.gf"), filepath.Join(dir, "out.parquet"), filepath.Join(dir, "back.gf")
	recs := flows(30000, flowgen.DefaultStart)
	writeFlows(t, in, recs)
	run(t, gfilter.NewCommand, "--protocol=0-255", "--output-format=parquet", "--pass="+pq, in)

	fh, err := os.Open(pq)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	got, err := parquetflow.ReadAll(fh)
	if err != nil {
		t.Fatal(err)
	}
	writeFlows(t, back, got)
	want := run(t, cut.NewCommand, "--all-fields", "--ip-format=canonical", in)
	have := run(t, cut.NewCommand, "--all-fields", "--ip-format=canonical", back)
	if want != have {
		wl, hl := strings.Split(want, "\n"), strings.Split(have, "\n")
		for i := range min(len(wl), len(hl)) {
			if wl[i] != hl[i] {
				t.Fatalf("gcut line %d differs:\n gflow:   %s\n parquet: %s", i, wl[i], hl[i])
			}
		}
		t.Fatalf("gcut of the Parquet file has %d lines, of the input %d", len(hl), len(wl))
	}
	if len(got) != len(recs) {
		t.Fatalf("%d rows, want %d", len(got), len(recs))
	}

	// sensor names and the IPv4 columns, which the records do not hold
	fh.Seek(0, 0)
	rows := make([]parquetflow.Row, len(recs))
	r := parquet.NewGenericReader[parquetflow.Row](fh)
	n, _ := r.Read(rows)
	r.Close()
	for i := range rows[:n] {
		row, rec := &rows[i], &recs[i]
		if row.Sensor != fmt.Sprintf("S%d", rec.Sensor) {
			t.Fatalf("row %d: sensor %q, want S%d", i, row.Sensor, rec.Sensor)
		}
		v4, isV4 := clickhouse.IPv4(rec.SIP)
		if isV4 != (row.SIP4 != nil) || isV4 && *row.SIP4 != v4 {
			t.Fatalf("row %d: sip4 %v for %v", i, row.SIP4, rec.SIP)
		}
	}
}

// The Parquet columns are the ClickHouse table's, by name and in order
// (without the insert's batch id and the portable layout's milliseconds).
func TestColumnsAreClickHouses(t *testing.T) {
	var want []string
	for _, c := range clickhouse.Columns {
		if !c.ClickHouseOnly {
			want = append(want, c.Name)
		}
	}
	var got []string
	for _, f := range parquet.SchemaOf(parquetflow.Row{}).Fields() {
		got = append(got, f.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("Parquet columns %v\nClickHouse's %v", got, want)
	}
}

// A directory destination gets Hive-style partitions by start hour, and
// together they hold every flow once.
func TestHivePartitions(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.gf"), filepath.Join(dir, "export")+"/"
	start := time.Date(2024, 5, 1, 22, 0, 0, 0, time.UTC)
	recs := flows(20000, start) // about 3 h: across midnight
	writeFlows(t, in, recs)
	run(t, gfilter.NewCommand, "--protocol=0-255", "--output-format=parquet", "--pass="+out, in)

	var got []flowfile.Record
	var parts []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		part := filepath.Dir(rel)
		parts = append(parts, part)
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer fh.Close()
		recs, err := parquetflow.ReadAll(fh)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		for i := range recs {
			h := recs[i].StartTime()
			if want := h.Format("date=2006-01-02/hour=15"); part != want {
				return fmt.Errorf("%s holds a flow of %s", rel, want)
			}
		}
		got = append(got, recs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(parts)
	parts = slices.Compact(parts)
	if len(parts) < 3 || !strings.HasPrefix(parts[0], "date=2024-05-01/hour=22") || !slices.Contains(parts, "date=2024-05-02/hour=00") {
		t.Errorf("partitions %v", parts)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d flows in the partitions, want %d", len(got), len(recs))
	}
	key := func(r flowfile.Record) string { return fmt.Sprint(r) }
	a, b := make([]string, len(recs)), make([]string, len(got))
	for i := range recs {
		a[i], b[i] = key(recs[i]), key(got[i])
	}
	slices.Sort(a)
	slices.Sort(b)
	if !reflect.DeepEqual(a, b) {
		t.Error("the partitions do not hold the input's flows")
	}
}
