package gjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/mapjson"
	"github.com/gflow/gflow/pkg/stats"
)

// gstats | gjson in every text layout gstats prints gives the same map:
// the layouts rwstats users pick must not change what the map shows.
func TestGstatsPipeline(t *testing.T) {
	recs := make([]flowfile.Record, 5000)
	flowgen.New(11, flowgen.Options{Hosts: 2000}).Fill(recs)
	var stream bytes.Buffer
	w, err := flowfile.NewWriter(&stream, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecNone})
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	gstats := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		std := cli.IO{In: bytes.NewReader(stream.Bytes()), Out: &out, Err: &errb}
		if status := cli.Run(stats.NewCommand(std), args, std); status != 0 {
			t.Fatalf("gstats %v: status %d: %s", args, status, errb.String())
		}
		return out.String()
	}
	base := []string{"--top", "--count=0", "--fields=dcc", "--values=bytes,records"}
	layouts := []struct {
		name  string
		gstat []string
		gjson []string
	}{
		{"columnar", nil, nil},
		{"delimited", []string{"--delimited=,"}, nil},
		{"no-columns", []string{"--no-columns"}, nil},
		{"no-final-delimiter", []string{"--no-final-delimiter"}, nil},
		{"no-titles", []string{"--no-titles"}, []string{"--key=dcc", "--value-columns=Bytes,Records"}},
		{"no-titles-delimited", []string{"--no-titles", "--delimited=;"}, []string{"--key=dcc", "--value-columns=Bytes,Records"}},
	}
	var first *mapjson.Document
	for _, l := range layouts {
		text := gstats(append(append([]string{}, base...), l.gstat...)...)
		status, out, errs := gjson(t, text, l.gjson...)
		if status != 0 {
			t.Fatalf("%s: gjson status %d: %s\ninput:\n%s", l.name, status, errs, text)
		}
		var d mapjson.Document
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatal(err)
		}
		if d.Key != "dcc" || d.ValueName != "Bytes" || len(d.Rows) < 10 {
			t.Fatalf("%s: key %q value %q, %d rows\n%s", l.name, d.Key, d.ValueName, len(d.Rows), text)
		}
		if first == nil {
			first = &d
			if d.TotalSource != "input" || d.Input.Records != 5000 {
				t.Errorf("columnar: total from %s, input %+v", d.TotalSource, d.Input)
			}
			if d.NoCountry.Value == 0 {
				t.Error("no '--' share although flowgen makes some")
			}
			var sum float64
			for _, r := range d.Rows {
				sum += r.Percent
				if r.Name == "" || strings.ToUpper(r.Code) != r.Code {
					t.Errorf("row %+v", r)
				}
			}
			if sum += d.NoCountry.Percent; sum < 99.9 || sum > 100.1 {
				t.Errorf("percentages add up to %v", sum)
			}
			continue
		}
		if !reflect.DeepEqual(d.Rows, first.Rows) || d.NoCountry != first.NoCountry {
			t.Errorf("%s: rows differ from the columnar layout's", l.name)
		}
	}
}
