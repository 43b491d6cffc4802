package fields_test

import (
	"testing"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// The AS fields are gflow's: names as the other fields' (any case, unique
// prefix), no numeric ids, in the lists of the tools that take them.
func TestASFieldNames(t *testing.T) {
	reg := fields.NewRegistry(fields.CutFields)
	for name, want := range map[string]fields.ID{"sas": fields.SAS, "DAS": fields.DAS, "sasname": fields.SASName,
		"dASName": fields.DASName, "sasn": fields.SASName, "dasn": fields.DASName} {
		if got, err := reg.Lookup(name); err != nil || got != want {
			t.Errorf("Lookup(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := reg.Lookup("sa"); err == nil {
		t.Error(`"sa" is ambiguous (sAS, sASName) but matched`)
	}
	if _, err := reg.Lookup("33"); err == nil {
		t.Error("an AS field has a numeric id")
	}
	for _, list := range [][]fields.ID{fields.StatsKeys, fields.CutFields} {
		n := 0
		for _, id := range list {
			if id.Name() == "sAS" || id.Name() == "dAS" || id.IsASName() {
				n++
			}
		}
		if n != 4 {
			t.Errorf("%d AS fields in a tool's list, want 4", n)
		}
	}
	tuc := fields.NewRegistry(fields.TucFields)
	if _, err := tuc.Lookup("sAS"); err != nil {
		t.Errorf("gtuc's fields lack sAS: %v", err)
	}
	if fields.SAS.Needs() != flowfile.FieldSrc || fields.DASName.Needs() != flowfile.FieldDst {
		t.Error("AS fields must read the endpoint columns that hold them")
	}
}

func TestASFieldValues(t *testing.T) {
	names := map[uint32]string{13335: "Cloudflare, Inc.", 327843: "Réseau Ivoirien"}
	f := fields.NewFormatter(fields.Options{ASName: func(as uint32) string { return names[as] }, ASNameWidth: 18})
	r := flowfile.Record{SrcAS: 327843, DstAS: 13335}
	for _, tc := range []struct {
		id    fields.ID
		width int
		want  string
	}{
		{fields.SAS, 10, "    327843"},
		{fields.DAS, 10, "     13335"},
		{fields.DASName, 18, "  Cloudflare, Inc."},
		// padded by characters: é is two bytes
		{fields.SASName, 18, "   Réseau Ivoirien"},
	} {
		if w := f.Width(tc.id); w != tc.width {
			t.Errorf("Width(%s) = %d, want %d", tc.id, w, tc.width)
		}
		if got := string(f.AppendColumn(nil, tc.id, &r, f.Width(tc.id))); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.id, got, tc.want)
		}
	}
	// AS 0 and numbers the database does not know have no name
	r = flowfile.Record{SrcAS: 0, DstAS: 64512}
	if got := string(f.AppendValue(nil, fields.SASName, &r)) + string(f.AppendValue(nil, fields.DASName, &r)); got != "" {
		t.Errorf("names of AS 0 and an unknown AS: %q, want none", got)
	}
	if got := string(f.AppendValue(nil, fields.SAS, &r)); got != "0" {
		t.Errorf("sAS of AS 0: %q", got)
	}
	// a name longer than the column is printed whole
	r.DstAS = 13335
	if got := string(fields.NewFormatter(fields.Options{ASName: func(uint32) string { return "Cloudflare, Inc." }, ASNameWidth: 5}).AppendColumn(nil, fields.DASName, &r, 5)); got != "Cloudflare, Inc." {
		t.Errorf("long name: %q", got)
	}
}
