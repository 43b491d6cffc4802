package asn

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/iptable"
	"github.com/gflow/gflow/pkg/iptable/iptabletest"
)

// refLookup is the slow path the flat tables must agree with: the mmdb's
// own lookup and decode, giving the AS number and its organisation.
func refLookup(t testing.TB, r *maxminddb.Reader, a netip.Addr) (uint32, string) {
	res := r.Lookup(a)
	if !res.Found() {
		return 0, ""
	}
	d := &decoder{names: map[uint32]string{}}
	as, err := d.asOf(res)
	if err != nil {
		t.Fatalf("decode %s: %v", a, err)
	}
	return as, d.names[as]
}

// agree checks db against the mmdb b on n4 IPv4 and n6 IPv6 probes, names
// included.
func agree(t *testing.T, name string, db *DB, b []byte, n4, n6 int) {
	t.Helper()
	r, err := maxminddb.OpenBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rng := rand.New(rand.NewPCG(2026, 21))
	bad, named := 0, 0
	for _, set := range [][]netip.Addr{iptabletest.Probes4(rng, db.t, n4), iptabletest.Probes6(rng, db.t, n6)} {
		for _, a := range set {
			got := db.Lookup(a)
			want, wantName := refLookup(t, r, a)
			if got != want {
				if bad++; bad <= 10 {
					t.Errorf("%s: Lookup(%s) = %d, mmdb says %d", name, a, got, want)
				}
				continue
			}
			if got != 0 && named < 1000 {
				named++
				if db.Name(got) != wantName {
					t.Errorf("%s: Name(%d) = %q, mmdb says %q", name, got, db.Name(got), wantName)
				}
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d disagreements in all", name, bad)
	}
}

// TestBuiltinAgreesWithMMDB checks the built-in table against an mmdb that
// mmdbwriter builds from the same ranges, on a million IPv4 and a million
// IPv6 addresses, and the table flattened from that mmdb (a user's file)
// too. Building the full mmdb takes tens of seconds, so with -short or
// -race every 64th range is taken, re-encoded as a built-in table, and
// checked on fewer addresses.
func TestBuiltinAgreesWithMMDB(t *testing.T) {
	step, n4, n6 := 1, 1_000_000, 1_000_000
	if testing.Short() || raceEnabled {
		step, n4, n6 = 64, 100_000, 100_000
	}
	b := builtinAsMMDB(t, step)
	db := builtinDB(t)
	if step > 1 {
		db = everyNth(t, db, step)
	}
	agree(t, "built-in", db, b, n4, n6)
	user, err := openBytes("built-in.mmdb", b)
	if err != nil {
		t.Fatal(err)
	}
	agree(t, "built-in.mmdb", user, b, n4, n6)
}

// everyNth is a table of every step-th range of db, through EncodeTable
// and decodeTable as the built-in one is made.
func everyNth(t *testing.T, db *DB, step int) *DB {
	t.Helper()
	var v4, v6 []Range
	s4, a4 := db.t.Ranges4()
	for i := 0; i < len(s4); i += step {
		if a4[i] == 0 {
			continue
		}
		last := uint32(1<<32 - 1)
		if i+1 < len(s4) {
			last = s4[i+1] - 1
		}
		v4 = append(v4, Range{iptable.U128From(u32Addr(s4[i])), iptable.U128From(u32Addr(last)), a4[i], db.Name(a4[i])})
	}
	s6, a6 := db.t.Ranges6()
	for i := 0; i < len(s6); i += step {
		if a6[i] == 0 {
			continue
		}
		last := iptable.Max
		if i+1 < len(s6) {
			last = s6[i+1].Prev()
		}
		v6 = append(v6, Range{s6[i], last, a6[i], db.Name(a6[i])})
	}
	raw, err := EncodeTable(Source{Package: "test", Version: "1"}, v4, v6)
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := decodeTable(raw)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// The fixtures have aliases, an IPv4-only file and three layouts.
func TestFastPathAgreesOnFixtures(t *testing.T) {
	for _, l := range []layout{flat, traits, ipinfo} {
		for _, v := range []int{4, 6} {
			b := fixtureBytes(t, l, v, fixtureNets, true)
			db, err := openBytes("fixture", b)
			if err != nil {
				t.Fatal(err)
			}
			agree(t, "fixture", db, b, 30_000, 30_000)
		}
	}
}
