package asn

import (
	"net/netip"
	"testing"
)

var fuzzAddrs = []string{"8.8.8.8", "0.0.0.0", "255.255.255.255", "2001:470::1", "::", "::8.8.8.8", "2002:808:808::", "ffff::"}

// FuzzOpen feeds arbitrary bytes to the user-database open path: it must
// return an error or a working database, never panic or hang.
func FuzzOpen(f *testing.F) {
	small := []entry{{"8.8.8.0/24", 15169, "Google LLC"}, {"2001:470::/32", 6939, "HE"}}
	for _, l := range []layout{flat, traits, ipinfo, noAS} {
		f.Add(fixtureBytes(f, l, 6, small, true))
	}
	f.Add(fixtureBytes(f, flat, 4, small, false))
	f.Add([]byte("\xab\xcd\xefMaxMind.com"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := openBytes("fuzz.mmdb", b)
		if err != nil {
			return
		}
		for _, s := range fuzzAddrs {
			_ = db.Name(db.Lookup(netip.MustParseAddr(s)))
		}
	})
}

// FuzzDecodeTable: a damaged built-in table must give an error, never a
// panic or a huge allocation.
func FuzzDecodeTable(f *testing.F) {
	raw, err := EncodeTable(Source{Package: "p", Version: "v"}, edgeV4, edgeV6)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(tableMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		db, _, err := decodeTable(b)
		if err != nil {
			return
		}
		for _, s := range fuzzAddrs {
			_ = db.Name(db.Lookup(netip.MustParseAddr(s)))
		}
	})
}
