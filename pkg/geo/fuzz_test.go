package geo

import (
	"net/netip"
	"testing"
)

// FuzzOpen feeds arbitrary bytes to the user-database open path: it must
// return an error or a working database, never panic or hang.
func FuzzOpen(f *testing.F) {
	small := []entry{{"8.8.8.0/24", "US"}, {"2001:470::/32", "US"}, {"5.0.0.0/8", ""}}
	f.Add(fixtureBytes(f, flat, 6, small))
	f.Add(fixtureBytes(f, nested, 6, small))
	f.Add(fixtureBytes(f, registered, 4, small))
	f.Add(fixtureBytes(f, noCountry, 6, small))
	f.Add([]byte("\xab\xcd\xefMaxMind.com"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := openBytes("fuzz.mmdb", b)
		if err != nil {
			return
		}
		for _, s := range []string{"8.8.8.8", "0.0.0.0", "255.255.255.255", "2001:470::1", "::", "::8.8.8.8", "2002:808:808::", "ffff::"} {
			_ = db.Lookup(netip.MustParseAddr(s))
		}
	})
}
