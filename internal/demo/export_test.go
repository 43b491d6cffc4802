package demo

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/netflow"
)

// The demo's export packets must decode, field for field, into the flows
// they were made from: otherwise the demo would test nothing.
func TestExportDecodesToTheSameFlows(t *testing.T) {
	a, _ := builtinAddresses(t)
	hour := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	recs := Generate(a, DefaultSite, Options{Seed: 9, Hour: hour, Conversations: 2000, IPv6Share: 0.4})
	now := hour.Add(time.Hour)
	for _, version := range []int{9, 10} {
		e := &Exporter{Version: version, Domain: 3, Boot: now.Add(-50 * time.Hour)}
		d := netflow.NewDecoder(netflow.DefaultOptions())
		from := netip.MustParseAddrPort("127.0.0.1:40000")
		var got []flowfile.Record
		for _, p := range e.Packets(recs, now) {
			if len(p) > 1400 {
				t.Fatalf("v%d packet of %d bytes, want <= 1400", version, len(p))
			}
			var err error
			got, err = d.Decode(got, p, from)
			if err != nil {
				t.Fatalf("v%d: decode: %v", version, err)
			}
		}
		if len(got) != len(recs) {
			t.Fatalf("v%d: decoded %d flows, sent %d", version, len(got), len(recs))
		}
		// Packets() sends IPv4 flows first, then IPv6, each in order.
		want := make([]flowfile.Record, 0, len(recs))
		for fam := range 2 {
			for i := range recs {
				if recs[i].IsIPv6() == (fam == 1) {
					want = append(want, recs[i])
				}
			}
		}
		for i := range want {
			w, g := want[i], got[i]
			if g.SIP != w.SIP || g.DIP != w.DIP || g.SPort != w.SPort || g.DPort != w.DPort || g.Proto != w.Proto ||
				g.Packets != w.Packets || g.Bytes != w.Bytes || g.STime != w.STime || g.ETime != w.ETime ||
				g.Flags != w.Flags || g.In != w.In || g.Out != w.Out {
				t.Fatalf("v%d flow %d:\n got  %+v\n want %+v", version, i, g, w)
			}
		}
		st := d.Stats().Exporters[0]
		if st.LostExports != 0 || st.NonConformantSequence != 0 || st.DataWithoutTemplate != 0 {
			t.Errorf("v%d: decoder saw lost=%d nonconformant=%d without-template=%d", version,
				st.LostExports, st.NonConformantSequence, st.DataWithoutTemplate)
		}
	}
}
