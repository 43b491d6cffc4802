package filter

import (
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Exporters send 32-bit interface indexes (a physical interface of
// 1342177291, a VLAN ifIndex of 70000): every one can be selected.
func TestWideInterfaceIndexes(t *testing.T) {
	recs := []flowfile.Record{{In: 3, Out: 4}, {In: 1342177291, Out: 0}, {In: 70000, Out: 65535}, {In: 65536, Out: 4294967295}}
	cases := []struct {
		name, value string
		want        []int // indexes of the records that pass
	}{
		{"input-index", "1342177291", []int{1}},
		{"input-index", "65535-70000", []int{2, 3}},
		{"input-index", "3,1342177280-1342177300", []int{0, 1}},
		{"input-index", "70000-", []int{1, 2}},
		{"output-index", "65535", []int{2}},
		{"output-index", "4294967295", []int{3}},
		{"output-index", "0-", []int{0, 1, 2, 3}},
		{"any-index", "65536,4", []int{0, 3}},
		{"any-index", "4294967290-4294967295,1342177291", []int{1, 3}},
	}
	for _, c := range cases {
		f, err := Compile([2]string{c.name, c.value})
		if err != nil {
			t.Fatalf("--%s=%s: %v", c.name, c.value, err)
		}
		var got []int
		for i := range recs {
			if f.Match(&recs[i]) {
				got = append(got, i)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("--%s=%s passes %v, want %v", c.name, c.value, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("--%s=%s passes %v, want %v", c.name, c.value, got, c.want)
				break
			}
		}
	}
}

func TestIndexListMergesRanges(t *testing.T) {
	s, e := ParseIndexList("100000-200000,150000-300000,300001,5")
	if e != "" {
		t.Fatal(e)
	}
	if len(s.large.lo) != 1 || s.large.lo[0] != 100000 || s.large.hi[0] != 300001 || !s.Has(5) || s.Has(6) || !s.Has(300001) || s.Has(300002) || s.Has(99999) {
		t.Errorf("ranges %v", s.large)
	}
}
