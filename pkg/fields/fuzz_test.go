package fields_test

import (
	"testing"

	"github.com/gflow/gflow/pkg/fields"
)

// Field lists, IP and time formats come from the command line: parsing
// must never panic, and a list that parses names each field once.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"sip,sport", "1,3-5", "1-", "-3", "5-3", ",,", "sTime+msec", "distinct:sip", "4294967295-4294967296"} {
		f.Add(s)
	}
	reg := fields.NewRegistry(fields.CutFields)
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := reg.Parse(s)
		if err == nil {
			seen := map[fields.ID]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("%q: %s twice", s, id)
				}
				seen[id] = true
			}
		}
		fields.ParseIPFormat(s)
		fields.ParseTimeFormat(s, true)
		fields.ParsePolicy(s)
	})
}
