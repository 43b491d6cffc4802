package stats

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// endpointFlows are flows of both families over several blocks, with
// destinations that IPv4 and IPv6 sources share and IPv4-mapped sources
// (IPv4 flows written as IPv6): a record's family is its source's, which
// sums by destination must keep apart.
func endpointFlows(t *testing.T) (whole, selected []byte) {
	t.Helper()
	recs := make([]flowfile.Record, 12000)
	flowgen.New(3, flowgen.Options{Hosts: 3000}).Fill(recs)
	shared := netip.MustParseAddr("192.0.2.7")
	for i := 0; i < len(recs); i += 7 {
		recs[i].DIP = shared
	}
	for i := 3; i < len(recs); i += 11 {
		if recs[i].SIP.Is4() {
			recs[i].SIP = netip.AddrFrom16(recs[i].SIP.As16())
		}
	}
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
	if err != nil {
		t.Fatal(err)
	}
	w.SetBlockRecords(3000)
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	whole = buf.Bytes()

	// the TCP flows, as gfilter passes them: whole blocks with a selection
	r, err := flowfile.NewReader(bytes.NewReader(whole))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sw, err := flowfile.NewWriter(&out, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2})
	if err != nil {
		t.Fatal(err)
	}
	for {
		sel, n, err := r.SelectBlock(nil, flowfile.FieldClass, func(r *flowfile.Record) bool { return r.Proto == 6 })
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if sel == nil {
			t.Fatal("no selection: every record is TCP?")
		}
		if err := sw.WriteSelected(r.RawBlock(), sel, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	return whole, out.Bytes()
}

// topByPath aggregates a stream by records (flowfile.Process, AddRun) or
// by the blocks' endpoint sums (ProcessEndpoints, AddSums) and returns
// every bin as text, its lines sorted.
func topByPath(t *testing.T, data []byte, spec Spec, sums bool) string {
	t.Helper()
	a, err := NewAggregator(spec, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if sums {
		dst, ok := spec.EndpointSide()
		if !ok {
			t.Fatalf("%v: not an endpoint key", spec.Keys)
		}
		err = flowfile.ProcessEndpoints(r, 2, dst, spec.Needs()&flowfile.FieldCounts, func(w int, s []flowfile.EndpointSum) error {
			a.AddSums(w, s, dst)
			return nil
		}, nil)
	} else {
		r.SetFields(spec.Needs())
		err = flowfile.Process(r, 2, func(w int, run []flowfile.Record) error {
			a.AddRun(w, run)
			return nil
		}, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	res := a.Finish()
	var out bytes.Buffer
	if err := WriteText(&out, res, res.Select(), fields.NewFormatter(fields.Options{Policy: spec.Policy}), Layout{NoPercents: true}); err != nil {
		t.Fatal(err)
	}
	// An IPv4 destination of IPv4 and of IPv6 sources is two bins (the
	// families' keys differ) that print alike; when they tie, either
	// comes first: compare the rows in order of their text.
	lines := strings.Split(out.String(), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestEndpointSumsAgreeWithRecords: binning the blocks' endpoint sums
// gives the table that binning every record gives, for keys of either
// side, every IPv6 policy, every summed value, with and without a
// selection.
func TestEndpointSumsAgreeWithRecords(t *testing.T) {
	whole, selected := endpointFlows(t)
	for _, in := range []struct {
		name string
		data []byte
	}{{"whole", whole}, {"selected", selected}} {
		for _, key := range []string{"sip", "dip", "scc", "dcc", "sip,scc", "dcc,dip"} {
			for _, pol := range []fields.Policy{fields.PolicyMix, fields.PolicyIgnore, fields.PolicyAsV4, fields.PolicyForce, fields.PolicyOnly} {
				for _, vals := range []string{"bytes", "packets,records,bytes"} {
					if vals == "bytes" && pol != fields.PolicyMix {
						continue
					}
					spec := Spec{Keys: keys(t, key), Values: values(t, vals), Limit: LimitCount, Count: 0, Policy: pol}
					want := topByPath(t, in.data, spec, false)
					got := topByPath(t, in.data, spec, true)
					if got != want {
						n, g, w := firstDiff(got, want)
						t.Errorf("%s, --fields=%s --values=%s, %s: line %d of the table is\n%s\nby endpoint sums, and\n%s\nby records",
							in.name, key, vals, pol, n, g, w)
					}
				}
			}
		}
	}
}

// firstDiff is the first line where two tables differ, and its number.
func firstDiff(a, b string) (int, string, string) {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1, la[i], lb[i]
		}
	}
	return min(len(la), len(lb)) + 1, "", ""
}

// TestEndpointSide: only keys of one side's endpoint fields with summed
// values take the endpoint sums.
func TestEndpointSide(t *testing.T) {
	for _, c := range []struct {
		keys, vals string
		dst, ok    bool
	}{
		{"sip", "bytes", false, true},
		{"scc,sip", "records,packets", false, true},
		{"dip", "bytes", true, true},
		{"dcc", "flows", true, true},
		{"sip,dip", "bytes", false, false},
		{"sip,sport", "bytes", false, false},
		{"protocol", "bytes", false, false},
		{"sip", "dip-distinct", false, false},
	} {
		spec := Spec{Keys: keys(t, c.keys), Values: values(t, c.vals)}
		dst, ok := spec.EndpointSide()
		if ok != c.ok || ok && dst != c.dst {
			t.Errorf("--fields=%s --values=%s: EndpointSide() = %v, %v; want %v, %v", c.keys, c.vals, dst, ok, c.dst, c.ok)
		}
	}
}
