package collector

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/site"
)

// The cache answers what the Enricher and the AS database answer, for
// addresses seen again, addresses that evict each other and addresses it
// does not cache.
func TestCountryCacheAgreesWithEnricher(t *testing.T) {
	db, err := geo.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	enr, err := geo.NewEnricher(db, site.Default().Internal, nil)
	if err != nil {
		t.Fatal(err)
	}
	asdb, err := asn.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	c := newCountryCache(enr, asdb)
	rng := rand.New(rand.NewPCG(3, 4))
	var addrs []netip.Addr
	for range 100_000 { // three times the cache: entries are evicted and refilled
		addrs = append(addrs, netip.AddrFrom4([4]byte{byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}))
	}
	addrs = append(addrs, netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("2001:4860::1"),
		netip.MustParseAddr("::ffff:8.8.8.8"), netip.Addr{}, netip.MustParseAddr("0.0.0.0"))
	countries, ases := map[string]bool{}, map[uint32]bool{}
	for round := range 3 {
		for range len(addrs) {
			a := addrs[rng.IntN(len(addrs))]
			got, gotAS := c.lookup(a)
			want, public := enr.Classify(a)
			wantAS := uint32(0)
			if public {
				wantAS = asdb.Lookup(a)
			}
			if got != want || gotAS != wantAS {
				t.Fatalf("round %d, %v: cache says %v AS%d, enricher and AS database %v AS%d", round, a, got, gotAS, want, wantAS)
			}
			countries[want.String()] = true
			ases[wantAS] = true
		}
	}
	if len(countries) < 20 || len(ases) < 1000 {
		t.Fatalf("only %d distinct countries and %d AS numbers: the test does not exercise the cache's values", len(countries), len(ases))
	}
}

// The collector fills the AS numbers exporters do not send: from the
// database for public addresses, 0 for internal and special ones; an
// exporter's own BGP numbers are kept.
func TestASNumbersFilled(t *testing.T) {
	db, err := geo.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	enr, err := geo.NewEnricher(db, []netip.Prefix{netip.MustParsePrefix("2001:200:1bb::/48"), netip.MustParsePrefix("192.168.0.0/16")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	asdb, err := asn.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	c := newCountryCache(enr, asdb)
	for _, tc := range []struct {
		sip, dip     string
		sentS, sentD uint32
		wantS, wantD uint32
	}{
		{"1.0.0.1", "192.168.1.10", 0, 0, 13335, 0}, // public from the database, internal 0
		{"192.168.1.10", "1.0.0.1", 0, 0, 0, 13335},
		{"1.0.0.1", "192.168.1.10", 64500, 0, 64500, 0},        // the exporter's BGP AS wins
		{"1.0.0.1", "192.168.1.10", 0, 65001, 13335, 65001},    // even for an internal address
		{"2001:200:1ba::1", "2001:200:1bb::5", 0, 0, 24047, 0}, // a site's own /48 inside WIDE's space
		{"2001:200:1bc::1", "fd00::1", 0, 0, 2500, 0},
		{"::ffff:1.0.0.1", "203.0.113.9", 0, 0, 13335, 0}, // mapped; documentation range
		{"198.18.0.1", "100.64.0.1", 0, 0, 0, 0},          // benchmarking, CGNAT
		{"1.0.1.1", "8.8.8.8", 0, 0, 0, 15169},            // in no network's announcement
	} {
		r := flowfile.Record{SIP: netip.MustParseAddr(tc.sip), DIP: netip.MustParseAddr(tc.dip), SrcAS: tc.sentS, DstAS: tc.sentD}
		sas, das := c.enrich(&r)
		fillAS(&r, sas, das)
		if r.SrcAS != tc.wantS || r.DstAS != tc.wantD {
			t.Errorf("%s -> %s sent AS %d/%d: AS %d/%d, want %d/%d", tc.sip, tc.dip, tc.sentS, tc.sentD, r.SrcAS, r.DstAS, tc.wantS, tc.wantD)
		}
	}
	// without an AS database, the numbers stay as sent
	r := flowfile.Record{SIP: netip.MustParseAddr("1.0.0.1"), DIP: netip.MustParseAddr("8.8.8.8"), DstAS: 7}
	sas, das := newCountryCache(enr, nil).enrich(&r)
	fillAS(&r, sas, das)
	if r.SrcAS != 0 || r.DstAS != 7 || r.SCC != enr.Country(r.SIP) {
		t.Errorf("no AS database: AS %d/%d, country %s", r.SrcAS, r.DstAS, r.SCC)
	}
}
