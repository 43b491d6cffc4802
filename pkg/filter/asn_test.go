package filter

import (
	"math/rand/v2"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

func asFilter(t *testing.T, name, value string) *Filter {
	t.Helper()
	b := NewBuilder()
	if err := b.Set(name, value); err != nil {
		t.Fatalf("--%s=%s: %v", name, value, err)
	}
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// --sas, --das and --any-as take lists and ranges as the port switches do,
// up to the largest four-octet AS number, with an optional "AS".
func TestASSwitches(t *testing.T) {
	for _, tc := range []struct {
		sw, value string
		src, dst  uint32
		pass      bool
	}{
		{"sas", "13335", 13335, 0, true},
		{"sas", "13335", 0, 13335, false},
		{"das", "13335", 0, 13335, true},
		{"sas", "15169,13335", 13335, 0, true},
		{"sas", "AS13335,as15169", 15169, 0, true},
		{"sas", "64512-65534", 65000, 0, true},
		{"sas", "64512-65534", 65535, 0, false},
		{"sas", "AS64512-AS65534", 64512, 0, true},
		{"sas", "4200000000-", 4294967295, 0, true},
		{"sas", "4200000000-", 4199999999, 0, false},
		{"sas", "0", 0, 6939, true}, // internal or unknown
		{"any-as", "6939", 0, 6939, true},
		{"any-as", "6939", 6939, 0, true},
		{"any-as", "6939", 1, 2, false},
		{"das", "1-10,5-20,100", 15, 15, true}, // overlapping items merge
		{"das", "1-10,5-20,100", 21, 21, false},
		{"das", "1-10,5-20,100", 100, 100, true},
	} {
		f := asFilter(t, tc.sw, tc.value)
		r := flowfile.Record{SrcAS: tc.src, DstAS: tc.dst}
		if got := f.Match(&r); got != tc.pass {
			t.Errorf("--%s=%s on sAS %d dAS %d: %v, want %v", tc.sw, tc.value, tc.src, tc.dst, got, tc.pass)
		}
	}
	for _, tc := range []struct{ value, msg string }{
		{"", "Invalid sas '': Input is empty or all whitespace"},
		{"4294967296", "Invalid sas '4294967296': Value is above maximum of 4294967295"},
		{"x", "Invalid sas 'x': Unexpected character at 'x'"},
		{"20-10", "Invalid sas '20-10': Range is invalid (min > max) (20-10)"},
		{"AS", "Invalid sas 'AS': Unexpected character at 'A'"},
	} {
		err := NewBuilder().Set("sas", tc.value)
		if err == nil || err.Error() != tc.msg {
			t.Errorf("--sas=%q: error %v, want %q", tc.value, err, tc.msg)
		}
	}
}

// RangeSet.Has against the plain definition, on random lists.
func TestRangeSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	for range 200 {
		type r struct{ lo, hi uint32 }
		var rs []r
		value := ""
		for i := range 1 + rng.IntN(6) {
			lo := rng.Uint32N(1000)
			hi := lo + rng.Uint32N(50)
			rs = append(rs, r{lo, hi})
			if i > 0 {
				value += ","
			}
			value += itoa(lo) + "-" + itoa(hi)
		}
		set, e := parseASList(value)
		if e != "" {
			t.Fatalf("%s: %s", value, e)
		}
		for v := uint32(0); v < 1100; v++ {
			want := false
			for _, x := range rs {
				want = want || v >= x.lo && v <= x.hi
			}
			if set.Has(v) != want {
				t.Fatalf("%s: Has(%d) = %v", value, v, !want)
			}
		}
	}
}

func itoa(v uint32) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + v%10)}, b...)
		if v /= 10; v == 0 {
			return string(b)
		}
	}
}
