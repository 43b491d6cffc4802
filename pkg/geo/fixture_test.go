package geo

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// fixtureBuild is the build date stamped into every fixture database.
var fixtureBuild = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// entry is one network of a fixture database and its country; an empty
// country inserts a continent-only record, as some MaxMind networks are.
type entry struct {
	cidr, cc string
}

// fixtureNets is the same small world in every layout. It copies the
// built-in database's known faults (192.168/16 in AU, 2001:db8::/32 in JP)
// so the tests show the site rule overrides them.
var fixtureNets = []entry{
	{"1.0.0.0/8", "AU"},
	{"1.2.3.0/24", "CN"},
	{"2.0.0.0/8", "FR"},
	{"5.0.0.0/8", ""},
	{"8.8.8.0/24", "US"},
	{"9.9.9.0/24", "CH"},
	{"10.0.0.0/8", "DE"},
	{"130.59.0.0/16", "CH"},
	{"192.168.0.0/16", "AU"},
	{"203.0.113.0/24", "AU"},
	{"255.255.255.0/24", "ZZ"},
	{"2001:db8::/32", "JP"},
	{"2001:470::/32", "US"},
	{"2a00:1450::/32", "IE"},
	{"2a02:1200::/27", "CH"},
	{"ffff:ffff::/32", "ZZ"},
}

// layout says how a fixture stores the country.
type layout int

const (
	flat       layout = iota // ip-location-db: {"country_code": "US"}
	nested                   // MaxMind/DB-IP: {"country": {"iso_code": "US"}, ...}
	registered               // only {"registered_country": {"iso_code": "US"}}
	noCountry                // no country field anywhere (an ASN-like file)
	ipinfo                   // {"country_code": "US", "country": "United States"}
	scalar                   // records that are plain strings, not maps
)

func fixtureRecord(l layout, cc string) mmdbtype.DataType {
	if l == scalar {
		return mmdbtype.String(cc)
	}
	if cc == "" {
		return mmdbtype.Map{"continent": mmdbtype.Map{"code": mmdbtype.String("EU")}}
	}
	switch l {
	case flat:
		return mmdbtype.Map{"country_code": mmdbtype.String(cc)}
	case nested:
		return mmdbtype.Map{
			"continent":          mmdbtype.Map{"code": mmdbtype.String("EU")},
			"country":            mmdbtype.Map{"iso_code": mmdbtype.String(cc), "names": mmdbtype.Map{"en": mmdbtype.String("x")}},
			"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("ZZ")},
		}
	case registered:
		return mmdbtype.Map{"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String(cc)}}
	case ipinfo:
		return mmdbtype.Map{"country_code": mmdbtype.String(cc), "country": mmdbtype.String("Somewhere Else"), "continent": mmdbtype.String("Europe")}
	}
	return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(64500)}
}

// fixtureBytes builds a small MaxMind DB with mmdbwriter.
func fixtureBytes(t testing.TB, l layout, ipVersion int, nets []entry) []byte {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "GeoLite2-Country",
		Description:             map[string]string{"en": "gflow test fixture"},
		BuildEpoch:              fixtureBuild.Unix(),
		IPVersion:               ipVersion,
		RecordSize:              24,
		IncludeReservedNetworks: true,
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
		if err := w.Insert(n, fixtureRecord(l, e.cc)); err != nil {
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
	if err := os.WriteFile(p, fixtureBytes(t, l, ipVersion, fixtureNets), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
