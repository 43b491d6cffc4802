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

// benchAddrs are random addresses, fixed by the seed: IPv4 anywhere. For
// IPv6, spread=false draws each address inside a different network of the
// database (a random range's first /64 with random interface bits): the
// worst case, every lookup in a cold corner of the table, since ranges
// cluster where geofeeds list thousands of small networks. spread=true
// draws uniformly from 2000::/3, mostly unallocated space.
func benchAddrs(b *testing.B, v6, spread bool) []netip.Addr {
	t := benchBuiltin(b).t
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]netip.Addr, benchN)
	for i := range out {
		switch {
		case v6 && spread:
			out[i] = addrOf(u128{0x2000<<48 | rng.Uint64()>>3, rng.Uint64()})
		case v6:
			k := rng.IntN(len(t.starts6))
			for !t.codes6[k].Known() {
				k = rng.IntN(len(t.starts6))
			}
			s := t.starts6[k]
			out[i] = addrOf(u128{s.hi, s.lo | rng.Uint64()>>(64-tz64(s.lo))})
		default:
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

func benchLookup(b *testing.B, addrs []netip.Addr) {
	db := benchBuiltin(b)
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
func BenchmarkLookupIPv4(b *testing.B) { benchLookup(b, benchAddrs(b, false, false)) }

// BenchmarkLookupIPv6 is the flat table on the built-in database, each
// address in a different network (the worst case).
func BenchmarkLookupIPv6(b *testing.B) { benchLookup(b, benchAddrs(b, true, false)) }

// BenchmarkLookupIPv6Spread is the flat table on addresses spread over
// 2000::/3.
func BenchmarkLookupIPv6Spread(b *testing.B) { benchLookup(b, benchAddrs(b, true, true)) }

// BenchmarkEnrich is what the collector pays per flow: the site rule and
// two lookups.
func BenchmarkEnrich(b *testing.B) {
	db := benchBuiltin(b)
	e, err := NewEnricher(db, []netip.Prefix{netip.MustParsePrefix("2001:470:1234::/48")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	addrs := benchAddrs(b, false, false)
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

func benchMMDB(b *testing.B, addrs []netip.Addr) {
	r, err := maxminddb.OpenBytes(builtinMMDB)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.ReportAllocs()
	b.ResetTimer()
	var c flowfile.Country
	for i := 0; b.Loop(); i++ {
		c ^= refLookup(b, r, addrs[i&(benchN-1)])
	}
	sink = c
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkMMDBLookup is the slow baseline: the mmdb's own lookup and
// decode of each address, as a reader without flat tables pays; the same
// IPv4 addresses as BenchmarkLookupIPv4.
func BenchmarkMMDBLookup(b *testing.B) { benchMMDB(b, benchAddrs(b, false, false)) }

// BenchmarkMMDBLookupIPv6 is the baseline for BenchmarkLookupIPv6.
func BenchmarkMMDBLookupIPv6(b *testing.B) { benchMMDB(b, benchAddrs(b, true, false)) }

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
