package geo

import (
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/flowfile"
)

// benchN addresses spread the lookups over the whole table (2 MB for IPv4,
// 5 MB for IPv6), more than a core's cache holds, so the figures include
// the cache misses a busy collector sees.
const benchN = 1 << 16

// benchAddrs are random addresses, fixed by the seed: IPv4 anywhere; IPv6
// inside networks the database places in a country (a random range's
// first /64 with random interface bits), since random 2000::/3 addresses
// are mostly unallocated and would flatter the figure.
func benchAddrs(b *testing.B, v6 bool) []netip.Addr {
	t := benchBuiltin(b).t
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]netip.Addr, benchN)
	for i := range out {
		if v6 {
			k := rng.IntN(len(t.starts6))
			for !t.codes6[k].Known() {
				k = rng.IntN(len(t.starts6))
			}
			s := t.starts6[k]
			out[i] = addrOf(u128{s.hi, s.lo | rng.Uint64()>>(64-tz64(s.lo))})
		} else {
			u := rng.Uint32()
			out[i] = netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
		}
	}
	return out
}

// tz64 is the number of trailing zero bits, 64 for zero.
func tz64(x uint64) uint {
	return uint(bits.TrailingZeros64(x))
}

func benchBuiltin(b *testing.B) *DB {
	db, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	return db
}

var sink flowfile.Country

func benchLookup(b *testing.B, v6 bool) {
	db := benchBuiltin(b)
	addrs := benchAddrs(b, v6)
	b.ReportAllocs()
	b.ResetTimer()
	var c flowfile.Country
	for i := 0; b.Loop(); i++ {
		c ^= db.Lookup(addrs[i&(benchN-1)])
	}
	sink = c
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkLookupIPv4 is the flat table on the built-in database.
func BenchmarkLookupIPv4(b *testing.B) { benchLookup(b, false) }

// BenchmarkLookupIPv6 is the flat table on the built-in database.
func BenchmarkLookupIPv6(b *testing.B) { benchLookup(b, true) }

// BenchmarkEnrich is what the collector pays per flow: the site rule and
// two lookups.
func BenchmarkEnrich(b *testing.B) {
	db := benchBuiltin(b)
	e, err := NewEnricher(db, []netip.Prefix{netip.MustParsePrefix("2001:470:1234::/48")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	addrs := benchAddrs(b, false)
	recs := make([]flowfile.Record, len(addrs))
	for i := range recs {
		recs[i].SIP, recs[i].DIP = addrs[i], addrs[(i+1)&(benchN-1)]
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e.Enrich(&recs[i&(benchN-1)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkMMDBLookup is the slow baseline: the mmdb's own lookup and
// decode of each address (IPv4), as a reader without flat tables pays.
func BenchmarkMMDBLookup(b *testing.B) {
	r, err := maxminddb.OpenBytes(builtinMMDB)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	addrs := benchAddrs(b, false)
	b.ReportAllocs()
	b.ResetTimer()
	var c flowfile.Country
	for i := 0; b.Loop(); i++ {
		c ^= refLookup(b, r, addrs[i&(benchN-1)])
	}
	sink = c
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkBuildBuiltin is the start-up cost of flattening the built-in
// database.
func BenchmarkBuildBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := openBytes("built-in", builtinMMDB); err != nil {
			b.Fatal(err)
		}
	}
}
