package geo

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/iptable/iptabletest"
)

// refLookup is the slow path the flat tables must agree with: the mmdb's
// own lookup and decode.
func refLookup(t testing.TB, r *maxminddb.Reader, a netip.Addr) flowfile.Country {
	res := r.Lookup(a)
	if !res.Found() {
		return flowfile.NoCountry // not in the tree, or IPv6 in an IPv4-only file
	}
	rec, err := decodeRecord(res)
	if err != nil {
		t.Fatalf("decode %s: %v", a, err)
	}
	s, _, _ := rec.code()
	return flowfile.MakeCountry(s)
}

func checkAgainstMMDB(t *testing.T, name string, b []byte, n4, n6 int) {
	t.Helper()
	db, err := openBytes(name, b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := maxminddb.OpenBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rng := rand.New(rand.NewPCG(2026, 11))
	bad := 0
	for _, set := range [][]netip.Addr{iptabletest.Probes4(rng, db.t, n4), iptabletest.Probes6(rng, db.t, n6)} {
		for _, a := range set {
			if got, want := db.Lookup(a), refLookup(t, r, a); got != want {
				if bad++; bad <= 10 {
					t.Errorf("%s: Lookup(%s) = %s, mmdb says %s", name, a, got, want)
				}
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d disagreements in all", name, bad)
	}
}

// TestFastPathAgreesWithMMDB is the correctness check of the flat tables
// on the built-in database: a million IPv4 and a million IPv6 addresses
// (fewer with -short or -race).
func TestFastPathAgreesWithMMDB(t *testing.T) {
	n4, n6 := 1_000_000, 1_000_000
	if testing.Short() || raceEnabled {
		n4, n6 = 200_000, 100_000
	}
	checkAgainstMMDB(t, "built-in", builtinMMDB, n4, n6)
}

// The same on the fixtures, which have aliases, an IPv4-only file and
// nested records.
func TestFastPathAgreesOnFixtures(t *testing.T) {
	for _, l := range []layout{flat, nested, registered} {
		for _, v := range []int{4, 6} {
			checkAgainstMMDB(t, "fixture", fixtureBytes(t, l, v, fixtureNets), 30_000, 30_000)
		}
	}
	// an empty database: everything "--", and still an error because no
	// record names a country
	if _, err := openBytes("empty", fixtureBytes(t, flat, 6, nil)); err == nil {
		t.Error("a database with no records opened without error")
	}
}
