package asn

import (
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/iptable/iptabletest"
)

// The benchmarks look up the same million addresses in the built-in AS
// table, the built-in country table (what the collector already pays per
// address) and an mmdb of the same AS data through the mmdb reader (what a
// tool without flat tables would pay). A million addresses spread over
// the whole table, more than a core's cache holds, so the figures include
// the cache misses a busy collector sees.
const benchN = 1 << 20

var benchSets struct {
	once   sync.Once
	v4, v6 []netip.Addr
}

// benchAddrs: IPv4 uniform over the whole space; IPv6 each in a randomly
// chosen range that some AS holds (uniform over 2000::/3 would mostly miss:
// little of it is announced), the worst case for both tables.
func benchAddrs(b *testing.B, v6 bool) []netip.Addr {
	db := builtinDB(b)
	benchSets.once.Do(func() {
		rng := rand.New(rand.NewPCG(7, 21))
		starts, vals := db.t.Ranges6()
		benchSets.v4 = make([]netip.Addr, benchN)
		benchSets.v6 = make([]netip.Addr, benchN)
		for i := range benchN {
			benchSets.v4[i] = u32Addr(rng.Uint32())
			k := rng.IntN(len(starts))
			for vals[k] == 0 {
				k = rng.IntN(len(starts))
			}
			benchSets.v6[i] = iptabletest.InRange6(rng, starts[k])
		}
	})
	if v6 {
		return benchSets.v6
	}
	return benchSets.v4
}

var sinkAS uint32
var sinkCC flowfile.Country

func benchAS(b *testing.B, v6 bool) {
	addrs := benchAddrs(b, v6)
	db := builtinDB(b)
	b.ReportAllocs()
	b.ResetTimer()
	var s uint32
	for i := 0; b.Loop(); i++ {
		s ^= db.Lookup(addrs[i&(benchN-1)])
	}
	sinkAS = s
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

func benchCountry(b *testing.B, v6 bool) {
	addrs := benchAddrs(b, v6)
	db, err := geo.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var c flowfile.Country
	for i := 0; b.Loop(); i++ {
		c ^= db.Lookup(addrs[i&(benchN-1)])
	}
	sinkCC = c
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

var benchMMDBBytes struct {
	once sync.Once
	b    []byte
}

func benchMMDB(b *testing.B, v6 bool) {
	addrs := benchAddrs(b, v6)
	benchMMDBBytes.once.Do(func() { benchMMDBBytes.b = builtinAsMMDB(b, 1) })
	r, err := maxminddb.OpenBytes(benchMMDBBytes.b)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.ReportAllocs()
	b.ResetTimer()
	var s uint32
	for i := 0; b.Loop(); i++ {
		var rec struct {
			ASN uint32 `maxminddb:"autonomous_system_number"`
		}
		if err := r.Lookup(addrs[i&(benchN-1)]).Decode(&rec); err != nil {
			b.Fatal(err)
		}
		s ^= rec.ASN
	}
	sinkAS = s
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkLookupIPv4 is the built-in AS table.
func BenchmarkLookupIPv4(b *testing.B) { benchAS(b, false) }

// BenchmarkCountryLookupIPv4 is the built-in country table on the same
// addresses: AS lookups must be at least as fast.
func BenchmarkCountryLookupIPv4(b *testing.B) { benchCountry(b, false) }

// BenchmarkMMDBLookupIPv4 is the mmdb reader on the same AS data and
// addresses. Its setup builds the mmdb with mmdbwriter (tens of seconds).
func BenchmarkMMDBLookupIPv4(b *testing.B) { benchMMDB(b, false) }

// BenchmarkLookupIPv6 is the built-in AS table on allocated IPv6 addresses.
func BenchmarkLookupIPv6(b *testing.B) { benchAS(b, true) }

// BenchmarkCountryLookupIPv6 is the country table on the same addresses.
func BenchmarkCountryLookupIPv6(b *testing.B) { benchCountry(b, true) }

// BenchmarkMMDBLookupIPv6 is the mmdb reader on the same addresses.
func BenchmarkMMDBLookupIPv6(b *testing.B) { benchMMDB(b, true) }

// BenchmarkOpenBuiltin is the start-up cost of decoding the built-in table
// (a tool pays it once, on first use).
func BenchmarkOpenBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenTable(builtinTable); err != nil {
			b.Fatal(err)
		}
	}
}
