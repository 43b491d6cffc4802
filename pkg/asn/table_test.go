package asn

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/iptable"
)

func rng(first, last string, as uint32, name string) Range {
	return Range{iptable.U128From(netip.MustParseAddr(first)), iptable.U128From(netip.MustParseAddr(last)), as, name}
}

// edgeV4 and edgeV6 touch both ends of each family, run ranges into each
// other, and share names between AS numbers.
var (
	edgeV4 = []Range{
		rng("0.0.0.0", "0.0.0.255", 7, "zero"),
		rng("1.0.0.0", "1.0.0.255", 13335, "Cloudflare, Inc."),
		rng("1.0.1.0", "1.0.1.0", 4200000000, "one address"),
		rng("1.0.1.1", "1.0.3.255", 13335, "Cloudflare, Inc."),
		rng("9.0.0.0", "9.255.255.255", 3356, "Level 3 Parent, LLC"),
		rng("255.255.255.0", "255.255.255.255", 4294967295, "last"),
	}
	edgeV6 = []Range{
		rng("::", "::ffff", 64496, "Réseau Ivoirien"),
		rng("2001:470::", "2001:470:ffff:ffff:ffff:ffff:ffff:ffff", 6939, "Hurricane Electric LLC"),
		rng("2001:471::", "2001:471::", 64497, "Réseau Ivoirien"),
		rng("ffff:ffff:ffff:ffff::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 4294967295, "last"),
	}
)

func TestTableRoundTrip(t *testing.T) {
	src := Source{Package: "pkg", Version: "1.2.2026010100", Built: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	raw, err := EncodeTable(src, edgeV4, edgeV6)
	if err != nil {
		t.Fatal(err)
	}
	db, got, err := decodeTable(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got != src {
		t.Errorf("source %+v, want %+v", got, src)
	}
	for _, set := range [][]Range{edgeV4, edgeV6} {
		for _, r := range set {
			for _, a := range []netip.Addr{r.First.Addr(), r.Last.Addr()} {
				if set[0].First.Addr().Is4In6() {
					a = a.Unmap()
				}
				if as := db.Lookup(a); as != r.AS {
					t.Errorf("Lookup(%s) = %d, want %d", a, as, r.AS)
				}
			}
			if db.Name(r.AS) != r.Name {
				t.Errorf("Name(%d) = %q, want %q", r.AS, db.Name(r.AS), r.Name)
			}
		}
	}
	for a, want := range map[string]uint32{"0.0.1.0": 0, "1.0.4.0": 0, "8.255.255.255": 0, "10.0.0.0": 0, "255.255.254.255": 0,
		"::1:0": 0, "2001:46f:ffff:ffff:ffff:ffff:ffff:ffff": 0, "2001:471::1": 0, "ffff:ffff:ffff:fffe:ffff:ffff:ffff:ffff": 0} {
		if got := db.Lookup(netip.MustParseAddr(a)); got != want {
			t.Errorf("Lookup(%s) = %d, want %d", a, got, want)
		}
	}
	if len(db.names) != 7 || db.NameWidth() != len("Hurricane Electric LLC") {
		t.Errorf("%d names (want 7: each once), width %d", len(db.names), db.NameWidth())
	}
	// the raw table must be rejected when cut anywhere
	for n := range len(raw) - 1 {
		if _, _, err := decodeTable(raw[:n]); err == nil {
			t.Fatalf("a table cut to %d of %d bytes decoded without error", n, len(raw))
		}
	}
}

func TestEncodeTableRejects(t *testing.T) {
	for name, tc := range map[string]struct{ v4, v6 []Range }{
		"overlap":      {v4: []Range{rng("1.0.0.0", "1.0.0.255", 1, "a"), rng("1.0.0.255", "1.0.1.0", 2, "b")}},
		"out of order": {v6: []Range{rng("2001::", "2001::1", 1, "a"), rng("2000::", "2000::1", 2, "b")}},
		"AS 0":         {v4: []Range{rng("1.0.0.0", "1.0.0.255", 0, "none")}},
		"IPv6 in v4":   {v4: []Range{rng("2001::", "2001::1", 1, "a")}},
		"backwards":    {v6: []Range{rng("2001::1", "2001::", 1, "a")}},
	} {
		if _, err := EncodeTable(Source{}, tc.v4, tc.v6); err == nil {
			t.Errorf("%s: encoded without error", name)
		}
	}
}

func TestBuiltinTableIsZstd(t *testing.T) {
	if _, err := OpenTable(builtinTable[:len(builtinTable)-100]); err == nil {
		t.Error("a truncated built-in table decoded without error")
	}
	if _, err := OpenTable([]byte("not zstd")); err == nil {
		t.Error("garbage decoded as the built-in table")
	}
}
