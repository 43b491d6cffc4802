package demo

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
)

var shared struct {
	once sync.Once
	a    *Addresses
	db   *geo.DB
	err  error
}

// builtinAddresses samples the built-in database once for all tests.
func builtinAddresses(t testing.TB) (*Addresses, *geo.DB) {
	t.Helper()
	shared.once.Do(func() {
		shared.db, shared.err = geo.Builtin()
		if shared.err == nil {
			shared.a, shared.err = NewAddresses(shared.db.Lookup, 1)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.a, shared.db
}

// The demo's external addresses must land in the countries they were drawn
// for, or the demo map would show traffic in the wrong places.
func TestDrawnAddressesAreInTheirCountry(t *testing.T) {
	a, db := builtinAddresses(t)
	r := newRand(3)
	for i := range 5000 {
		addr, code := a.Draw(r, i%3 == 0)
		if got := db.Lookup(addr); got != flowfile.MakeCountry(code) {
			t.Fatalf("drew %s for %s, but the database says %s", addr, code, got)
		}
		if !publicUnicast(addr) {
			t.Fatalf("drew non-public %s", addr)
		}
	}
	if n := len(a.Countries()); n < 30 {
		t.Errorf("only %d countries available, want at least 30", n)
	}
}

func TestGenerateShape(t *testing.T) {
	a, _ := builtinAddresses(t)
	hour := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	recs := Generate(a, DefaultSite, Options{Seed: 7, Hour: hour, Conversations: 3000, IPv6Share: 0.3})
	if len(recs) != 2*3000+3000/20 {
		t.Fatalf("got %d flows", len(recs))
	}
	var v6, internalSrc int
	for i := range recs {
		r := &recs[i]
		if r.StartTime().Truncate(time.Hour) != hour {
			t.Fatalf("flow %d starts at %s, outside the hour", i, r.StartTime())
		}
		if i > 0 && r.STime < recs[i-1].STime {
			t.Fatalf("flows not in start order at %d", i)
		}
		if r.ETime < r.STime || r.Packets == 0 || r.Bytes < r.Packets {
			t.Fatalf("implausible flow %+v", *r)
		}
		if r.IsIPv6() {
			v6++
		}
		if DefaultSite.V4.Contains(r.SIP) || DefaultSite.V6.Contains(r.SIP) {
			internalSrc++
		}
	}
	if v6 < len(recs)/6 || v6 > len(recs)/2 {
		t.Errorf("%d of %d flows are IPv6, want about 30%%", v6, len(recs))
	}
	if internalSrc < len(recs)*4/10 {
		t.Errorf("only %d of %d flows leave the site", internalSrc, len(recs))
	}
	_ = netip.Addr{}
}
