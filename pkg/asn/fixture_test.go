package asn

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/gflow/gflow/pkg/iptable"
)

// fixtureBuild is the build date stamped into every fixture database.
var fixtureBuild = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// layout says how a fixture stores the AS.
type layout int

const (
	flat   layout = iota // GeoLite2-ASN, DB-IP ASN Lite, ip-location-db: top-level fields
	traits               // GeoIP2 Enterprise, DB-IP full: the same fields under traits
	ipinfo               // IPinfo: "asn": "AS13335", "as_name"
	noAS                 // a country database: no AS field anywhere
	scalar               // records that are plain numbers, not maps
)

// entry is one network of a fixture database.
type entry struct {
	cidr string
	as   uint32
	name string
}

// fixtureNets is the same small world in every layout, with two AS
// numbers of one organisation and a name with control characters.
var fixtureNets = []entry{
	{"1.0.0.0/24", 13335, "Cloudflare, Inc."},
	{"8.8.8.0/24", 15169, "Google LLC"},
	{"8.8.4.0/24", 15169, "Google LLC"},
	{"52.0.0.0/11", 16509, "Amazon.com, Inc."},
	{"54.0.0.0/8", 14618, "Amazon.com, Inc."},
	{"130.59.0.0/16", 559, "SWITCH\x1b[31m Peering\tAG"},
	{"192.168.0.0/16", 64512, "a private AS in a user's file"},
	{"2001:470::/32", 6939, "Hurricane Electric LLC"},
	{"2a00:1450::/32", 15169, "Google LLC"},
	{"2620:fe::/48", 19281, "Quad9"},
	{"ffff:ffff::/32", 4294967294, "the last private AS"},
}

// fixtureWant is what every layout must answer, before any site rule.
var fixtureWant = map[string]uint32{
	"1.0.0.1":           13335,
	"1.0.1.0":           0,
	"8.8.8.8":           15169,
	"8.8.4.4":           15169,
	"52.31.255.255":     16509,
	"52.32.0.0":         0,
	"54.1.2.3":          14618,
	"130.59.31.80":      559,
	"192.168.1.1":       64512,
	"::ffff:8.8.8.8":    15169, // mapped: looked up as IPv4
	"2001:470:1::1":     6939,
	"2a00:1450:4001::1": 15169,
	"2620:fe::fe":       19281,
	"2620:fe:1::":       0,
	"ffff:ffff:ffff::1": 4294967294,
	"::":                0,
	"0.0.0.0":           0,
}

func fixtureRecord(l layout, as uint32, name string) mmdbtype.DataType {
	switch l {
	case flat:
		return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(as), "autonomous_system_organization": mmdbtype.String(name)}
	case traits:
		return mmdbtype.Map{
			"country": mmdbtype.Map{"iso_code": mmdbtype.String("US")},
			"traits": mmdbtype.Map{
				"autonomous_system_number":       mmdbtype.Uint32(as),
				"autonomous_system_organization": mmdbtype.String(name),
				"isp":                            mmdbtype.String("an ISP"),
			},
		}
	case ipinfo:
		return mmdbtype.Map{"asn": mmdbtype.String("AS" + itoa(as)), "as_name": mmdbtype.String(name), "as_domain": mmdbtype.String("example.net")}
	case scalar:
		return mmdbtype.Uint32(as)
	}
	return mmdbtype.Map{"country_code": mmdbtype.String("US")}
}

func itoa(v uint32) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + v%10)}, b...)
		if v /= 10; v == 0 {
			return string(b)
		}
	}
}

// fixtureBytes builds a MaxMind DB with mmdbwriter. With aliases the
// IPv6 tree points ::ffff:0:0/96, 2001::/32 and 2002::/16 at the IPv4
// subtree, as MaxMind's own files do.
func fixtureBytes(t testing.TB, l layout, ipVersion int, nets []entry, aliases bool) []byte {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "GeoLite2-ASN",
		Description:             map[string]string{"en": "gflow test fixture"},
		BuildEpoch:              fixtureBuild.Unix(),
		IPVersion:               ipVersion,
		RecordSize:              28,
		IncludeReservedNetworks: true,
		DisableIPv4Aliasing:     !aliases,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range nets {
		_, n, err := net.ParseCIDR(e.cidr)
		if err != nil {
			t.Fatal(err)
		}
		if ipVersion == 4 && n.IP.To4() == nil {
			continue
		}
		if err := w.Insert(n, fixtureRecord(l, e.as, e.name)); err != nil {
			t.Fatalf("insert %s: %v", e.cidr, err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fixtureFile writes a fixture into t.TempDir and returns its path.
func fixtureFile(t *testing.T, name string, l layout, ipVersion int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, fixtureBytes(t, l, ipVersion, fixtureNets, true), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// builtinAsMMDB writes the built-in table's ranges (every one, or every
// step-th) as a GeoLite2-ASN-style mmdb: the reference the flattened
// tables are checked against, and the baseline of the benchmarks.
func builtinAsMMDB(t testing.TB, step int) []byte {
	t.Helper()
	db := builtinDB(t)
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "GeoLite2-ASN",
		Description:             map[string]string{"en": "the built-in AS table as an mmdb"},
		BuildEpoch:              db.BuildDate().Unix(),
		IPVersion:               6,
		RecordSize:              32,
		IncludeReservedNetworks: true,
		DisableIPv4Aliasing:     true,
	})
	if err != nil {
		t.Fatal(err)
	}
	recs := map[uint32]mmdbtype.DataType{}
	insert := func(first, last netip.Addr, as uint32) {
		rec, ok := recs[as]
		if !ok {
			rec = mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(as), "autonomous_system_organization": mmdbtype.String(db.Name(as))}
			recs[as] = rec
		}
		if err := w.InsertRange(net.IP(first.AsSlice()), net.IP(last.AsSlice()), rec); err != nil {
			t.Fatalf("insert %s-%s: %v", first, last, err)
		}
	}
	s4, v4 := db.t.Ranges4()
	for i := 0; i < len(s4); i += step {
		if v4[i] == 0 {
			continue
		}
		last := uint32(1<<32 - 1)
		if i+1 < len(s4) {
			last = s4[i+1] - 1
		}
		insert(u32Addr(s4[i]), u32Addr(last), v4[i])
	}
	s6, v6 := db.t.Ranges6()
	for i := 0; i < len(s6); i += step {
		if v6[i] == 0 {
			continue
		}
		last := iptable.Max
		if i+1 < len(s6) {
			last = s6[i+1].Prev()
		}
		insert(s6[i].Addr(), last.Addr(), v6[i])
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func u32Addr(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}
