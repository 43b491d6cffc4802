package collector

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/site"
)

// The cache answers what the Enricher answers, for addresses seen again,
// addresses that evict each other and addresses it does not cache.
func TestCountryCacheAgreesWithEnricher(t *testing.T) {
	db, err := geo.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	enr, err := geo.NewEnricher(db, site.Default().Internal, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newCountryCache(enr)
	rng := rand.New(rand.NewPCG(3, 4))
	var addrs []netip.Addr
	for range 100_000 { // three times the cache: entries are evicted and refilled
		addrs = append(addrs, netip.AddrFrom4([4]byte{byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}))
	}
	addrs = append(addrs, netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("2001:4860::1"),
		netip.MustParseAddr("::ffff:8.8.8.8"), netip.Addr{}, netip.MustParseAddr("0.0.0.0"))
	countries := map[string]bool{}
	for round := range 3 {
		for range len(addrs) {
			a := addrs[rng.IntN(len(addrs))]
			got, want := c.country(a), enr.Country(a)
			if got != want {
				t.Fatalf("round %d, %v: cache says %v, enricher %v", round, a, got, want)
			}
			countries[want.String()] = true
		}
	}
	if len(countries) < 20 {
		t.Fatalf("only %d distinct countries: the test does not exercise the cache's values", len(countries))
	}
}
