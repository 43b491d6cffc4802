package geo

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/iptable/iptabletest"
)

// benchN addresses spread the lookups over the whole table (2 MB for IPv4,
// 5 MB for IPv6), more than a core's cache holds, so the figures include
// the cache misses a busy collector sees.
const benchN = 1 << 16

// IPv6 address sets for the benchmarks.
const (
	v4Any        = iota // IPv4, uniform over the whole space
	v6Allocated         // IPv6, uniform over 2000::/3 among addresses the database places in a country
	v6PerNetwork        // IPv6, each in a different randomly chosen network of the database
)

// benchAddrs are random addresses, fixed by the seed. v6PerNetwork is the
// worst case: ranges cluster where geofeeds list thousands of small
// networks, and a uniformly chosen network lands in those clusters, so
// every lookup reaches a cold corner of the table. Real traffic
// concentrates on far fewer, larger networks.
func benchAddrs(b *testing.B, kind int) []netip.Addr {
	db := benchBuiltin(b)
	starts6, codes6 := db.t.Ranges6()
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]netip.Addr, benchN)
	for i := range out {
		switch kind {
		case v6Allocated:
			for {
				a := iptabletest.Allocated6(rng).Addr()
				if db.Lookup(a).Known() {
					out[i] = a
					break
				}
			}
		case v6PerNetwork:
			k := rng.IntN(len(starts6))
			for !codes6[k].Known() {
				k = rng.IntN(len(starts6))
			}
			out[i] = iptabletest.InRange6(rng, starts6[k])
		default:
			u := rng.Uint32()
			out[i] = netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
		}
	}
	return out
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
func BenchmarkLookupIPv4(b *testing.B) { benchLookup(b, benchAddrs(b, v4Any)) }

// BenchmarkLookupIPv6 is the flat table on the built-in database, on
// random allocated addresses.
func BenchmarkLookupIPv6(b *testing.B) { benchLookup(b, benchAddrs(b, v6Allocated)) }

// BenchmarkLookupIPv6PerNetwork is the worst case: each address in a
// different network.
func BenchmarkLookupIPv6PerNetwork(b *testing.B) { benchLookup(b, benchAddrs(b, v6PerNetwork)) }

// BenchmarkEnrich is what the collector pays per flow: the site rule and
// two lookups.
func BenchmarkEnrich(b *testing.B) {
	db := benchBuiltin(b)
	e, err := NewEnricher(db, []netip.Prefix{netip.MustParsePrefix("2001:470:1234::/48")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	addrs := benchAddrs(b, v4Any)
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
func BenchmarkMMDBLookup(b *testing.B) { benchMMDB(b, benchAddrs(b, v4Any)) }

// BenchmarkMMDBLookupIPv6 is the baseline for BenchmarkLookupIPv6.
func BenchmarkMMDBLookupIPv6(b *testing.B) { benchMMDB(b, benchAddrs(b, v6Allocated)) }

// BenchmarkMMDBLookupIPv6PerNetwork is the baseline for
// BenchmarkLookupIPv6PerNetwork.
func BenchmarkMMDBLookupIPv6PerNetwork(b *testing.B) { benchMMDB(b, benchAddrs(b, v6PerNetwork)) }

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
